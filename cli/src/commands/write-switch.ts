import { randomBytes } from 'node:crypto';
import type { CapabilityRef } from '../capabilities';
import { CliError } from '../cli-error';
import { describeFlagState, type DesiredFlag, type FlagState } from '../flags/flag-state';
import { FlagMovedError, type FlagStore } from '../flags/flag-store';
import type { BacklogOutcome, BlockersOutcome } from '../gates/gate-runner';
import { writesPercent } from '@strangler/cutover-model';
import { EdgeClient, type EdgeFence } from '../sources/edge-client';
import { edgesRouting, notRoutingProblem } from './edges-routing';
import type { HttpOptions } from '../sources/http-json';
import type { Direction } from '@strangler/cutover-model';

/**
 * Whether a stage change moves write authority for some users (live ⇄ monolith, a percentage change
 * at live, complete ⇄ live below 100 %): only such a change needs the fence (decision 0018).
 */
export const movesWriteAuthority = (from: DesiredFlag, to: DesiredFlag): boolean => writesPercent(from) !== writesPercent(to);

export interface SwitchDeps {
  edgeUrls: readonly string[];
  adminToken: string | undefined;
  http: HttpOptions;
  backlog(capability: string): Promise<BacklogOutcome>;
  blockers(capability: string): Promise<BlockersOutcome>;
  /** The database half of the fence, on the old writers (data-engine/src/data/fence); none in tests that stub the data. */
  dbFence?: {
    /** May wait for open transactions on the tables, at most `waitMs`; then throws naming them. */
    raise(capability: string, sides: ReadonlyArray<'monolith' | 'service'>, owner: string, ttlMs: number, waitMs: number): Promise<void>;
    /**
     * Once raised: waits, at most `timeoutMs`, until no transaction that wrote the capability's tables
     * is still open on these sides (decision 0048). Undefined when none is; else which, in words.
     */
    drain(capability: string, sides: ReadonlyArray<'monolith' | 'service'>, timeoutMs: number): Promise<string | undefined>;
    lower(capability: string, sides: ReadonlyArray<'monolith' | 'service'>, owner: string): Promise<void>;
  };
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface SwitchPlan {
  capability: CapabilityRef;
  store: FlagStore;
  desired: DesiredFlag;
  /** Compare-and-set: the flag as the gates judged it (a rollback passes none: it always wins). */
  expected: FlagState | undefined;
  /** The old writer's changelogs that must be empty before the flag moves. */
  directions: readonly Direction[];
  drainSeconds: number;
  confirmSeconds: number;
}

/** What the switch did, for the report and the drill's write-pause figures. */
export interface SwitchReport {
  owner: string;
  edges: number;
  /** From the fence raised on the first edge to it lowered on the last (the write pause clients saw). */
  pauseMs: number;
  /** Raising the fence on every edge. */
  raiseMs: number;
  drainMs: number;
  /** Raising the old writers' database fence and waiting out the transactions already past it (decision 0048). */
  dbFenceMs?: number;
  backlogMs: number;
  /** Writing the flag (compare-and-set; Unleash: a few Admin API calls). */
  writeMs: number;
  confirmMs: number;
  written: FlagState | undefined;
  /** Edges that do not route the capability at all (its manifest refused or absent there): nothing to fence on them. */
  notRouting?: string[];
  /** Why it stopped; absent when it went through. `refused`: nothing was changed. */
  problem?: { refused: boolean; message: string };
}

const POLL_MS = 50;

/**
 * The write-authority switch (decision 0018), as Vitess's SwitchTraffic does it for writes: fence the
 * capability's writes on every edge; wait until the writes each edge let through are answered; wait
 * until the old writer's changelog is fully applied on the new writer; write the flag (compare-and-set);
 * wait until every edge routes by it; lower the fences. Bounded: a drain that does not finish in time
 * refuses the switch and lowers the fences, nothing changed. An edge that never confirms keeps its
 * fence until the fence expires (its writes would otherwise go to the old writer).
 */
export async function switchWriteAuthority(plan: SwitchPlan, deps: SwitchDeps): Promise<SwitchReport> {
  const owner = `strangler-${randomBytes(6).toString('hex')}`;
  const name = plan.capability.name;
  const { routing: edges, notRouting } = await edgesRouting(deps.edgeUrls.map((url) => new EdgeClient(url, deps.adminToken, deps.http)), name);
  const ttlMs = Math.min(60_000, Math.ceil((plan.drainSeconds + plan.confirmSeconds + 5) * 1000));
  const report: SwitchReport = { owner, edges: edges.length, pauseMs: 0, raiseMs: 0, drainMs: 0, backlogMs: 0, writeMs: 0, confirmMs: 0, written: undefined };
  const started = deps.now();
  const raised: EdgeClient[] = [];
  const unconfirmed = new Set<EdgeClient>();
  // The old writers: the source of every direction the switch must drain.
  const oldWriters = [...new Set(plan.directions.map((d) => (d === 'to-service' ? ('monolith' as const) : ('service' as const))))];
  let dbFenced = false;
  if (notRouting.length) report.notRouting = notRouting.map((edge) => edge.url);
  try {
    // An edge that does not route the capability sends all of its requests to the monolith. A switch
    // that gives the service writes would leave that edge's on the monolith: two writers. One that
    // takes writes off the service (a rollback) agrees with it already: nothing to fence there, and
    // that edge takes the capability once the flag allows it (a manifest refused at live).
    if (notRouting.length && writesPercent(plan.desired) > 0) {
      return refuse(report, notRoutingProblem(notRouting, name));
    }
    // In parallel: the pause is the slowest edge's, not their sum. An edge that cannot be fenced
    // refuses the switch (below, every fence raised is lowered).
    const boots = new Map<EdgeClient, string | undefined>();
    const raising = await Promise.allSettled(edges.map(async (edge) => {
      boots.set(edge, (await edge.raiseFence(name, owner, ttlMs)).bootId);
      raised.push(edge);
    }));
    const failed = raising.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    report.raiseMs = deps.now() - started;
    const drainStarted = deps.now();
    const deadline = started + plan.drainSeconds * 1000;
    // Every poll also checks that each edge still holds this switch's fence, in the same process: an
    // edge restarted (or whose hold expired) mid-switch may have let writes through to the old writer.
    let lost: string | undefined;
    const fencesNow = async () => {
      const seen = await Promise.all(edges.map(async (edge) => ({ edge, fence: (await edge.fences()).find((f) => f.capability === name) })));
      lost = seen.map(({ edge, fence }) => lostHold(edge, fence, owner, boots.get(edge))).find((why) => why !== undefined);
      return seen.map(({ fence }) => fence);
    };
    const drained = await waitUntil(deps, deadline, async () => {
      const fences = await fencesNow();
      if (lost) return undefined;
      const busy = fences.reduce((sum, f) => sum + (f?.inFlightWrites ?? 0), 0);
      const doubt = fences.reduce((sum, f) => sum + (f?.inDoubtWrites ?? 0), 0);
      const until = Math.max(0, ...fences.map((f) => f?.inDoubtUntil ?? 0));
      if (busy === 0) return undefined;
      const inDoubt = doubt ? ` (${doubt} in doubt: the edge stopped waiting for them, and their upstream may still do them until ${new Date(until).toISOString()}; a longer STRANGLER_FENCE_DRAIN_SECONDS waits them out)` : '';
      return `${busy} write(s) still in flight on the edges${inDoubt}`;
    });
    report.drainMs = deps.now() - drainStarted;
    if (lost) return refuse(report, lost);
    if (drained) return refuse(report, `writes did not drain within ${plan.drainSeconds} s: ${drained}`);

    // Past the edges, the old writers' own tables refuse the application's writes too: a request a
    // stalled process still holds, a job by another path (the sync's applies still land). Then no
    // transaction already past the fence may still be open there: frozen before its COMMIT, its change
    // is not in the changelog yet, and it would commit on the old writer after the switch (decision 0048).
    if (deps.dbFence && oldWriters.length) {
      const fenceStarted = deps.now();
      const left = () => Math.max(0, deadline - deps.now());
      try {
        await deps.dbFence.raise(name, oldWriters, owner, ttlMs, left());
        dbFenced = true;
      } catch (error) {
        return refuse(report, `cannot fence the old writer's database (${oldWriters.join(', ')}): ${(error as Error).message}`);
      }
      let open: string | undefined;
      try {
        open = await deps.dbFence.drain(name, oldWriters, left());
      } catch (error) {
        open = `cannot tell (${(error as Error).message})`;
      }
      report.dbFenceMs = deps.now() - fenceStarted;
      if (open) return refuse(report, `a transaction that wrote ${name}'s data on the old writer is still open after the ${plan.drainSeconds} s drain: ${open}. Its commit would land there after the switch, so the flag was not written (let it end, or kill that connection, then run it again)`);
    }
    const backlogStarted = deps.now();
    // A capability that moves no data has no directions: no changelog to wait on.
    const backlog = plan.directions.length === 0 ? undefined : await waitUntil(deps, deadline, async () => {
      await fencesNow();
      if (lost) return undefined;
      const outcome = await deps.backlog(name);
      if (!outcome.ok) return `cannot read the changelog backlog: ${outcome.error}`;
      const waiting = plan.directions
        .map((d) => ({ d, b: outcome.byDirection[d] }))
        .filter(({ b }) => b.installed && b.pending > 0)
        .map(({ d, b }) => `${d} ${b.pending} change(s) unapplied, oldest ${(b.oldestAgeSeconds ?? 0).toFixed(1)} s`);
      return waiting.length ? waiting.join('; ') : undefined;
    });
    report.backlogMs = deps.now() - backlogStarted;
    if (lost) return refuse(report, lost);
    if (backlog) {
      const blockers = await deps.blockers(name);
      const waitingOn = blockers.ok ? plan.directions.map((d) => `${d}: ${blockers.byDirection[d]}`).join('; ') : blockers.error;
      return refuse(report, `the old writer's changes were not all applied within ${plan.drainSeconds} s (${backlog}; ${waitingOn}): is the sync worker down or paused?`);
    }

    // Last look before the flag moves: a fence lost while the backlog was read lets writes by.
    await fencesNow();
    if (lost) return refuse(report, lost);
    const writeStarted = deps.now();
    report.written = await plan.store.write(plan.capability, plan.desired, plan.expected);
    report.writeMs = deps.now() - writeStarted;

    // Written: each edge's hold now lifts only once that edge routes by the new flag, whatever its TTL
    // (decision 0039): one that never applies it must not become a second writer when its hold expires,
    // and a CLI that dies from here on leaves no edge able to send writes to the old writer.
    const until = { stage: plan.desired.stage, percentage: plan.desired.percentage };
    await Promise.all(edges.map((edge) => edge.raiseFence(name, owner, ttlMs, until).catch(() => undefined)));
    const confirmStarted = deps.now();
    for (const edge of edges) unconfirmed.add(edge);
    let superseded: FlagState | undefined;
    await waitUntil(deps, confirmStarted + plan.confirmSeconds * 1000, async () => {
      await Promise.all(
        [...unconfirmed].map(async (edge) => {
          if (await routesBy(edge, name, plan.desired)) unconfirmed.delete(edge);
        }),
      );
      if (unconfirmed.size === 0) return undefined;
      // Another operator's flip or rollback wrote after this one: its own fence guards its switch, and
      // holding this one until it expires would only refuse writes for nothing.
      const now = await plan.store.read(plan.capability);
      if (now.generation !== report.written?.generation) {
        superseded = now;
        unconfirmed.clear();
        return undefined;
      }
      return 'waiting';
    });
    report.confirmMs = deps.now() - confirmStarted;
    if (superseded) {
      report.problem = { refused: false, message: `written, then superseded before every edge applied it: the flag now reads ${describeFlagState(superseded)} (another flip or a rollback); this fence is lowered` };
      return report;
    }
    if (unconfirmed.size) {
      const which = [...unconfirmed].map((e) => e.url).join(', ');
      report.problem = { refused: false, message: `written, but ${which} did not route by it within ${plan.confirmSeconds} s: its fence stays up until it does (it refuses the capability's writes meanwhile; \`strangler status\` shows it; once that edge reads the flag it lifts by itself, or lower it by hand: DELETE /_edge/fences/${name}/${owner})` };
    }
    return report;
  } catch (error) {
    // The flag moved since the gates judged it: the flip's own error (nothing written), fence lowered below.
    if (!(error instanceof CliError) || error instanceof FlagMovedError) throw error;
    report.problem = { refused: report.written === undefined, message: error.message };
    return report;
  } finally {
    const lowering = raised.filter((edge) => !unconfirmed.has(edge));
    await Promise.all([
      ...lowering.map((edge) => edge.lowerFence(name, owner).catch(() => undefined)),
      // Kept (until it expires) while an edge may still route writes to the old writer.
      ...(dbFenced && unconfirmed.size === 0 && deps.dbFence ? [deps.dbFence.lower(name, oldWriters, owner).catch(() => undefined)] : []),
    ]);
    report.pauseMs = deps.now() - started;
  }
}

/** Why an edge no longer guards this switch (its hold gone, or another process answering), or undefined. */
function lostHold(edge: EdgeClient, fence: EdgeFence | undefined, owner: string, bootId: string | undefined): string | undefined {
  const restarted = bootId !== undefined && fence?.bootId !== undefined && fence.bootId !== bootId;
  if (!restarted && fence?.holds.some((h) => h.owner === owner)) return undefined;
  return `${edge.url} ${restarted ? 'restarted' : 'lost this switch’s fence'} in the middle of the switch: writes may have passed it to the old writer, so the flag was not written (run it again)`;
}

function refuse(report: SwitchReport, message: string): SwitchReport {
  report.problem = { refused: true, message };
  return report;
}

async function routesBy(edge: EdgeClient, capability: string, desired: DesiredFlag): Promise<boolean> {
  try {
    const seen = (await edge.capabilities()).capabilities.find((c) => c.capability === capability);
    return seen !== undefined && seen.stage === desired.stage && seen.percentage === desired.percentage;
  } catch (error) {
    if (error instanceof CliError) return false;
    throw error;
  }
}

/** Polls `check` (undefined = done) until done or the deadline; returns the last reason it was not. */
async function waitUntil(deps: Pick<SwitchDeps, 'sleep' | 'now'>, deadline: number, check: () => Promise<string | undefined>): Promise<string | undefined> {
  for (;;) {
    const reason = await check();
    if (reason === undefined || deps.now() >= deadline) return reason;
    await deps.sleep(POLL_MS);
  }
}
