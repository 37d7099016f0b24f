import { brokerConfig } from '../pact/support/broker';
import type { PactFile } from '../pact/support/pact-files';
import type { ProviderUnderTest } from '../pact/support/provider-under-test';
import { verificationFailures } from '../pact/support/verification-failures';
import { verifierOptions } from '../pact/support/verify-pact';

/** The pure parts of the contracts run; the run itself is `npm run contracts`. */

const pact: PactFile = { file: '/tmp/pacts/web-client-payments.json', consumer: 'web-client', provider: 'payments', states: [], interactions: 1 };
const provider: ProviderUnderTest = { implementation: 'payments-service', url: 'http://127.0.0.1:1234', sessionsUrl: 'http://127.0.0.1:1235', stop: async () => {} };

describe('verification failures', () => {
  it('turns the verifier report into one line per mismatch, naming the field', () => {
    const report = {
      result: false,
      errors: [
        {
          interaction: 'Verifying a pact between web-client and payments Given a user is logged in - a payment creation',
          mismatch: {
            type: 'mismatches',
            mismatches: [
              { type: 'BodyMismatch', path: '$.payment.amount', mismatch: "Expected 19.99 (Decimal) to be the same type as '19.99' (String)" },
              { type: 'HeaderMismatch', key: 'Content-Type', mismatch: "Mismatch with header 'Content-Type'" },
            ],
          },
        },
        { interaction: 'Verifying a pact between web-client and payments - a void', mismatch: { type: 'error', message: 'State change request failed' } },
      ],
    };
    expect(verificationFailures(new Error(JSON.stringify(report)))).toEqual([
      "Given a user is logged in - a payment creation: $.payment.amount -> Expected 19.99 (Decimal) to be the same type as '19.99' (String)",
      "Given a user is logged in - a payment creation: header Content-Type -> Mismatch with header 'Content-Type'",
      '- a void: State change request failed',
    ]);
  });

  it('keeps an error that is not a report as it is', () => {
    expect(verificationFailures(new Error('Pact core crashed'))).toEqual(['Pact core crashed']);
  });
});

describe('broker configuration', () => {
  const git = (args: string[]) => (args.includes('HEAD') && args.length === 2 ? 'abc123' : 'feature/x');

  it('is off without PACT_BROKER_BASE_URL', () => {
    expect(brokerConfig({}, git)).toBeUndefined();
  });

  it('uses the git commit and branch, or GIT_COMMIT and GIT_BRANCH', () => {
    expect(brokerConfig({ PACT_BROKER_BASE_URL: 'https://broker.example/' }, git)).toEqual({ url: 'https://broker.example', version: 'abc123', branch: 'feature/x' });
    expect(brokerConfig({ PACT_BROKER_BASE_URL: 'https://broker.example', GIT_COMMIT: 'def', GIT_BRANCH: 'main' }, git)).toMatchObject({ version: 'def', branch: 'main' });
  });

  it('refuses to publish without a version', () => {
    expect(() => brokerConfig({ PACT_BROKER_BASE_URL: 'https://broker.example' }, () => undefined)).toThrow(/GIT_COMMIT and GIT_BRANCH/);
  });
});

describe('verifier options', () => {
  it('verifies the local pact file when there is no broker', () => {
    const options = verifierOptions(pact, provider, {});
    expect(options).toMatchObject({ providerBaseUrl: provider.url, pactUrls: [pact.file] });
    expect(options).not.toHaveProperty('provider');
    expect(options).not.toHaveProperty('publishVerificationResult');
  });

  it("with a broker, verifies the consumer's pacts from it and publishes with the git version and branch", () => {
    const broker = { url: 'https://broker.example', version: 'abc123', branch: 'feature/x' };
    const options = verifierOptions(pact, provider, {}, { broker, publish: true });
    expect(options).not.toHaveProperty('pactUrls');
    expect(options).toMatchObject({
      provider: 'payments',
      pactBrokerUrl: broker.url,
      consumerFilters: ['web-client'],
      consumerVersionSelectors: [{ mainBranch: true }, { branch: 'feature/x' }, { deployedOrReleased: true }],
      publishVerificationResult: true,
      providerVersion: 'abc123',
      providerVersionBranch: 'feature/x',
    });
    expect(verifierOptions(pact, provider, {}, { broker, publish: false }).publishVerificationResult).toBe(false);
  });

  it('fails an interaction whose provider state is not implemented', async () => {
    const states = verifierOptions(pact, provider, { 'a user is logged in': async () => ({ token: 't' }) }).stateHandlers!;
    await expect((states['a user is logged in'] as () => Promise<unknown>)()).resolves.toEqual({ token: 't' });
    await expect((states['a payment exists'] as () => Promise<unknown>)()).rejects.toThrow('provider state "a payment exists" is not implemented for payments-service');
    expect(states['']).toBeUndefined();
    // pact-js logs its options with JSON.stringify: that must not look up a state.
    expect(() => JSON.stringify(states)).not.toThrow();
  });
});
