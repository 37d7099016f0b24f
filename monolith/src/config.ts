import { z } from 'zod';
import { baseConfigShape, loadConfig, positiveMs } from '@strangler/kit';

const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

export const monolithConfigSchema = z.object({
  ...baseConfigShape({ port: 3000, databaseFile: '.data/monolith.sqlite' }),
  /** Apply pending schema migrations at start (handy on a laptop; turn off where a job migrates). */
  MIGRATE_ON_START: booleanFlag(true),
  /** Lifetime of a session token. */
  SESSION_TTL_MS: positiveMs(24 * 60 * 60 * 1000),
});

export type MonolithConfig = z.infer<typeof monolithConfigSchema>;

export function readMonolithConfig(env: Record<string, string | undefined> = process.env): MonolithConfig {
  return loadConfig(monolithConfigSchema, env);
}
