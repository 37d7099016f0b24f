import { findCapability, readCapabilities, type CapabilityRef } from '../capabilities';
import { CliError, usageError } from '../cli-error';
import type { CliConfig } from '../config';
import { EXIT } from '../exit-codes';
import type { DesiredFlag, FlagState, Stage } from '../flags/flag-state';
import type { FlagStore } from '../flags/flag-store';
import { FlagsFileStore } from '../flags/flags-file-store';
import { UnleashAdminStore } from '../flags/unleash-admin-store';
import { runChecks, type BacklogOutcome, type CheckResult, type VerifyOutcome } from '../gates/gate-runner';
import { describeCheck, requiredChecks } from '../gates/stage-gates';
import { EdgeClient } from '../sources/edge-client';
import type { HttpOptions } from '../sources/http-json';
import { readSyncWorkers } from '../sources/sync-client';

export interface FlipRequest {
  capability: string | undefined;
  stage: Stage;
  /** Undefined: keep the flag's percentage (100 for complete). */
  percent: number | undefined;
  force: boolean;
  maxLagSeconds: number | undefined;
  waitSeconds: number;
  json: boolean;
  /** `rollback` rather than `flip --stage monolith` (only the wording differs). */
  rollback: boolean;
}

export interface FlipDeps {
  config: CliConfig;
  http: HttpOptions;
  out(text: string): void;
  verify(capability: string): Promise<VerifyOutcome>;
  backlog(capability: string): Promise<BacklogOutcome>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface FlipResult {
  ok: boolean;
  capability: string;
  flag: string;
  store: { kind: FlagStore['kind']; where: string };
  from: DesiredFlag & { enabled: boolean; exists: boolean };
  to: DesiredFlag;
  changed: boolean;
  refused: boolean;
  forced: boolean;
  checks: CheckResult[];
  edge: { confirmed: boolean; afterMs?: number; problem?: string } | null;
}

export function flagStoreFor(config: CliConfig, http: HttpOptions): FlagStore {
  if (config.unleashBaseUrl) {
    if (!config.UNLEASH_ADMIN_TOKEN) throw usageError('UNLEASH_URL is set but UNLEASH_ADMIN_TOKEN is not: flips through Unleash need an admin token');
    return new UnleashAdminStore({
      baseUrl: config.unleashBaseUrl,
      adminToken: config.UNLEASH_ADMIN_TOKEN,
      project: config.UNLEASH_PROJECT,
      environment: config.UNLEASH_ENVIRONMENT,
      http,
    });
  }
  return new FlagsFileStore(config.FLAGS_FILE);
}

const label = (s: DesiredFlag) => (s.stage === 'monolith' || s.stage === 'complete' ? s.stage : `${s.stage} ${s.percentage}%`);

export async function flip(request: FlipRequest, deps: FlipDeps): Promise<number> {
  const capability = findCapability(readCapabilities(deps.config.ROUTES_FILE), request.capability);
  const store = flagStoreFor(deps.config, deps.http);
  const current = await store.read(capability);
  const desired: DesiredFlag = { stage: request.stage, percentage: request.percent ?? (request.stage === 'complete' ? 100 : current.percentage) };
  if (request.percent === undefined && desired.percentage === 0 && (desired.stage === 'shadow' || desired.stage === 'reads' || desired.stage === 'live')) {
    throw usageError(`${capability.flag} is at 0%: give --percent for ${desired.stage} (nobody would move)`);
  }
  const result: FlipResult = {
    ok: true,
    capability: capability.name,
    flag: capability.flag,
    store: { kind: store.kind, where: store.where },
    from: { stage: current.stage, percentage: current.percentage, enabled: current.enabled, exists: current.exists },
    to: desired,
    changed: false,
    refused: false,
    forced: request.force,
    checks: [],
    edge: null,
  };
  if (current.stage === desired.stage && current.percentage === desired.percentage) return report(result, request, deps);

  const checks = requiredChecks(current, desired);
  if (request.force) {
    result.checks = checks.map((c) => ({ check: describeCheck(c), why: c.why, ok: false, skipped: true, detail: 'skipped (--force)' }));
  } else {
    result.checks = await runChecks(capability.name, checks, {
      syncWorkers: () => readSyncWorkers(deps.config.syncUrls, deps.http),
      verify: (name) => deps.verify(name),
      backlog: (name) => deps.backlog(name),
      maxLagSeconds: request.maxLagSeconds ?? deps.config.STRANGLER_MAX_SYNC_LAG_SECONDS,
    });
    if (result.checks.some((c) => !c.ok)) {
      result.ok = false;
      result.refused = true;
      return report(result, request, deps);
    }
  }
  await store.write(capability, desired);
  result.changed = true;
  if (request.waitSeconds > 0) {
    result.edge = await waitForEdge(capability, desired, request.waitSeconds, deps);
    // Written, but the edge cannot be seen routing by it: the operator must look (exit 1).
    if (!result.edge.confirmed) result.ok = false;
  }
  return report(result, request, deps);
}

/** Polls the edge until it routes by the new flag (Unleash: its next poll; the file: its watcher). */
async function waitForEdge(capability: CapabilityRef, desired: DesiredFlag, waitSeconds: number, deps: FlipDeps): Promise<NonNullable<FlipResult['edge']>> {
  const edge = new EdgeClient(deps.config.EDGE_URL.replace(/\/+$/, ''), deps.config.EDGE_ADMIN_TOKEN, deps.http);
  const started = deps.now();
  let problem = 'the edge did not report the change';
  while (deps.now() - started < waitSeconds * 1000) {
    try {
      const seen = (await edge.capabilities()).capabilities.find((c) => c.capability === capability.name);
      if (!seen) problem = `the edge does not route ${capability.name}`;
      else if (seen.stage === desired.stage && seen.percentage === desired.percentage) return { confirmed: true, afterMs: deps.now() - started };
      else problem = `the edge still reports ${seen.stage} ${seen.percentage}%`;
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      problem = error.message;
    }
    await deps.sleep(200);
  }
  return { confirmed: false, problem: `${problem} after ${waitSeconds} s` };
}

function report(result: FlipResult, request: FlipRequest, deps: FlipDeps): number {
  if (request.json) {
    deps.out(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const from = label(result.from);
    const to = label(result.to);
    const lines: string[] = [];
    if (!result.changed && !result.refused) {
      lines.push(`${result.capability}: already ${to} (${result.flag}, ${describeStore(result.store)}); nothing to change`);
    } else {
      const verb = request.rollback ? 'rollback' : 'flip';
      lines.push(`${result.capability}: ${from} → ${to}${result.refused ? `: REFUSED, nothing was changed` : ''}  (${verb} of ${result.flag} via ${describeStore(result.store)})`);
      if (result.checks.length === 0) lines.push('  no gate applies to this change');
      for (const c of result.checks) {
        const mark = c.skipped ? 'skip' : c.ok ? 'ok' : 'FAIL';
        lines.push(`  ${mark.padEnd(4)}  ${c.check.padEnd(17)} ${c.detail}`);
        if (!c.ok && !c.skipped) lines.push(`        ${''.padEnd(17)} needed because ${c.why}`);
      }
      if (result.refused) lines.push('  fix the above and run it again, or use --force to skip the gates');
      else if (result.forced) lines.push('  gates skipped (--force)');
      if (result.changed) {
        if (!result.edge) lines.push('  written (not waiting for the edge)');
        else if (result.edge.confirmed) lines.push(`  written; the edge routes by it (after ${((result.edge.afterMs ?? 0) / 1000).toFixed(1)} s)`);
        else lines.push(`  written, but not confirmed by the edge: ${result.edge.problem}`);
      }
    }
    deps.out(`${lines.join('\n')}\n`);
  }
  if (result.refused) return EXIT.refused;
  return result.ok ? EXIT.ok : EXIT.failed;
}

const describeStore = (store: FlipResult['store']) => (store.kind === 'unleash' ? `Unleash ${store.where}` : `the flags file ${store.where}`);

export type { FlagState };
