import type { z } from 'zod';
import { loadConfig } from '@strangler/kit';
import { monolithConfigSchema } from '../config';

/** Only what seeding needs, with the monolith's own default and validation for DATABASE_URL, so
 * the seeder writes where the monolith reads and an unrelated bad variable does not block it. */
export const seedConfigSchema = monolithConfigSchema.pick({ DATABASE_URL: true });

export type SeedConfig = z.infer<typeof seedConfigSchema>;

export function readSeedConfig(env: Record<string, string | undefined>): SeedConfig {
  return loadConfig(seedConfigSchema, env);
}
