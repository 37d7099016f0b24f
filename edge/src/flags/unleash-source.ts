import { mkdirSync } from 'node:fs';
import { Unleash, UnleashEvents } from 'unleash-client';
import type { Logger } from '@strangler/kit';
import type { FlagClient, FlagSource, FlagSourceObserver, FlagSourceStatus } from './flag-source';
import { destroyUnleash, unleashReady } from './unleash-lifecycle';

export interface UnleashFlagSourceOptions {
  /** The server's client API base, e.g. http://unleash:4242/api/ */
  url: string;
  /** A backend token (sent as `Authorization`). */
  apiToken: string;
  appName: string;
  refreshMs: number;
  /** At least 1000: unleash-client's retry back-off starts at 1 s. */
  timeoutMs: number;
  /** Created if missing: unleash-client fails without it. */
  backupDir: string;
  sendMetrics: boolean;
  logger: Logger;
  observer?: FlagSourceObserver;
  /** Identifies this edge instance in Unleash's UI; defaults to unleash-client's generated one. */
  instanceId?: string;
  /** Flags older than this (no successful poll) are reported stale. */
  staleAfterMs: number;
}

/**
 * Flags from a real Unleash server, polled every `refreshMs`. The client keeps the last fetched flags
 * in `backupDir`, so after a restart while Unleash is down the edge still routes by them. Until flags
 * are known from either, `client()` is undefined and the monolith serves everything.
 */
export function createUnleashFlagSource(options: UnleashFlagSourceOptions): FlagSource {
  mkdirSync(options.backupDir, { recursive: true });
  const logger = options.logger.child({ component: 'flags', source: 'unleash' });
  let ready = false;
  let lastSuccessAt: number | undefined;
  let errors = 0;
  let lastError: string | undefined;
  let revision = 0;
  const startedAt = Date.now();
  const unleash = new Unleash({
    url: options.url,
    appName: options.appName,
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    refreshInterval: options.refreshMs,
    timeout: options.timeoutMs,
    customHeaders: { Authorization: options.apiToken },
    backupPath: options.backupDir,
    disableMetrics: !options.sendMetrics,
    skipInstanceCountWarning: true,
  });
  // First listener: unleash-client replaces (or, with delta updates, edits) its definitions and emits
  // `changed` in the same tick, so an evaluation cache keyed on the revision never serves the old flags.
  unleash.on(UnleashEvents.Changed, () => (revision += 1));
  const failed = (severity: 'error' | 'warn', problem: unknown) => {
    errors += 1;
    lastError = problem instanceof Error ? problem.message : String(problem);
    options.observer?.failed('unleash', severity);
    logger.warn({ problem: lastError, severity }, 'unleash client problem; routing continues on the last known flags');
  };
  unleash.on(UnleashEvents.Error, (error: unknown) => failed('error', error));
  unleash.on(UnleashEvents.Warn, (warning: unknown) => failed('warn', warning));
  unleash.on(UnleashEvents.Ready, () => {
    if (!ready) logger.info('flags loaded');
    ready = true;
  });
  const refreshed = () => {
    lastSuccessAt = Date.now();
    options.observer?.refreshed('unleash');
  };
  unleash.on(UnleashEvents.Changed, refreshed);
  unleash.on(UnleashEvents.Unchanged, refreshed);
  let closed = false;

  return {
    kind: 'unleash',
    client: () => (ready && !closed ? (unleash as unknown as FlagClient) : undefined),
    status: (): FlagSourceStatus => {
      const age = Date.now() - (lastSuccessAt ?? startedAt);
      return { kind: 'unleash', ready, lastSuccessAt, errors, lastError, where: options.url, stale: age > options.staleAfterMs, ageSeconds: Math.round(age / 100) / 10 };
    },
    revision: () => revision,
    whenReady: (timeoutMs) => unleashReady(unleash, () => ready, timeoutMs),
    async close() {
      if (closed) return;
      closed = true;
      destroyUnleash(unleash, (error) => logger.debug({ err: error }, 'unleash error after close ignored'));
    },
  };
}
