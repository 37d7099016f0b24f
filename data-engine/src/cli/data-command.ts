import { ConfigError, createLogger, describeDatabaseUrl, onShutdownSignal, type Database, type Logger } from '@strangler/kit';
import { runBackfill } from '../data/backfill/backfill';
import type { ConfiguredCapability as Capability } from '../data/capabilities';
import { captureRemovedAt, captureState, installCapture, pendingChanges, removeCapture, PendingChangesError } from '../data/capture/capture-installer';
import { DataCommandError } from '../data/command-error';
import { openDatabase, requireSchema } from '../data/connections';
import { deleteCheckpoints } from '../data/engine-tables';
import { EntityError } from '../data/errors/entity-errors';
import { describeEngineError } from '../engine/engine-error';
import { listQuarantine, retryAllNow } from '../data/quarantine/quarantine-store';
import { resolveEntity } from '../data/quarantine/resolve-entity';
import { FlowControl } from '../data/flow-control';
import { LogProgress, TtyProgress, type ProgressReporter } from '../data/progress/progress-reporter';
import { capabilityStatus, describeBlockers } from '../data/status';
import { startSyncService } from '../data/sync/sync-service';
import { SyncWorker, syncCheckpointName } from '../data/sync/sync-worker';
import { runVerify } from '../data/verify/verify';
import { directionFrom, otherSide, sourceOf, targetOf, type SideName } from '../data/types';
import { dataUsage, parseDataArgs, type DataCommand } from './data-args';
import { loadDataConfig, type DataConfig } from './data-config';
import { formatBackfill, formatQuarantine, formatStatus, formatVerify } from './data-output';

export interface DataIo {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal: draw a progress bar. */
  interactive: boolean;
  /** Where signals are wired (the real process; tests may pass a stand-in). */
  process: Pick<NodeJS.Process, 'on' | 'off'>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, drift: 3, stopped: 130 } as const;

type Sides = Record<SideName, Database>;

