import { EventEmitter } from 'node:events';
import { runDataCommand } from '@strangler/data-engine/dist/cli/data-command';
import type { Direction } from '../sources/sync-client';
import type { BacklogOutcome, VerifyOutcome } from './gate-runner';

interface VerifyJson {
  ok: boolean;
  rows?: number;
  error?: string;
  mappings?: Array<{ mapping: string; differences: number; reported?: Array<{ kind: string; key: unknown }> }>;
  /** What the data must mean (payments add up, one record per idempotency key, …), on both sides. */
  invariants?: Array<{ name: string; violations: number; samples?: Array<{ side: string; key: unknown; detail: string }> }>;
  quarantine?: { open: number };
}

interface SideCapture {
  installed: boolean;
  pending: number;
  oldestPendingAgeSeconds: number | null;
}

interface StatusJson {
  ok?: boolean;
  error?: string;
  capture?: { monolith: SideCapture; service: SideCapture };
  /** Per direction, in one line: the change it waits on and what sits in its quarantine. */
  blockers?: Record<Direction, string>;
}

/**
 * One data-engine command (`strangler data <command> <capability> --json`) in-process: the same code,
 * the same databases (MONOLITH_DATABASE_URL, AUTH_DATABASE_URL, PAYMENTS_DATABASE_URL) as the data commands.
 */
async function engineJson<T>(argv: string[], env: Record<string, string | undefined>): Promise<{ code: number; json: T | undefined; lastError: string }> {
  let out = '';
  let err = '';
  const code = await runDataCommand([...argv, '--json'], { ...env, LOG_LEVEL: 'error' }, {
    out: (text) => (out += text),
    err: (text) => (err += text),
    interactive: false,
    process: new EventEmitter() as unknown as NodeJS.Process,
  });
  let json: T | undefined;
  try {
    json = JSON.parse(out) as T;
  } catch {
    json = undefined;
  }
  const lastError = (err.trim().split('\n').filter(Boolean).at(-1) ?? `exit ${code}`).replace(/^data: /, '');
  return { code, json, lastError };
}

export async function verifyWithEngine(capability: string, env: Record<string, string | undefined>): Promise<VerifyOutcome> {
  const { code, json: report, lastError } = await engineJson<VerifyJson>(['verify', capability], env);
  if (code === 0 && report?.ok) return { ok: true, detail: `both sides equal (${(report.rows ?? 0).toLocaleString('en-US')} rows)` };
  if (report?.mappings) {
    const differing = report.mappings
      .filter((m) => m.differences > 0)
      .map((m) => `${m.mapping}: ${m.differences}${m.reported?.[0] ? ` (first: ${m.reported[0].kind} ${JSON.stringify(m.reported[0].key)})` : ''}`);
    const broken = (report.invariants ?? [])
      .filter((i) => i.violations > 0)
      .map((i) => `invariant ${i.name} broken ${i.violations} time(s)${i.samples?.[0] ? ` (first: ${i.samples[0].side} ${JSON.stringify(i.samples[0].key)}: ${i.samples[0].detail})` : ''}`);
    const quarantined = report.quarantine?.open ? [`${report.quarantine.open} row(s) quarantined (strangler data quarantine list ${capability})`] : [];
    return { ok: false, detail: `the sides differ — ${[...differing, ...broken, ...quarantined].join('; ')} (strangler data verify ${capability} for the report)` };
  }
  return { ok: false, detail: `verify could not run: ${report?.error ?? lastError}` };
}

/**
 * What holds each direction back, in one line a gate or status can print: the change it waits on
 * (mapping, key, age) and the rows set aside in its quarantine (for the lag gate's "which row").
 */
export async function blockersWithEngine(capability: string, env: Record<string, string | undefined>): Promise<{ ok: true; byDirection: Record<Direction, string> } | { ok: false; error: string }> {
  const { code, json, lastError } = await engineJson<StatusJson>(['status', capability], env);
  if (code !== 0 || !json?.blockers) return { ok: false, error: json?.error ?? lastError };
  return { ok: true, byDirection: json.blockers };
}

/**
 * The captured changes not yet applied, per direction, read from the changelogs themselves: a
 * worker's own lag gauge goes stale while it is paused or stuck, the changelog does not.
 */
export async function backlogWithEngine(capability: string, env: Record<string, string | undefined>): Promise<BacklogOutcome> {
  const { code, json, lastError } = await engineJson<StatusJson>(['status', capability], env);
  if (code !== 0 || !json?.capture) return { ok: false, error: json?.error ?? lastError };
  const of = (side: SideCapture) => ({ installed: side.installed, pending: side.pending, oldestAgeSeconds: side.oldestPendingAgeSeconds });
  const byDirection: Record<Direction, ReturnType<typeof of>> = { 'to-service': of(json.capture.monolith), 'to-monolith': of(json.capture.service) };
  return { ok: true, byDirection };
}
