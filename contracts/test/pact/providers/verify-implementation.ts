import { brokerConfig } from '../support/broker';
import { publishesResultsFor, pactsServedBy } from '../support/provider-implementations';
import type { Implementation, ProviderUnderTest } from '../support/provider-under-test';
import { describeFailure, recordVerification, verifyPact } from '../support/verify-pact';

/**
 * Verifies every pact of this run whose provider `implementation` serves, each against a fresh
 * instance (its own empty database), and records the verdict for the matrix.
 */
export function verifyPactsServedBy(implementation: Implementation, start: () => Promise<ProviderUnderTest>): void {
  const pacts = pactsServedBy(implementation);
  const broker = brokerConfig();

  describe(`provider verification: ${implementation}`, () => {
    if (pacts.length === 0) {
      it('has pacts to verify', () => {
        throw new Error(`no pact in contracts/pacts names a provider that ${implementation} serves: did the consumer tests run first?`);
      });
      return;
    }

    it.each(pacts.map((pact) => [`${pact.consumer} → ${pact.provider}`, pact] as const))('%s', async (_name, pact) => {
      const provider = await start();
      try {
        const record = await verifyPact(pact, provider, { broker, publish: publishesResultsFor(implementation, pact.provider) });
        recordVerification(record);
        if (!record.passed) throw new Error(describeFailure(record));
      } finally {
        await provider.stop();
      }
    });
  });
}
