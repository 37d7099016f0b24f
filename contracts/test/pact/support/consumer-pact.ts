import { PactV3 } from '@pact-foundation/pact';
import type { ProblemError } from '../../../src';
import { PACT_DIR } from './pact-files';

export type ConsumerName = 'web-client' | 'monolith-checkout';
export type ProviderName = 'auth' | 'payments' | 'orders';

/** A Pact mock server for one consumer–provider pair, writing to the run's pact folder. */
export function consumerPact(consumer: ConsumerName, provider: ProviderName): PactV3 {
  return new PactV3({ consumer, provider, dir: PACT_DIR, logLevel: 'error' });
}

/** Example values: what the mock server answers with. Providers are held to the shapes, not these. */
export const examples = {
  token: 'qjYJ4sH0t6Gx1R8mUQm4g1mCk2wP3yQ3dXk7aV9eJ0s',
  userId: '3f1c2a9e-6b1d-4c8e-9f0a-2b7d5e4c1a00',
  paymentId: '8c5e2f41-7d3a-4b6e-a1c9-0f2e3d4b5a61',
  refundId: 'b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e',
  orderId: '5a7c9e1f-3b5d-4f7a-9c1e-2d4f6a8b0c2e',
  /** An id no provider state ever creates. */
  unknownId: '00000000-0000-4000-8000-000000000000',
  createdAt: '2026-01-31T12:00:00.000Z',
  expiresAt: '2026-02-01T12:00:00.000Z',
} as const;

/** What a client call that should fail failed with (undefined when it did not fail). */
export function failureOf<E = ProblemError>(promise: Promise<unknown>): Promise<E | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => error as E,
  );
}
