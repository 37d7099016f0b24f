import { z } from 'zod';
import { databaseUrl, loadConfig, logLevels, port, positiveMs } from '@strangler/kit';
import { DATABASES } from '@strangler/migrations';

const defaultUrl = (database: string): string => DATABASES.find((entry) => entry.set.database === database)?.defaultUrl ?? `.data/${database}.sqlite`;

/** What `npm run data` reads from the environment, validated once. */
export const dataConfigSchema = z.object({
  MONOLITH_DATABASE_URL: databaseUrl(defaultUrl('monolith')),
  AUTH_DATABASE_URL: databaseUrl(defaultUrl('auth')),
  PAYMENTS_DATABASE_URL: databaseUrl(defaultUrl('payments')),
  /** Unset: info, or warn for one-shot commands on a terminal (the progress bar is the output). */
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).optional(),
  /** The sync worker's health and metrics port. */
  DATA_SYNC_PORT: port(9470),
  SHUTDOWN_TIMEOUT_MS: positiveMs(10_000),
});

export type DataConfig = z.infer<typeof dataConfigSchema>;

/** The engine's configuration from `env`, or a ConfigError naming the variable. */
export function loadDataConfig(env: Record<string, string | undefined>): DataConfig {
  return loadConfig(dataConfigSchema, env);
}

/** The URL of a database by its name in DATABASES. */
export function urlOf(config: DataConfig, database: string): string {
  const entry = DATABASES.find((candidate) => candidate.set.database === database);
  if (!entry) throw new Error(`unknown database ${database}`);
  const value = (config as Record<string, unknown>)[entry.urlVariable];
  return typeof value === 'string' ? value : entry.defaultUrl;
}
