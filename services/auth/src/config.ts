import { z } from 'zod';
import { baseConfigShape, booleanFlag, loadConfig, peerSessionsShape, positiveMs } from '@strangler/kit';

const positiveCount = (fallback: number) =>
  z.coerce.number({ error: 'must be a number' }).int('must be an integer').positive('must be at least 1').default(fallback);

export const authServiceConfigSchema = z.object({
  ...baseConfigShape({ port: 3001, databaseFile: '.data/auth.sqlite' }),
  ...peerSessionsShape(),
  /** Apply pending schema migrations at start (handy on a laptop; turn off where a job migrates). */
  MIGRATE_ON_START: booleanFlag(true),
  /** Lifetime of a session token (same meaning as the monolith's). */
  SESSION_TTL_MS: positiveMs(24 * 60 * 60 * 1000),
  /** Failed logins allowed per account (email) within the window before answering 429. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveCount(5),
  /** Failed logins allowed per client address within the window before answering 429. */
  LOGIN_MAX_FAILURES_PER_ADDRESS: positiveCount(20),
  /** The throttling window, and how long a throttled account or address stays blocked. */
  LOGIN_THROTTLE_WINDOW_MS: positiveMs(15 * 60 * 1000),
  /** Count login failures in this Redis, shared by every instance; unset = in this process's memory. */
  AUTH_THROTTLE_REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
}).refine((config) => !config.AUTH_THROTTLE_REDIS_URL || config.LOGIN_THROTTLE_WINDOW_MS % 1000 === 0, {
  message: 'must be a whole number of seconds (a multiple of 1000) when AUTH_THROTTLE_REDIS_URL is set',
  path: ['LOGIN_THROTTLE_WINDOW_MS'],
});

export type AuthServiceConfig = z.infer<typeof authServiceConfigSchema>;

export function readAuthServiceConfig(env: Record<string, string | undefined> = process.env): AuthServiceConfig {
  return loadConfig(authServiceConfigSchema, env);
}
