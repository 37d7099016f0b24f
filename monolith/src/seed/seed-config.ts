import { z } from 'zod';
import { loadConfig } from '@strangler/kit';
import { monolithConfigSchema } from '../config';

/** Only what seeding needs, reusing the monolith's own DATABASE_URL rule (default included), so
 * the seeder writes where the monolith reads and an unrelated bad variable does not block it. */
export const seedConfigSchema = z.object({ DATABASE_URL: monolithConfigSchema.shape.DATABASE_URL });

export type SeedConfig = z.infer<typeof seedConfigSchema>;

export function readSeedConfig(env: Record<string, string | undefined>): SeedConfig {
  return loadConfig(seedConfigSchema, env);
}