/** Runs one `npm run data` invocation; resolves to the exit code (a long-running sync resolves when it stops). */
export async function runDataCommand(argv: readonly string[], env: Record<string, string | undefined>, io: DataIo): Promise<number> {
  let config: DataConfig;
  try {
    config = loadDataConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return fail(io, argv.includes('--json'), error.message);
    throw error;
  }
  const args = parseDataArgs(argv, config.capabilities);
  if (args.kind === 'help') {
    io.out(`${dataUsage(config.capabilities)}\n`);
    return EXIT.ok;
  }
  if (args.kind === 'error') {
    io.err(`data: ${args.message}\n(npm run data -- --help for usage)\n`);
    return EXIT.usage;
  }
  const run = args.run;
  const oneShotOnTerminal = io.interactive && !run.json && run.command !== 'sync';
  const logger = createLogger({ name: 'data', level: config.LOG_LEVEL ?? (oneShotOnTerminal ? 'warn' : 'info'), destination: { write: (line: string) => io.err(line) } });
  const opened: Database[] = [];
  const open = async (capability: Capability, side: SideName, options: { schema?: boolean } = {}): Promise<Database> => {
    const label = side === 'monolith' ? 'monolith' : `${capability.name} service`;
    const db = await openDatabase(label, capability.databases[side], { logger });
    opened.push(db);
    if (options.schema ?? true) await requireSchema(db.knex, capability, side, label);
    return db;
  };
  const openBoth = async (capability: Capability): Promise<Sides> => ({ monolith: await open(capability, 'monolith'), service: await open(capability, 'service') });
  // Pause and resume are wired before anything slow (opening databases): a SIGUSR1 that arrived
  // before its handler would open Node's inspector instead of pausing.
  const control =
    run.command === 'backfill' || run.command === 'sync' ? new FlowControl({ maxRowsPerSecond: run.maxRowsPerSecond, pauseFile: run.pauseFile }) : undefined;
  const unwire = control ? wireSignals(io, control, logger, { stop: run.command === 'backfill' }) : () => undefined;

  try {
    switch (run.command) {
      case 'capture':
        return await capture(run, openBoth, io);
      case 'backfill':
        return await backfill(run, await openBoth(run.capability), io, logger, control as FlowControl);
      case 'verify': {
        const sides = await openBoth(run.capability);
        const report = await runVerify({
          capability: run.capability,
          monolith: sides.monolith.knex,
          service: sides.service.knex,
          mappings: run.mappings,
          chunkSize: run.chunkSize,
          rechecks: run.rechecks,
          recheckDelayMs: run.recheckDelayMs,
          maxReported: run.maxReport,
          progress: progressFor(io, run.json, logger),
        });
        io.out(run.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatVerify(report)}\n`);
        return report.ok ? EXIT.ok : EXIT.drift;
      }
      case 'status': {
        const sides = await openBoth(run.capability);
        const status = await capabilityStatus(run.capability, sides.monolith.knex, sides.service.knex);
        const blockers = { 'to-service': describeBlockers(status, 'to-service'), 'to-monolith': describeBlockers(status, 'to-monolith') };
        io.out(run.json ? `${JSON.stringify({ ...status, blockers }, null, 2)}\n` : `${formatStatus(status)}\n`);
        return EXIT.ok;
      }
      case 'quarantine':
        return await quarantine(run, await openBoth(run.capability), io);
      case 'sync': {
        const sides = await openBoth(run.capability);
        for (const source of run.directions.map(sourceOf)) {
          if (!(await captureState(sides[source].knex, run.capability, source)).installed) {
            throw new DataCommandError(`change capture for ${run.capability.name} is not installed on the ${source}: npm run data -- capture install ${run.capability.name}`);
          }
        }
        if (run.once) return await syncOnce(run, sides, io, logger, control as FlowControl);
        // The service opens its own connections per worker; those above only proved the databases answer.
        await Promise.all(opened.splice(0).map((db) => db.close()));
        return await syncService(run, config, logger, control as FlowControl);
      }
    }
  } catch (error) {
    if (error instanceof DataCommandError) return fail(io, run.json, error.message, error.exitCode);
    if (error instanceof PendingChangesError) return fail(io, run.json, `${error.message} (nothing was removed)`);
    if (error instanceof EntityError) return fail(io, run.json, describeEngineError(error));
    logger.error({ err: error }, 'data command failed');
    return fail(io, run.json, (error as Error).message ?? String(error));
  } finally {
    unwire();
    await Promise.all(opened.map((db) => db.close().catch(() => undefined)));
  }
}

function fail(io: DataIo, json: boolean, message: string, code: number = EXIT.failed): number {
  io.err(`data: ${message}\n`);
  if (json) io.out(`${JSON.stringify({ ok: false, error: message })}\n`);
  return code;
}

function progressFor(io: DataIo, json: boolean, logger: Logger): ProgressReporter {
  return io.interactive && !json ? new TtyProgress(process.stderr) : new LogProgress(logger);
}

/** SIGUSR1/SIGUSR2 pause and resume; SIGINT/SIGTERM stop after the current chunk. Returns an unwire. */
function wireSignals(io: DataIo, control: FlowControl, logger: Logger, options: { stop: boolean }): () => void {
  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ['SIGUSR1', () => { control.pause(); logger.warn('paused (SIGUSR2 resumes)'); }],
    ['SIGUSR2', () => { control.resume(); logger.warn('resuming'); }],
  ];
  if (options.stop) {
    const stop = () => {
      if (control.stopping) return;
      logger.warn('stopping after the current chunk (its checkpoint is kept); run the same command to resume');
      control.stop();
    };
    handlers.push(['SIGINT', stop], ['SIGTERM', stop]);
  }
  for (const [signal, handler] of handlers) io.process.on(signal, handler);
  return () => {
    for (const [signal, handler] of handlers) io.process.off(signal, handler);
  };
}

async function capture(run: Extract<DataCommand, { command: 'capture' }>, openBoth: (c: Capability) => Promise<Sides>, io: DataIo): Promise<number> {
  const sides = await openBoth(run.capability);
  const results: Array<Record<string, unknown>> = [];
  if (run.action === 'install') {
    const removed = run.unlessRemoved ? await removedOn(sides, run.sides, run.capability) : undefined;
    if (removed) {
      const message = `${run.capability.name}: capture was removed from the ${removed.side} on ${removed.at} (capture remove); left off — run capture install ${run.capability.name} to bring it back`;
      io.out(run.json ? `${JSON.stringify({ ok: true, capability: run.capability.name, results: [{ side: removed.side, action: 'kept-removed', removedAt: removed.at }] }, null, 2)}\n` : `${message}\n`);
      return EXIT.ok;
    }
    for (const side of run.sides) {
      const installed = await installCapture(sides[side].knex, run.capability, side);
      results.push({ side, action: 'installed', changelog: installed.changelog, triggers: installed.triggers.length, created: installed.created, replaced: installed.replaced });
      const changed = installed.created.length || installed.replaced.length ? `${installed.created.length} created, ${installed.replaced.length} older replaced` : 'already current, nothing changed';
      if (!run.json) io.out(`${run.capability.name}: capture installed on the ${side} (${installed.changelog}, ${installed.triggers.length} triggers: ${changed})\n`);
    }
  } else {
    // All or nothing: every side is checked before any is touched.
    if (!run.force) {
      for (const side of run.sides) {
        const pending = await pendingChanges(sides[side].knex, run.capability);
        if (pending > 0) throw new PendingChangesError(pending, side);
      }
    }
    let left = 0;
    for (const side of run.sides) {
      const removed = await removeCapture(sides[side].knex, run.capability, { force: run.force });
      left += removed.left;
      // The worker reading this changelog starts from scratch if capture comes back.
      if (removed.left === 0) await deleteCheckpoints(sides[otherSide(side)].knex, syncCheckpointName(run.capability.name, directionFrom(side)));
      results.push({ side, action: 'removed', triggers: removed.triggers.length, droppedChanges: removed.droppedChanges, changesLeft: removed.left });
      if (!run.json) {
        io.out(
          removed.left
            ? `${run.capability.name}: triggers removed from the ${side}, but ${removed.left} change(s) captured meanwhile are still in its changelog: run the sync until idle, then capture remove again\n`
            : `${run.capability.name}: capture removed from the ${side} (${removed.triggers.length} triggers${removed.droppedChanges ? `, ${removed.droppedChanges} unsynced changes dropped` : ''})\n`,
        );
      }
    }
    if (left > 0) {
      if (run.json) io.out(`${JSON.stringify({ ok: false, capability: run.capability.name, results }, null, 2)}\n`);
      return EXIT.failed;
    }
  }
  if (run.json) io.out(`${JSON.stringify({ ok: true, capability: run.capability.name, results }, null, 2)}\n`);
  return EXIT.ok;
}

async function removedOn(sides: Sides, which: readonly SideName[], capability: Capability): Promise<{ side: SideName; at: string } | undefined> {
  for (const side of which) {
    const at = await captureRemovedAt(sides[side].knex, capability);
    if (at) return { side, at };
  }
  return undefined;
}

async function quarantine(run: Extract<DataCommand, { command: 'quarantine' }>, sides: Sides, io: DataIo): Promise<number> {
  const capability = run.capability;
  if (run.action === 'list') {
    const items = [];
    for (const direction of run.directions) {
      const all = await listQuarantine(sides[targetOf(direction)].knex, capability.name, { open: !run.all });
      items.push(...all.filter((item) => item.direction === direction));
    }
    const shown = items.slice(0, run.limit);
    io.out(run.json ? `${JSON.stringify({ ok: true, capability: capability.name, total: items.length, items: shown }, null, 2)}\n` : `${formatQuarantine(capability.name, shown, items.length, run.all)}\n`);
    return EXIT.ok;
  }
  if (run.action === 'retry') {
    const made = (await retryAllNow(sides.monolith.knex, capability.name)) + (await retryAllNow(sides.service.knex, capability.name));
    io.out(run.json ? `${JSON.stringify({ ok: true, capability: capability.name, retried: made })}\n` : `${capability.name}: ${made} quarantined row(s) will be tried again on the sync workers' next poll\n`);
    return EXIT.ok;
  }
  const mapping = capability.mappings.find((m) => m.name === run.mapping);
  if (!mapping) throw new DataCommandError(`${capability.name} has no mapping ${run.mapping}`, EXIT.usage);
  const result = await resolveEntity(capability, mapping, run.key, run.keep, { monolith: sides.monolith.knex, service: sides.service.knex });
  io.out(
    run.json
      ? `${JSON.stringify({ ok: true, ...result }, null, 2)}\n`
      : `${capability.name}/${result.mapping} ${JSON.stringify(result.key)}: kept the ${result.kept}'s version (${result.outcome} on the ${otherSide(result.kept)}), ${result.closed} quarantine entr${result.closed === 1 ? 'y' : 'ies'} closed\n`,
  );
  return EXIT.ok;
}

async function backfill(run: Extract<DataCommand, { command: 'backfill' }>, sides: Sides, io: DataIo, logger: Logger, control: FlowControl): Promise<number> {
  const source = sourceOf(run.direction);
  if (!run.dryRun && !(await captureState(sides[source].knex, run.capability, source)).installed) {
    logger.warn(
      { capability: run.capability.name, side: source },
      `change capture is not installed on the ${source}: rows written there during the backfill will not reach the ${targetOf(run.direction)} (npm run data -- capture install ${run.capability.name})`,
    );
  }
  const report = await runBackfill({
      capability: run.capability,
      direction: run.direction,
      source: sides[source].knex,
      target: sides[targetOf(run.direction)].knex,
      mappings: run.mappings,
      dryRun: run.dryRun,
      restart: run.restart,
      initialChunkSize: run.chunkSize,
      targetChunkMs: run.targetChunkMs,
      quarantine: run.quarantine,
      control,
      progress: progressFor(io, run.json, logger),
      logger,
    });
  io.out(run.json ? `${JSON.stringify({ ok: !report.stopped, ...report }, null, 2)}\n` : `${formatBackfill(report)}\n`);
  return report.stopped ? EXIT.stopped : EXIT.ok;
}

async function syncOnce(run: Extract<DataCommand, { command: 'sync' }>, sides: Sides, io: DataIo, logger: Logger, control: FlowControl): Promise<number> {
  const results = [];
  for (const direction of run.directions) {
    const worker = new SyncWorker({
      capability: run.capability,
      direction,
      source: sides[sourceOf(direction)].knex,
      target: sides[targetOf(direction)].knex,
      batchSize: run.batchSize,
      control,
      logger,
    });
    await worker.start();
    let consumed: number;
    try {
      consumed = await worker.drain();
    } finally {
      await worker.release();
    }
    results.push({ direction, changes: consumed, totals: worker.applied });
    if (!run.json) io.out(`sync ${run.capability.name} ${direction}: ${consumed.toLocaleString('en-US')} captured change(s) applied\n`);
  }
  if (run.json) io.out(`${JSON.stringify({ ok: true, capability: run.capability.name, results }, null, 2)}\n`);
  return EXIT.ok;
}

async function syncService(run: Extract<DataCommand, { command: 'sync' }>, config: DataConfig, logger: Logger, control: FlowControl): Promise<number> {
  const urls = { ...run.capability.databases };
  const service = await startSyncService({
    capability: run.capability,
    directions: run.directions,
    urls,
    port: run.port ?? config.DATA_SYNC_PORT,
    batchSize: run.batchSize,
    ...(run.stallSeconds ? { stallMs: run.stallSeconds * 1000 } : {}),
    pollMs: run.pollMs,
    maxRowsPerSecond: run.maxRowsPerSecond,
    control,
    logger,
  });
  logger.info(
    { capability: run.capability.name, directions: run.directions, monolith: describeDatabaseUrl(urls.monolith), service: describeDatabaseUrl(urls.service), url: service.url },
    `sync listening on ${service.url} (/health/live, /health/ready, /metrics)`,
  );
  return new Promise<number>((resolve) => {
    onShutdownSignal(logger, [{ name: 'sync', run: () => service.stop(config.SHUTDOWN_TIMEOUT_MS).then(() => resolve(EXIT.ok)) }], config.SHUTDOWN_TIMEOUT_MS);
  });
}
