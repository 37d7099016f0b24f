import { describeEngineError, loadDataConfig, openEngine, type DataEngine, type VerifyReport } from '@strangler/data-engine';
import type { BacklogOutcome, BlockersOutcome, VerifyOutcome } from './gate-runner';

/**
 * The data engine's library, for one gate question: the same code and the same databases
 * (MONOLITH_DATABASE_URL, AUTH_DATABASE_URL, PAYMENTS_DATABASE_URL) as `strangler data`, opened for the
 * question and closed after. A failure (bad configuration, a database unreachable or unmigrated, an
 * unknown capability) is its one sentence.
 */
async function withEngine<T>(env: Record<string, string | undefined>, ask: (engine: DataEngine) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  let engine: DataEngine | undefined;
  try {
    engine = openEngine(loadDataConfig(env));
    return { ok: true, value: await ask(engine) };
  } catch (error) {
    return { ok: false, error: describeEngineError(error) };
  } finally {
    await engine?.close();
  }
}

export async function verifyWithEngine(capability: string, env: Record<string, string | undefined>): Promise<VerifyOutcome> {
  const outcome = await withEngine(env, (engine) => engine.verify(capability));
  if (!outcome.ok) return { ok: false, detail: `verify could not run: ${outcome.error}` };
  const report = outcome.value;
  if (report.ok) return { ok: true, detail: `both sides equal (${report.rows.toLocaleString('en-US')} rows)` };
  return { ok: false, detail: `the sides differ — ${describeDrift(capability, report).join('; ')} (strangler data verify ${capability} for the report)` };
}

/** Each differing mapping, broken invariant and open quarantine of a failed verify, with its first example. */
function describeDrift(capability: string, report: VerifyReport): string[] {
  const differing = report.mappings
    .filter((m) => m.differences > 0)
    .map((m) => `${m.mapping}: ${m.differences}${m.reported[0] ? ` (first: ${m.reported[0].kind} ${JSON.stringify(m.reported[0].key)})` : ''}`);
  const broken = report.invariants
    .filter((i) => i.violations > 0)
    .map((i) => `invariant ${i.name} broken ${i.violations} time(s)${i.samples[0] ? ` (first: ${i.samples[0].side} ${JSON.stringify(i.samples[0].key)}: ${i.samples[0].detail})` : ''}`);
  const quarantined = report.quarantine.open ? [`${report.quarantine.open} row(s) quarantined (strangler data quarantine list ${capability})`] : [];
  return [...differing, ...broken, ...quarantined];
}

/**
 * What holds each direction back, in one line a gate or status can print: the change it waits on
 * (mapping, key, age) and the rows set aside in its quarantine (for the lag gate's "which row").
 */
export async function blockersWithEngine(capability: string, env: Record<string, string | undefined>): Promise<BlockersOutcome> {
  const outcome = await withEngine(env, (engine) => engine.status(capability));
  return outcome.ok ? { ok: true, byDirection: outcome.value.blockers } : outcome;
}

/**
 * The captured changes not yet applied, per direction, read from the changelogs themselves: a
 * worker's own lag gauge goes stale while it is paused or stuck, the changelog does not.
 */
export async function backlogWithEngine(capability: string, env: Record<string, string | undefined>): Promise<BacklogOutcome> {
  const outcome = await withEngine(env, (engine) => engine.backlog(capability));
  return outcome.ok ? { ok: true, byDirection: outcome.value } : outcome;
}
