import { z } from 'zod';
import { databaseUrl, loadConfig, logLevels, port, positiveMs } from '@strangler/kit';
import { DATABASES } from '@strangler/migrations';
import { loadCapabilities, type ConfiguredCapability } from '../data/capabilities';

const defaultUrl = (database: string): string => DATABASES.find((entry) => entry.set.database === database)?.defaultUrl ?? `.data/${database}.sqlite`;

/**
 * What `npm run data` reads from the environment, validated once. The databases each capability
 * moves between are its manifest's (`${VAR:-default}` against this environment); the shipped
 * manifests name the three variables below, checked here as before.
 */
export const dataConfigSchema = z.object({
  /** The capability manifests (default: the repository's manifests/). */
  MANIFESTS_DIR: z.string().optional(),
  MONOLITH_DATABASE_URL: databaseUrl(defaultUrl('monolith')),
  AUTH_DATABASE_URL: databaseUrl(defaultUrl('auth')),
  PAYMENTS_DATABASE_URL: databaseUrl(defaultUrl('payments')),
  /** Unset: info, or warn for one-shot commands on a terminal (the progress bar is the output). */
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).optional(),
  /** The sync worker's health and metrics port. */
  DATA_SYNC_PORT: port(9470),
  SHUTDOWN_TIMEOUT_MS: positiveMs(10_000),
});

/** The environment's settings and the capabilities the manifests declare (those that move data). */
export type DataConfig = z.infer<typeof dataConfigSchema> & { capabilities: readonly ConfiguredCapability[] };

/**
 * The engine's configuration from `env`: a ConfigError naming the variable, or a
 * CapabilityConfigError (a ConfigError) naming each manifest, capability and field at fault.
 */
export function loadDataConfig(env: Record<string, string | undefined>): DataConfig {
  const settings = loadConfig(dataConfigSchema, env);
  return { ...settings, capabilities: loadCapabilities({ ...(settings.MANIFESTS_DIR ? { dir: settings.MANIFESTS_DIR } : {}), env }) };
}
