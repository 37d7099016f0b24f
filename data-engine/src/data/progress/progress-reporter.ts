import type { Logger } from '@strangler/kit';
import { RateMeter } from './rate-meter';

export interface ProgressState {
  task: string;
  done: number;
  total: number;
  chunkSize?: number;
  paused?: boolean;
}

/** Where long-running work reports progress: a bar on a terminal, structured log lines otherwise. */
export interface ProgressReporter {
  update(state: ProgressState): void;
  finish(state: ProgressState, summary: string): void;
}

export const silentProgress: ProgressReporter = { update: () => undefined, finish: () => undefined };

const formatCount = (n: number) => Math.round(n).toLocaleString('en-US');

function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One redrawn line on a TTY: `payments [#######-------] 52% 520,000/1,000,000 41,230 rows/s ETA 12s`. */
export class TtyProgress implements ProgressReporter {
  private readonly meters = new Map<string, RateMeter>();
  private lastDraw = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(state: ProgressState): void {
    const meter = this.meter(state.task);
    meter.record(state.done);
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 24;
    const ratio = state.total > 0 ? Math.min(1, state.done / state.total) : 0;
    const filled = Math.round(ratio * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const rate = meter.rowsPerSecond;
    const eta = formatDuration(meter.etaSeconds(Math.max(0, state.total - state.done)));
    const tail = state.paused ? 'PAUSED' : `${formatCount(rate)} rows/s ETA ${eta}`;
    this.stream.write(`\r\x1b[K${state.task} [${bar}] ${String(Math.round(ratio * 100)).padStart(3)}% ${formatCount(state.done)}/${formatCount(state.total)} ${tail}`);
  }

  finish(state: ProgressState, summary: string): void {
    this.stream.write(`\r\x1b[K${state.task}: ${summary}\n`);
    this.meters.delete(state.task);
  }

  private meter(task: string): RateMeter {
    let meter = this.meters.get(task);
    if (!meter) this.meters.set(task, (meter = new RateMeter()));
    return meter;
  }
}

/** A structured log line per interval, for logs collected off a terminal. */
export class LogProgress implements ProgressReporter {
  private readonly meters = new Map<string, RateMeter>();
  private readonly lastLog = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 5_000,
  ) {}

  update(state: ProgressState): void {
    let meter = this.meters.get(state.task);
    if (!meter) this.meters.set(state.task, (meter = new RateMeter()));
    meter.record(state.done);
    const now = Date.now();
    if (now - (this.lastLog.get(state.task) ?? 0) < this.intervalMs) return;
    this.lastLog.set(state.task, now);
    const eta = meter.etaSeconds(Math.max(0, state.total - state.done));
    this.logger.info(
      {
        task: state.task,
        done: state.done,
        total: state.total,
        percent: state.total > 0 ? Math.round((state.done / state.total) * 1000) / 10 : null,
        rowsPerSecond: Math.round(meter.rowsPerSecond),
        etaSeconds: eta === null ? null : Math.round(eta),
        chunkSize: state.chunkSize,
        paused: state.paused ?? false,
      },
      'progress',
    );
  }

  finish(state: ProgressState, summary: string): void {
    this.logger.info({ task: state.task, done: state.done, total: state.total }, summary);
    this.meters.delete(state.task);
    this.lastLog.delete(state.task);
  }
}
