import { z } from 'zod';
import { baseConfigShape, booleanFlag, loadConfig, peerSessionsShape, positiveMs } from '@strangler/kit';

export const monolithConfigSchema = z.object({
  ...baseConfigShape({ port: 3000, databaseFile: '.data/monolith.sqlite' }),
  ...peerSessionsShape(),
  /** Apply pending schema migrations at start (handy on a laptop; turn off where a job migrates). */
  MIGRATE_ON_START: booleanFlag(true),
  /** Lifetime of a session token. */
  SESSION_TTL_MS: positiveMs(24 * 60 * 60 * 1000),
});

export type MonolithConfig = z.infer<typeof monolithConfigSchema>;

export function readMonolithConfig(env: Record<string, string | undefined> = process.env): MonolithConfig {
  return loadConfig(monolithConfigSchema, env);
}
