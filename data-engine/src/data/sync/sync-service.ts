import { hostname } from 'node:os';
import { createHttpApp, createHttpMetrics, listen, type Database, type Logger, type ReadinessCheck, type RunningServer } from '@strangler/kit';
import { createEngineDatabase } from '../connections';
import type { Capability } from '../capabilities/capability';
import { captureState } from '../capture/capture-installer';
import { FlowControl } from '../flow-control';
import { sourceOf, targetOf, type Direction, type SideName } from '../types';
import { createSyncMetrics } from './sync-metrics';
import { SyncWorker } from './sync-worker';

export interface SyncServiceOptions {
  capability: Capability;
  directions: readonly Direction[];
  urls: Record<SideName, string>;
  port: number;
  host?: string;
  /** @deprecated ignored: conflicts are no longer decided by a side (docs/decisions/0022). */
  authority?: SideName;
  batchSize?: number;
  pollMs?: number;
  maxRowsPerSecond?: number;
  pauseFile?: string;
  /** Pause, resume and throttle (default: one from maxRowsPerSecond and pauseFile). */
  control?: FlowControl;
  /** Not ready once a worker has made no progress for this long (default 30 s). */
  stallMs?: number;
  quarantineRetryMs?: number;
  logger: Logger;
}

export interface RunningSyncService {
  url: string;
  port: number;
  workers: SyncWorker[];
  control: FlowControl;
  /** Lets each worker finish its batch, then closes HTTP and the databases. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * The sync as a long-lived process: one worker per direction, each with its own connections (two
 * SQLite workers must not wait on each other's single connection), plus /health/live,
 * /health/ready (every database answers, capture is installed on every source, every worker is
 * making progress) and /metrics.
 */
export async function startSyncService(options: SyncServiceOptions): Promise<RunningSyncService> {
  const control = options.control ?? new FlowControl({ maxRowsPerSecond: options.maxRowsPerSecond, pauseFile: options.pauseFile });
  const metrics = createHttpMetrics({ service: 'data-sync' });
  const syncMetrics = createSyncMetrics(metrics.registry);
  const databases: Database[] = [];
  const workers: SyncWorker[] = [];
  const readiness: ReadinessCheck[] = [];
  for (const direction of options.directions) {
    const source = createEngineDatabase(options.urls[sourceOf(direction)], { poolMax: 4, logger: options.logger });
    const target = createEngineDatabase(options.urls[targetOf(direction)], { poolMax: 4, logger: options.logger });
    databases.push(source, target);
    const worker = new SyncWorker({
      capability: options.capability,
      direction,
      source: source.knex,
      target: target.knex,
      batchSize: options.batchSize,
      pollMs: options.pollMs,
      stallMs: options.stallMs,
      quarantineRetryMs: options.quarantineRetryMs,
      logger: options.logger.child({ component: 'sync', direction }),
      metrics: syncMetrics,
      control,
      // A fixed port names this process's place: its own restart takes the lease back at once.
      lease: options.port ? { slot: `${hostname()}:${options.port}` } : {},
    });
    workers.push(worker);
    readiness.push(
      { name: `${direction}:source`, check: source.readiness.check },
      { name: `${direction}:target`, check: target.readiness.check },
      {
        name: `${direction}:capture`,
        check: async () => {
          const state = await captureState(source.knex, options.capability, sourceOf(direction));
          if (!state.installed) throw new Error(`change capture is not installed on the ${sourceOf(direction)} database`);
        },
      },
      // A worker that cannot get anywhere (its polls or batches failing, or paused) is not ready.
      { name: `${direction}:progress`, check: async () => worker.progress.check() },
    );
  }
  const closeDatabases = () => Promise.all(databases.map((db) => db.close())).then(() => undefined);
  let server: RunningServer;
  try {
    for (const worker of workers) await worker.start();
    const { app } = createHttpApp({ service: 'data-sync', logger: options.logger, readiness, routes: [], metrics });
    server = await listen(app, options.port, options.host ?? '0.0.0.0');
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.stop()));
    await closeDatabases();
    throw error;
  }
  const loops = workers.map((worker) => worker.run());
  return {
    url: server.url,
    port: server.port,
    workers,
    control,
    async stop(timeoutMs = 10_000) {
      control.stop();
      await Promise.all(loops);
      await Promise.all(workers.map((worker) => worker.stop())); // gives up each lease
      await server.close(timeoutMs);
      await closeDatabases();
    },
  };
}
