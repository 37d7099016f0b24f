import { startAuthService } from '../../../../services/auth/test/support/start-auth-service';
import { startPaymentsStack } from '../../../../services/payments/test/support/start-payments-service';
import { startMonolith } from '../../../../monolith/test/support/start-monolith';
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
