import { findCapability, readCapabilities, readCapabilityToRollBack, type CapabilityRef } from '../capabilities';
import { CliError, usageError } from '../cli-error';
import type { CliConfig } from '../config';
import { EXIT } from '../exit-codes';
import type { DesiredFlag, FlagState } from '../flags/flag-state';
import { describeCheck, requiredChecks, serviceAnswers, type Stage } from '@strangler/cutover-model';
import type { FlagStore } from '../flags/flag-store';
import { FlagsFileStore } from '../flags/flags-file-store';
import { UnleashAdminStore } from '../flags/unleash-admin-store';
import { runChecks, type BacklogOutcome, type BlockersOutcome, type CheckResult, type VerifyOutcome } from '../gates/gate-runner';
import { EdgeClient } from '../sources/edge-client';
import type { HttpOptions } from '../sources/http-json';
import { readSyncWorkers } from '../sources/sync-client';
import { requireEdgesReadWhereWeWrite } from './flag-source-check';
import { undeclaredSyncProblem } from './undeclared-sync';
import { edgesRouting, notRoutingProblem } from './edges-routing';
import { movesWriteAuthority, switchWriteAuthority, type SwitchDeps, type SwitchReport } from './write-switch';

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
  /** What the operator should know that is not the result (stderr). */
  warn?(text: string): void;
  verify(capability: string): Promise<VerifyOutcome>;
  backlog(capability: string): Promise<BacklogOutcome>;
  /** Which row each direction waits on (named in a lag refusal). */
  blockers(capability: string): Promise<BlockersOutcome>;
  /** The database half of the write fence (decision 0018). */
  dbFence?: SwitchDeps['dbFence'];
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
  /** The write fence of a change that moves write authority (decision 0018); null when none was needed or --force. */
  fence: Omit<SwitchReport, 'written' | 'problem'> | null;
  /** What this run wrote, generation included; a rollback that had to write twice says so. */
  written?: { generation: number; reasserted?: string };
  /** Set when the change moved write authority without the fence (--force): what can diverge. */
  unfenced?: string;
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
  const capability = request.rollback ? rollbackCapability(request.capability, deps) : findCapability(readCapabilities(deps.config.MANIFESTS_DIR), request.capability);
  const store = flagStoreFor(deps.config, deps.http);
  await requireEdgesReadWhereWeWrite({
    edgeUrls: deps.config.edgeUrls,
    adminToken: deps.config.EDGE_ADMIN_TOKEN,
    http: deps.http,
    writesTo: { kind: store.kind, location: deps.config.unleashBaseUrl ?? deps.config.FLAGS_FILE },
    capability: { name: capability.name, flag: capability.flag },
  });
  const current = await store.read(capability).catch((error: unknown) => {
    // Rolling back with the flag store unreachable: name the way that needs no store (decision 0036).
    if (!request.rollback || store.kind !== 'unleash' || !(error instanceof CliError) || error.exitCode !== EXIT.failed) throw error;
    throw new CliError(`${error.message} — with Unleash down, \`strangler emergency stop ${capability.name} --reason "<why>"\` sends it to the monolith on every edge without it`);
  });
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
    fence: null,
  };
  // A rollback is compared with nothing: it always wins over a flip in flight (decision 0019).
  const expected = request.rollback ? undefined : current;
  if (current.stage === desired.stage && current.percentage === desired.percentage) {
    // Even with nothing to change, a rollback bumps the flag's generation, so a forward flip still
    // running its gates finds the flag moved and writes nothing.
    if (request.rollback && current.exists) result.written = { generation: (await store.write(capability, desired)).generation };
    return report(result, request, deps);
  }

  // Every edge must route the capability before its flag gives the service any request: one that
  // does not would go on sending them all to the monolith (and a flag it cannot apply would only wait
  // for a confirmation that never comes). A rollback agrees with such an edge already (write-switch.ts).
  if (!request.rollback && !request.force && serviceAnswers(desired.stage)) {
    const { notRouting } = await edgesRouting(deps.config.edgeUrls.map((url) => new EdgeClient(url, deps.config.EDGE_ADMIN_TOKEN, deps.http)), capability.name);
    if (notRouting.length) {
      result.ok = false;
      result.refused = true;
      result.checks = [{ check: 'edges', why: 'every edge must route the capability before the service answers its requests', ok: false, detail: notRoutingProblem(notRouting, capability.name) }];
      return report(result, request, deps);
    }
  }
  // A manifest with no `data` section moves no data: nothing to sync or verify (decision 0040).
  const movesData = capability.loaded.manifest.data !== undefined;
  const checks = movesData ? requiredChecks(current, desired) : [];
  if (!movesData) {
    // The manifest's word is checked against the sync workers: one that carries the capability's data says it moves.
    const undeclared = request.force ? undefined : undeclaredSyncProblem(await readSyncWorkers(deps.config.syncUrls, deps.http), capability.name);
    result.checks = [{ check: 'data', why: 'its manifest declares no data section', ok: !undeclared, detail: undeclared ?? 'no data to move: nothing to sync or verify' }];
    if (undeclared) {
      result.ok = false;
      result.refused = true;
      return report(result, request, deps);
    }
  } else if (request.force) {
    result.checks = checks.map((c) => ({ check: describeCheck(c), why: c.why, ok: false, skipped: true, detail: 'skipped (--force)' }));
  } else {
    result.checks = await runChecks(capability.name, checks, {
      syncWorkers: () => readSyncWorkers(deps.config.syncUrls, deps.http),
      verify: (name) => deps.verify(name),
      backlog: (name) => deps.backlog(name),
      blockers: (name) => deps.blockers(name),
      maxLagSeconds: request.maxLagSeconds ?? deps.config.STRANGLER_MAX_SYNC_LAG_SECONDS,
    });
    if (result.checks.some((c) => !c.ok)) {
      result.ok = false;
      result.refused = true;
      return report(result, request, deps);
    }
  }
  if (movesWriteAuthority(current, desired) && !request.force) {
    const waitSeconds = request.waitSeconds > 0 ? request.waitSeconds : 15;
    const fenced = await switchWriteAuthority(
      {
        capability,
        store,
        desired,
        expected,
        directions: checks.flatMap((c) => (c.kind === 'sync' ? [c.direction] : [])),
        drainSeconds: deps.config.STRANGLER_FENCE_DRAIN_SECONDS,
        confirmSeconds: waitSeconds,
      },
      { edgeUrls: deps.config.edgeUrls, adminToken: deps.config.EDGE_ADMIN_TOKEN, http: deps.http, backlog: (name) => deps.backlog(name), blockers: (name) => deps.blockers(name), ...(deps.dbFence ? { dbFence: deps.dbFence } : {}), sleep: (ms) => deps.sleep(ms), now: () => deps.now() },
    );
    const { written, problem, ...fence } = fenced;
    result.fence = fence;
    if (problem?.refused) {
      result.ok = false;
      result.refused = true;
      result.checks.push({ check: 'write fence', why: 'writes move between the sides: the old writer must be drained first', ok: false, detail: problem.message });
      return report(result, request, deps);
    }
    result.changed = true;
    if (written) result.written = { generation: written.generation };
    result.edge = problem ? { confirmed: false, problem: problem.message } : { confirmed: true, afterMs: fence.confirmMs };
    if (problem) result.ok = false;
  } else {
    if (request.force && movesWriteAuthority(current, desired)) {
      result.unfenced = `no write fence (--force): writes in flight, and changes the sync has not yet carried from the old writer, can be taken on both sides — a retried Idempotency-Key may be done twice, refunds may exceed a capture; once the sync has caught up run \`strangler data verify ${capability.name}\` (its invariants name what diverged)`;
    }
    result.written = { generation: (await store.write(capability, desired, expected)).generation };
    result.changed = true;
    if (request.waitSeconds > 0) {
      result.edge = await waitForEdges(capability, desired, request.waitSeconds, deps);
      // Written, but the edges cannot be seen routing by it: the operator must look (exit 1).
      if (!result.edge.confirmed) result.ok = false;
    }
  }
  if (request.rollback) await reassertRollback(capability, store, desired, result);
  return report(result, request, deps);
}

