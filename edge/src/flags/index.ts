import type { Logger } from '@strangler/kit';
import type { EdgeConfig } from '../config';
import type { FlagSource, FlagSourceObserver } from './flag-source';
import { createLocalFileFlagSource } from './local-file-source';
import { createUnleashFlagSource } from './unleash-source';
import { withEvaluationCache } from './evaluation-cache';

export type { FlagClient, FlagSource, FlagSourceKind, FlagSourceObserver, FlagSourceStatus } from './flag-source';
export { MONOLITH_FALLBACK } from './flag-source';
export { createUnleashFlagSource, type UnleashFlagSourceOptions } from './unleash-source';
export { createLocalFileFlagSource, type LocalFileFlagSourceOptions } from './local-file-source';
export { evaluateCapability, evaluateCapabilityNow, type CapabilityEvaluation, type EvaluationReason } from './capability-evaluator';
export { withEvaluationCache, CachingFlagClient } from './evaluation-cache';

export type FlagSourceConfig = Pick<
  EdgeConfig,
  | 'UNLEASH_URL'
  | 'UNLEASH_API_TOKEN'
  | 'UNLEASH_APP_NAME'
  | 'UNLEASH_REFRESH_MS'
  | 'UNLEASH_STALE_AFTER_MS'
  | 'UNLEASH_TIMEOUT_MS'
  | 'UNLEASH_BACKUP_DIR'
  | 'UNLEASH_METRICS'
  | 'FLAGS_FILE'
  | 'FILE_WATCH_DEBOUNCE_MS'
> &
  Partial<Pick<EdgeConfig, 'FLAG_CACHE_SIZE' | 'FLAGS_BACKUP_FILE'>>;

const DEFAULT_FLAG_CACHE_SIZE = 50_000;

/**
 * The flag source the configuration asks for: a real Unleash server when UNLEASH_URL is set, else the
 * local flags file. Both hand out unleash-client instances, so evaluation is the same code either way;
 * their answers are cached per caller until the flags change (evaluation-cache.ts, FLAG_CACHE_SIZE).
 */
export async function createFlagSource(config: FlagSourceConfig, deps: { logger: Logger; observer?: FlagSourceObserver }): Promise<FlagSource> {
  return withEvaluationCache(await createUncachedFlagSource(config, deps), config.FLAG_CACHE_SIZE ?? DEFAULT_FLAG_CACHE_SIZE);
}

async function createUncachedFlagSource(config: FlagSourceConfig, deps: { logger: Logger; observer?: FlagSourceObserver }): Promise<FlagSource> {
  if (config.UNLEASH_URL) {
    return createUnleashFlagSource({
      url: config.UNLEASH_URL,
      apiToken: config.UNLEASH_API_TOKEN ?? '',
      appName: config.UNLEASH_APP_NAME,
      refreshMs: config.UNLEASH_REFRESH_MS,
      staleAfterMs: config.UNLEASH_STALE_AFTER_MS,
      timeoutMs: config.UNLEASH_TIMEOUT_MS,
      backupDir: config.UNLEASH_BACKUP_DIR,
      sendMetrics: config.UNLEASH_METRICS,
      logger: deps.logger,
      ...(deps.observer ? { observer: deps.observer } : {}),
    });
  }
  return createLocalFileFlagSource({
    filePath: config.FLAGS_FILE,
    backupPath: config.FLAGS_BACKUP_FILE ?? `${config.FLAGS_FILE}.last-good`,
    debounceMs: config.FILE_WATCH_DEBOUNCE_MS,
    logger: deps.logger,
    appName: config.UNLEASH_APP_NAME,
    ...(deps.observer ? { observer: deps.observer } : {}),
  });
}
