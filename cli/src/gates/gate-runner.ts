import type { Direction } from '@strangler/cutover-model';
import type { SyncWorker } from '../sources/sync-client';
import { describeCheck, type GateCheck } from '@strangler/cutover-model';

export interface CheckResult {
  check: string;
  ok: boolean;
  /** Not run: --force, or an earlier check failed. */
  skipped?: boolean;
  why: string;
  detail: string;
}

export interface VerifyOutcome {
  ok: boolean;
  detail: string;
}

/** Per direction: the source's change capture and what it holds that the other side has not applied. */
export type BacklogOutcome =
  | { ok: true; byDirection: Record<Direction, { installed: boolean; pending: number; oldestAgeSeconds: number | null }> }
  | { ok: false; error: string };

/** Per direction, in one line: the change it waits on and what sits in its quarantine (engine-checks.ts). */
export type BlockersOutcome = { ok: true; byDirection: Record<Direction, string> } | { ok: false; error: string };

export interface GateDeps {
  syncWorkers(): Promise<SyncWorker[]>;
  backlog(capability: string): Promise<BacklogOutcome>;
  /** Asked only when a direction lags: which row it waits on, so the refusal names it. */
  blockers?(capability: string): Promise<BlockersOutcome>;
  verify(capability: string): Promise<VerifyOutcome>;
  maxLagSeconds: number;
}

/**
 * Runs the checks a stage change needs. A sync check passes when a worker for that capability and
 * direction answers ready on SYNC_URLS and the oldest change waiting in the source's changelog is
 * younger than the bound; verify runs last, and only if the sync checks passed.
 */
export async function runChecks(capability: string, checks: readonly GateCheck[], deps: GateDeps): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const syncChecks = checks.filter((c): c is Extract<GateCheck, { kind: 'sync' }> => c.kind === 'sync');
  if (syncChecks.length) {
    const [workers, backlog] = await Promise.all([deps.syncWorkers(), deps.backlog(capability)]);
    const verdicts = syncChecks.map((check) => ({ check, ...syncVerdict(capability, check.direction, workers, backlog, deps.maxLagSeconds) }));
    const blockers = verdicts.some((v) => v.lagging) && deps.blockers ? await deps.blockers(capability) : undefined;
    for (const { check, ok, detail, lagging } of verdicts) {
      const blocked = lagging && blockers ? (blockers.ok ? `; ${blockers.byDirection[check.direction]}` : `; (what it waits on cannot be read: ${blockers.error})`) : '';
      results.push({ check: describeCheck(check), why: check.why, ok, detail: detail + blocked });
    }
  }
  for (const check of checks.filter((c) => c.kind === 'verify')) {
    if (results.some((r) => !r.ok)) {
      results.push({ check: 'verify', why: check.why, ok: false, skipped: true, detail: 'not run: the sync checks above failed' });
      continue;
    }
    results.push({ check: 'verify', why: check.why, ...(await deps.verify(capability)) });
  }
  return results;
}

function syncVerdict(capability: string, direction: Direction, workers: readonly SyncWorker[], backlog: BacklogOutcome, maxLagSeconds: number): { ok: boolean; detail: string; lagging?: boolean } {
  const running = workers.filter((w) => w.directions.some((d) => d.capability === capability && d.direction === direction));
  if (running.length === 0) {
    const seen = workers.map((w) =>
      w.reachable ? `${w.url} runs ${w.directions.map((d) => `${d.capability} ${d.direction}`).join(', ') || 'nothing yet'}` : `${w.url} unreachable`,
    );
    return { ok: false, detail: `no sync worker runs ${capability} ${direction} (SYNC_URLS: ${seen.join('; ') || 'none configured'})` };
  }
  const ready = running.find((w) => w.ready);
  if (!ready) return { ok: false, detail: running.map((w) => `worker ${w.url} is not ready (${w.readiness ?? 'no detail'})`).join('; ') };
  if (!backlog.ok) return { ok: false, detail: `cannot read the changelog backlog: ${backlog.error}` };
  const b = backlog.byDirection[direction];
  if (!b.installed) return { ok: false, detail: `change capture is not installed on the ${direction === 'to-service' ? 'monolith' : 'service'} (strangler data capture install ${capability})` };
  const age = b.oldestAgeSeconds ?? 0;
  if (age > maxLagSeconds) {
    return { ok: false, lagging: true, detail: `lagging: the oldest unapplied change is ${age.toFixed(1)} s old (bound ${maxLagSeconds} s; ${b.pending} pending; worker ${ready.url})` };
  }
  return { ok: true, detail: `worker ${ready.url} ready; backlog ${b.pending} change(s), oldest ${age.toFixed(1)} s` };
}
