import { z } from 'zod';
import { baseConfigShape, booleanFlag, loadConfig, peerSessionsShape, positiveMs, sessionCacheShape } from '@strangler/kit';
import { authConfigShape, THROTTLE_WINDOW_ISSUE, throttleWindowFitsRedis } from '@strangler/auth-api';

export const authServiceConfigSchema = z
  .object({
    ...baseConfigShape({ port: 3001, databaseFile: '.data/auth.sqlite' }),
    ...peerSessionsShape(),
    ...sessionCacheShape(),
    ...authConfigShape(),
    /** Apply pending schema migrations at start (handy on a laptop; turn off where a job migrates). */
    MIGRATE_ON_START: booleanFlag(true),
    /** Lifetime of a session token (same meaning as the monolith's). */
    SESSION_TTL_MS: positiveMs(24 * 60 * 60 * 1000),
  })
  .refine(throttleWindowFitsRedis, THROTTLE_WINDOW_ISSUE);

export type AuthServiceConfig = z.infer<typeof authServiceConfigSchema>;

export function readAuthServiceConfig(env: Record<string, string | undefined> = process.env): AuthServiceConfig {
  return loadConfig(authServiceConfigSchema, env);
}
