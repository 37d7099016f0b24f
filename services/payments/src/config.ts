import { z } from 'zod';
import { baseConfigShape, booleanFlag, loadConfig, peerSessionsShape, sessionCacheShape, urlList } from '@strangler/kit';

const peerSessions = peerSessionsShape();

/**
 * The service has no sessions of its own: every bearer token is checked with the sides that issue
 * them. Without peers or the shared secret it could only answer 401, so both are required here
 * (they are optional for the monolith, which has its own sessions).
 */
export const paymentsServiceConfigSchema = z.object({
  ...baseConfigShape({ port: 3002, databaseFile: '.data/payments.sqlite' }),
  ...peerSessions,
  ...sessionCacheShape(),
  /** The sides that issue sessions, asked in order: the auth service, then the monolith. */
  AUTH_PEERS: urlList().refine((urls) => urls.length > 0, {
    message: 'is required: the base URLs of the auth service and the monolith, comma-separated',
  }),
  INTERNAL_API_TOKEN: z
    .string({ error: 'is required: the shared secret of the peers’ internal session endpoints' })
    .min(32, 'must be at least 32 characters'),
  /** Apply pending schema migrations at start (handy on a laptop; turn off where a job migrates). */
  MIGRATE_ON_START: booleanFlag(true),
});

export type PaymentsServiceConfig = z.infer<typeof paymentsServiceConfigSchema>;

export function readPaymentsServiceConfig(env: Record<string, string | undefined> = process.env): PaymentsServiceConfig {
  return loadConfig(paymentsServiceConfigSchema, env);
}