/** A rollback goes ahead past another capability's invalid manifest, saying so. */
function rollbackCapability(name: string | undefined, deps: FlipDeps): CapabilityRef {
  const { capability, problems } = readCapabilityToRollBack(deps.config.MANIFESTS_DIR, name);
  if (problems.length > 0) {
    deps.warn?.(`warning: the capability manifests in ${deps.config.MANIFESTS_DIR} (MANIFESTS_DIR) are invalid; rolling back ${capability.name} all the same (its own manifest loads):\n  ${problems.join('\n  ')}\n`);
  }
  return capability;
}

/**
 * A forward flip that passed its compare a moment before this rollback wrote can still land after it
 * (Unleash has no compare-and-set): read the flag once more and write the rollback again if it moved.
 */
async function reassertRollback(capability: CapabilityRef, store: FlagStore, desired: DesiredFlag, result: FlipResult): Promise<void> {
  const now = await store.read(capability);
  if (now.stage === desired.stage && now.percentage === desired.percentage) return;
  const written = await store.write(capability, desired);
  result.written = { generation: written.generation, reasserted: `the flag read ${label(now)} after this rollback (a flip in flight wrote over it); written again` };
}

/** Polls every edge (EDGE_URLS) until each routes by the new flag (Unleash: its next poll; the file: its watcher). */
async function waitForEdges(capability: CapabilityRef, desired: DesiredFlag, waitSeconds: number, deps: FlipDeps): Promise<NonNullable<FlipResult['edge']>> {
  const edges = deps.config.edgeUrls.map((url) => new EdgeClient(url, deps.config.EDGE_ADMIN_TOKEN, deps.http));
  const started = deps.now();
  const problems = new Map<EdgeClient, string>(edges.map((e) => [e, 'the edge did not report the change']));
  while (deps.now() - started < waitSeconds * 1000) {
    await Promise.all(
      [...problems.keys()].map(async (edge) => {
        try {
          const seen = (await edge.capabilities()).capabilities.find((c) => c.capability === capability.name);
          if (!seen) problems.set(edge, `the edge does not route ${capability.name}`);
          else if (seen.stage === desired.stage && seen.percentage === desired.percentage) problems.delete(edge);
          else problems.set(edge, `the edge still reports ${seen.stage} ${seen.percentage}%`);
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          problems.set(edge, error.message);
        }
      }),
    );
    if (problems.size === 0) return { confirmed: true, afterMs: deps.now() - started };
    await deps.sleep(200);
  }
  const which = [...problems].map(([edge, problem]) => (edges.length > 1 ? `${edge.url}: ${problem}` : problem));
  return { confirmed: false, problem: `${which.join('; ')} after ${waitSeconds} s` };
}

