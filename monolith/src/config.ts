import { z } from 'zod';
import { baseConfigShape, booleanFlag, loadConfig, peerSessionsShape, positiveMs, sessionCacheShape } from '@strangler/kit';
import { authConfigShape, THROTTLE_WINDOW_ISSUE, throttleWindowFitsRedis } from '@strangler/auth-api';

export const monolithConfigSchema = z.object({
  ...baseConfigShape({ port: 3000, databaseFile: '.data/monolith.sqlite' }),
  ...peerSessionsShape(),
  ...sessionCacheShape(),
  /** Password hashing and login throttling: the same keys and meaning as the auth service's. */
  ...authConfigShape(),
  /** Apply pending schema migrations at start (handy on a laptop; turn off where a job migrates). */
  MIGRATE_ON_START: booleanFlag(true),
  /** Lifetime of a session token. */
  SESSION_TTL_MS: positiveMs(24 * 60 * 60 * 1000),
  /** How checkout pays: the in-process payments module (legacy) or the extracted payments service. */
  PAYMENTS_MODE: z.enum(['in-process', 'http'], { error: 'must be in-process or http' }).default('in-process'),
  PAYMENTS_SERVICE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  PAYMENTS_TIMEOUT_MS: positiveMs(3_000),
  PAYMENTS_RETRIES: z.coerce.number({ error: 'must be a number' }).int().min(0).max(5).default(2),
})
  .refine((config) => config.PAYMENTS_MODE !== 'http' || config.PAYMENTS_SERVICE_URL, {
    message: 'is required when PAYMENTS_MODE=http',
    path: ['PAYMENTS_SERVICE_URL'],
  })
  .refine(throttleWindowFitsRedis, THROTTLE_WINDOW_ISSUE);

export type MonolithConfig = z.infer<typeof monolithConfigSchema>;

export function readMonolithConfig(env: Record<string, string | undefined> = process.env): MonolithConfig {
  return loadConfig(monolithConfigSchema, env);
}
