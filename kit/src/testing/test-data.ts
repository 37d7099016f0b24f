import { randomBytes, randomUUID } from 'node:crypto';

export const uniqueEmail = (): string => `user-${randomUUID()}@example.com`;

/** A fresh shared secret for the internal session endpoints (kit requires at least 32 characters). */
export const newInternalToken = (): string => randomBytes(24).toString('hex');

/** The shared secret of the internal session endpoints where a test needs a fixed one (long enough for the config rule). */
export const TEST_INTERNAL_TOKEN = 'test-internal-token-0123456789abcdef';

/** A public (documentation-range) address distinct per call, to play another client behind the
 * trusted proxy that sets X-Forwarded-For (the tests connect from loopback, which the app trusts). */
let clients = 0;
export const uniqueClientAddress = (): string => {
  clients += 1;
  return `2001:db8:${clients.toString(16)}::1`;
};
