import { CliError } from '../cli-error';
import { httpCall, type HttpOptions } from './http-json';
import { parsePrometheusText, select, sum } from './prometheus-text';

import type { Direction } from '@strangler/cutover-model';


/** One direction a sync worker runs, from its /metrics. */
export interface SyncDirection {
  capability: string;
  direction: Direction;
  /** Age of the oldest captured change not yet applied (0 when caught up). */
  lagSeconds: number;
  pending: number;
  changesApplied: number;
  errors: number;
}

export interface SyncWorker {
  url: string;
  reachable: boolean;
  /** /health/ready answered 200 (its databases answer and capture is installed on its sources). */
  ready: boolean;
  readiness?: string;
  error?: string;
  directions: SyncDirection[];
}

/** Reads one sync worker (`strangler data sync`): /metrics says which capability and directions it runs. */
export async function readSyncWorker(url: string, http: HttpOptions): Promise<SyncWorker> {
  try {
    const [metrics, ready] = await Promise.all([
      httpCall(http, 'a sync worker', `${url}/metrics`),
      httpCall(http, 'a sync worker', `${url}/health/ready`),
    ]);
    if (metrics.status !== 200) throw new CliError(`${url}/metrics answered ${metrics.status}`);
    const samples = parsePrometheusText(metrics.text);
    const directions = select(samples, 'data_sync_lag_seconds').map((lag): SyncDirection => {
      const labels = { capability: lag.labels.capability ?? '', direction: lag.labels.direction ?? '' };
      return {
        capability: labels.capability,
        direction: labels.direction as Direction,
        lagSeconds: lag.value,
        pending: sum(select(samples, 'data_sync_pending_changes', labels)),
        changesApplied: sum(select(samples, 'data_sync_changes_total', labels)),
        errors: sum(select(samples, 'data_sync_errors_total', labels)),
      };
    });
    return {
      url,
      reachable: true,
      ready: ready.status === 200,
      ...(ready.status === 200 ? {} : { readiness: summariseReadiness(ready.text) }),
      directions,
    };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { url, reachable: false, ready: false, error: error.message, directions: [] };
  }
}

export function readSyncWorkers(urls: readonly string[], http: HttpOptions): Promise<SyncWorker[]> {
  return Promise.all(urls.map((url) => readSyncWorker(url, http)));
}

/** kit's readiness answer lists failing checks; keep it to one line. */
function summariseReadiness(text: string): string {
  try {
    const body = JSON.parse(text) as { checks?: Record<string, { status?: string; error?: string } | string> };
    if (body.checks) {
      const failing = Object.entries(body.checks)
        .filter(([, v]) => (typeof v === 'string' ? v !== 'ok' : v.status !== 'ok'))
        .map(([name, v]) => `${name}: ${typeof v === 'string' ? v : (v.error ?? v.status)}`);
      if (failing.length) return failing.join('; ');
    }
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 200);
}
