import { createLogger } from '@strangler/kit';
import { TEST_INTERNAL_TOKEN } from '@strangler/kit/testing';
import { startAuthService } from '@strangler/auth-service/testing';
import { startPaymentsService, startPaymentsStack } from '@strangler/payments-service/testing';
import { startMonolith } from '@strangler/monolith/testing';
import { httpPaymentsPort } from '@strangler/monolith';
import type { ProviderUnderTest } from '../support/provider-under-test';

/** Verification runs on SQLite: a fresh file per provider run, built by the production migrations. */

export async function startMonolithProvider(): Promise<ProviderUnderTest> {
  const monolith = await startMonolith('sqlite');
  return { implementation: 'monolith', url: monolith.url, sessionsUrl: monolith.url, stop: () => monolith.stop() };
}

export async function startAuthServiceProvider(): Promise<ProviderUnderTest> {
  const service = await startAuthService('sqlite');
  return { implementation: 'auth-service', url: service.url, sessionsUrl: service.url, stop: () => service.stop() };
}

/** The payments service has no sessions of its own: a real monolith issues the tokens it accepts. */
export async function startPaymentsServiceProvider(): Promise<ProviderUnderTest> {
  const stack = await startPaymentsStack('sqlite');
  return {
    implementation: 'payments-service',
    url: stack.service.url,
    sessionsUrl: stack.monolith.url,
    stop: () => stack.stop(),
  };
}

/**
 * The monolith configured with PAYMENTS_MODE=http: checkout pays through the real payments service
 * (which accepts the monolith's sessions as its peer). The orders API must not change with it.
 */
export async function startMonolithPayingOverHttpProvider(): Promise<ProviderUnderTest> {
  const peers: string[] = [];
  const service = await startPaymentsService('sqlite', { peers: () => peers, internalToken: TEST_INTERNAL_TOKEN });
  const monolith = await startMonolith('sqlite', {
    internalToken: TEST_INTERNAL_TOKEN,
    paymentsPort: httpPaymentsPort({
      baseUrl: service.url,
      timeoutMs: 2_000,
      retries: 0,
      logger: createLogger({ name: 'payments-client', level: 'silent' }),
    }),
  });
  peers.push(monolith.url);
  return {
    implementation: 'monolith-payments-over-http',
    url: monolith.url,
    sessionsUrl: monolith.url,
    async stop() {
      await monolith.stop();
      await service.stop();
    },
  };
}