function report(result: FlipResult, request: FlipRequest, deps: FlipDeps): number {
  if (request.json) {
    deps.out(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const from = label(result.from);
    const to = label(result.to);
    const lines: string[] = [];
    if (!result.changed && !result.refused) {
      lines.push(`${result.capability}: already ${to} (${result.flag}, ${describeStore(result.store)}); nothing to change${result.written ? ` (generation bumped to ${result.written.generation}: a flip still running its gates will not write)` : ''}`);
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
      if (result.unfenced) lines.push(`  WARNING: ${result.unfenced}`);
      if (result.fence) {
        const f = result.fence;
        const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
        lines.push(
          `  write fence on ${f.edges} edge(s): writes paused ${s(f.pauseMs)} (raised ${s(f.raiseMs)}, in-flight drained ${s(f.drainMs)}, ${f.dbFenceMs === undefined ? '' : `database fenced ${s(f.dbFenceMs)}, `}backlog applied ${s(f.backlogMs)}, flag written ${s(f.writeMs)}, edges applied it ${s(f.confirmMs)})`,
        );
        if (f.notRouting?.length) lines.push(`  not fenced: ${f.notRouting.join(', ')} does not route ${result.capability} (it sends all of its requests to the monolith)`);
      }
      if (result.written?.reasserted) lines.push(`  ${result.written.reasserted}`);
      if (result.changed) {
        if (!result.edge) lines.push('  written (not waiting for the edge)');
        else if (result.edge.confirmed) lines.push(`  written (generation ${result.written?.generation ?? '?'}); every edge routes by it (after ${((result.edge.afterMs ?? 0) / 1000).toFixed(1)} s)`);
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
