// npm run drill — the cutover drill: the whole stack as real processes on MariaDB with a real Unleash
// server, concurrent clients sending mixed traffic through the edge, while auth and payments are
// walked through every stage and back with `strangler flip`, and the payments service, the auth
// service and the payments sync worker are each killed (SIGKILL) and restarted once, with requests
// in flight. At the end it asserts:
//   - no 5xx (or no answer) for a safe request;
//   - an unsafe request that failed did so with a retryable error, and the retry (same Idempotency-Key)
//     succeeded;
//   - every acknowledged write exists exactly once on the authoritative side, and verify is clean for
//     both capabilities;
//   - no session was ended by a flip (no 401 for a token its client had not logged out), and every
//     session its client was told is logged out is ended on both databases (a logout retried after a
//     lost answer may be told 401: the first attempt ended it; the databases say whether it did);
//   - a buyer reading their payment right after checkout finds it (read-your-writes, at every stage);
//   - right after every flip and rollback, a share of the latest keyed writes (payments, refunds) is
//     re-sent with the same Idempotency-Key: each must replay its first answer, never a second effect.
// Flips that move write authority go through the write fence (decision 0018); the drill reports the
// write pauses (p50/p99) the fences caused.
// Prints the counts; exits 1 on any violation. Logs of every process: the directory printed at start.
//
//   DRILL_CLIENTS (12)  DRILL_HOLD_SECONDS (8)  TEST_MYSQL_URL  TEST_POSTGRES_URL
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createDatabases, freePort, logDir, managedProcess, startUnleash, strangler, tailOf, ROOT, STRANGLER } from './drill-stack.mjs';
import { createLedger, prepareBurst, resendKeyed, startClient } from './traffic.mjs';
import { auditDatabases } from './audit.mjs';

const CLIENTS = Number(process.env.DRILL_CLIENTS ?? 12);
const HOLD_MS = Number(process.env.DRILL_HOLD_SECONDS ?? 8) * 1000;
const CAPABILITIES = ['auth', 'payments'];
/** The payments service's clock offset: behind the other processes', as a badly synced host's. */
const PAYMENTS_CLOCK_SKEW_MS = -30_000;
/** Slow enough that payments' backfill is still running when its first flips are asked for. */
const BACKFILL_ROWS_PER_SECOND = 60;
const started = Date.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (text) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${text}\n`);

/** The walk: every stage and back, in the order an operator would take it. */
const WALK = [
  { stage: 'shadow', percent: 100 },
  { stage: 'reads', percent: 100 },
  { stage: 'live', percent: 10 },
  { stage: 'live', percent: 50, during: 'kill-service' },
  { stage: 'live', percent: 100, during: 'kill-sync' },
  { rollback: true },
  { stage: 'live', during: 'kill-auth' },
  { stage: 'complete' },
];

const findings = [];
let ledgerOf;
let edgeUrlOf;
const events = { fencePausesMs: [], resentAfterFlips: 0, flips: 0, refusedThenPassed: 0, refusals: [], gateRefusedWhileSyncDown: false, kills: [] };

async function main() {
  say(`drill: ${CLIENTS} clients, ${HOLD_MS / 1000} s per stage, the payments service's clock ${PAYMENTS_CLOCK_SKEW_MS / 1000} s off; process logs in ${logDir}`);
  const [databases, unleash] = await Promise.all([createDatabases(), startUnleash()]);
  say(`MariaDB databases created; Unleash ${unleash.url} up`);
  const processes = [];
  const clients = [];
  let tornDown;
  const tearDown = () =>
    (tornDown ??= (async () => {
      await Promise.all(clients.map((c) => c.stop()));
      await Promise.all(processes.map((p) => p.stop()));
      await unleash.stop();
      await databases.drop();
    })());
  // Cancelled (Ctrl-C, a CI timeout): leave no process, database or Unleash server behind.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      say(`${signal}: tearing the stack down`);
      void tearDown().finally(() => process.exit(130));
    });
  }
  try {
    const [pm, pa, pp, pe, psa, psp] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
    const url = (port) => `http://127.0.0.1:${port}`;
    const internal = { INTERNAL_API_TOKEN: randomBytes(32).toString('hex') };
    const edgeAdminToken = randomBytes(32).toString('hex');
    const dbEnv = { MONOLITH_DATABASE_URL: databases.urls.monolith, AUTH_DATABASE_URL: databases.urls.auth, PAYMENTS_DATABASE_URL: databases.urls.payments };
    const node = (entry) => [path.join(ROOT, entry)];
    const monolith = managedProcess('monolith', node('monolith/dist/server.js'), { ...internal, PORT: String(pm), DATABASE_URL: databases.urls.monolith, AUTH_PEERS: url(pa) }, pm);
    const auth = managedProcess('auth', node('services/auth/dist/server.js'), { ...internal, PORT: String(pa), DATABASE_URL: databases.urls.auth, AUTH_PEERS: url(pm) }, pa);
    // Its clock runs 30 s behind everyone else's (issue #13 §2: last-writer-wins by wall clock reverted
    // refunds): nothing the sync decides may depend on which host's clock is right.
    const skewedClock = { NODE_OPTIONS: `--require ${path.join(ROOT, 'data-engine/test/support/skew-clock.cjs')}`, CLOCK_SKEW_MS: String(PAYMENTS_CLOCK_SKEW_MS) };
    const payments = managedProcess('payments', node('services/payments/dist/server.js'), { ...internal, ...skewedClock, PORT: String(pp), DATABASE_URL: databases.urls.payments, AUTH_PEERS: `${url(pa)},${url(pm)}` }, pp);
    const edge = managedProcess(
      'edge',
      node('edge/dist/server.js'),
      {
        ...internal,
        PORT: String(pe),
        MONOLITH_URL: url(pm),
        AUTH_SERVICE_URL: url(pa),
        PAYMENTS_SERVICE_URL: url(pp),
        AUTH_PEERS: `${url(pm)},${url(pa)}`,
        EDGE_ADMIN_TOKEN: edgeAdminToken,
        UNLEASH_URL: `${unleash.url}/api/`,
        UNLEASH_API_TOKEN: unleash.backendToken,
        UNLEASH_REFRESH_MS: '500',
        UNLEASH_TIMEOUT_MS: '1000',
        UNLEASH_METRICS: 'false',
        UNLEASH_BACKUP_DIR: path.join(logDir, 'unleash-backup'),
      },
      pe,
    );
    const syncWorker = (capability, port) => managedProcess(`sync-${capability}`, [STRANGLER, 'sync', capability, '--direction', 'both', '--port', String(port)], { ...dbEnv }, port);
    const syncAuth = syncWorker('auth', psa);
    const syncPayments = syncWorker('payments', psp);
    processes.push(monolith, auth, payments, edge, syncAuth, syncPayments);
    const operator = {
      EDGE_URL: url(pe),
      EDGE_ADMIN_TOKEN: edgeAdminToken,
      SYNC_URLS: `${url(psa)},${url(psp)}`,
      UNLEASH_URL: unleash.url,
      UNLEASH_ADMIN_TOKEN: unleash.adminToken,
      LOG_LEVEL: 'warn',
      ...dbEnv,
    };
    const cli = async (args, { expectCode = 0 } = {}) => {
      const result = await strangler(args, operator);
      if (expectCode !== null && result.code !== expectCode) throw new Error(`strangler ${args.join(' ')} exited ${result.code} (expected ${expectCode}):\n${result.stdout}${result.stderr}`);
      return result;
    };

    await Promise.all([monolith.start(), auth.start(), payments.start()]);
    await edge.start();
    say(`monolith, auth, payments and edge up (edge ${url(pe)}); everything on the monolith`);

    const ledger = createLedger();
    ledgerOf = ledger;
    edgeUrlOf = url(pe);
    for (let i = 0; i < CLIENTS; i++) clients.push(startClient(i, url(pe), ledger));
    const burst = await prepareBurst(url(pe), ledger);
    say(`${CLIENTS} clients started`);
    await sleep(2_000);

    // The runbook's first steps, under traffic: capture, backfill, sync, verify — payments' backfill
    // throttled and still running through its first flips, beside the sync (issue #13: a backfill
    // holding rows it read must not resurrect or overwrite what the sync carried meanwhile).
    for (const capability of CAPABILITIES) await cli(['capture', 'install', capability]);
    const authBackfill = await cli(['backfill', 'auth']);
    say(`backfill auth: ${authBackfill.stdout.trim().split('\n').at(-1).trim()}`);
    await Promise.all([syncAuth.start(), syncPayments.start()]);
    say('sync workers up (both directions each)');
    const paymentsBackfill = strangler(['backfill', 'payments', '--max-rows-per-second', String(BACKFILL_ROWS_PER_SECOND)], operator).then((result) => {
      say(`backfill payments (throttled, through the first flips): exit ${result.code}, ${result.stdout.trim().split('\n').at(-1)?.trim()}`);
      if (result.code !== 0) findings.push(`the payments backfill failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
    });
    say(`backfill payments started in the background at ${BACKFILL_ROWS_PER_SECOND} rows/s`);
    await waitForVerify(cli, 'auth');

    for (const step of WALK) {
      ledger.phase = step.rollback ? 'rollback' : `${step.stage}${step.percent === undefined ? '' : ` ${step.percent}%`}`;
      for (const capability of CAPABILITIES) await flipUntilAccepted(cli, capability, step);
      await hold(step, { payments, auth, syncPayments, cli, burst });
    }
    await sleep(HOLD_MS);
    await paymentsBackfill;

    say('stopping the clients');
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    for (const capability of CAPABILITIES) await waitForDrain(cli, capability);
    const verified = {};
    for (const capability of CAPABILITIES) {
      const result = await cli(['verify', capability], { expectCode: null });
      verified[capability] = result.code === 0;
      say(`verify ${capability}: ${result.stdout.trim().split('\n')[0]}`);
      if (result.code !== 0) findings.push(`verify ${capability} is not clean (exit ${result.code}):\n${result.stdout}${result.stderr}`);
    }
    const status = JSON.parse((await cli(['status', '--json'])).stdout);
    const shadow = await (await fetch(`${url(pe)}/_edge/mismatches`, { headers: { authorization: `Bearer ${edgeAdminToken}` } })).json();
    const audit = await auditDatabases(databases.urls, ledger);
    findings.push(...audit.violations);
    for (const p of processes) findings.push(...p.unexpectedExits);
    judge(ledger);
    report(ledger, audit, status, verified, shadow);
  } finally {
    await tearDown();
  }
  if (findings.length) {
    process.stdout.write(`\nDRILL FAILED: ${findings.length} finding(s)\n${findings.map((f) => `  - ${f}`).join('\n')}\n\nprocess logs: ${logDir}\n`);
    process.exit(1);
  }
  rmSync(logDir, { recursive: true, force: true });
  process.stdout.write(`\nDRILL PASSED in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

/** A flip the gates refuse is retried (the sync may be catching up after a kill); never forced. */
async function flipUntilAccepted(cli, capability, step) {
  const args = step.rollback ? ['rollback', capability, '--json'] : ['flip', capability, '--stage', step.stage, ...(step.percent === undefined ? [] : ['--percent', String(step.percent)]), '--json'];
  const begun = Date.now();
  for (let attempt = 1; ; attempt++) {
    const result = await cli(args, { expectCode: null });
    const outcome = safeJson(result.stdout);
    if (result.code === 0 && outcome?.edge?.confirmed) {
      events.flips += 1;
      ledgerOf.stages[capability] = label(outcome.to);
      if (attempt > 1) events.refusedThenPassed += 1;
      const checks = outcome.checks.map((c) => c.check).join(', ') || 'no gate';
      if (outcome.fence) events.fencePausesMs.push(outcome.fence.pauseMs);
      const f = outcome.fence;
      const fence = f ? `; writes fenced ${seconds(f.pauseMs)}: raise ${seconds(f.raiseMs)}, drain ${seconds(f.drainMs)}, backlog ${seconds(f.backlogMs)}, write ${seconds(f.writeMs)}, flag applied ${seconds(f.confirmMs)}` : '';
      say(`${step.rollback ? 'rollback' : 'flip'} ${capability}: ${label(outcome.from)} → ${label(outcome.to)} (${checks}; ${((Date.now() - begun) / 1000).toFixed(1)} s${attempt > 1 ? `, ${attempt} attempts` : ''}${fence})`);
      // A client whose answer was lost retries right after the flip, wherever its retry now goes.
      const resent = await resendKeyed(edgeUrlOf, ledgerOf);
      events.resentAfterFlips += resent;
      return;
    }
    if (result.code === 4 && attempt < 30) {
      const reasons = outcome?.checks?.filter((c) => !c.ok && !c.skipped).map((c) => `${c.check}: ${c.detail}`) ?? [];
      events.refusals.push({ capability, step: args.slice(0, 4).join(' '), reasons });
      if (attempt === 1 || attempt % 5 === 0) say(`  ${capability} refused (attempt ${attempt}): ${reasons.join('; ')}`);
      await sleep(1_000);
      continue;
    }
    throw new Error(`strangler ${args.join(' ')} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  }
}

async function hold(step, { payments, auth, syncPayments, cli, burst }) {
  const until = Date.now() + HOLD_MS;
  await sleep(Math.min(2_000, HOLD_MS / 3));
  for (const [event, target, kind, what] of [
    ['kill-service', payments, 'payments', '24 keyed payment creations'],
    ['kill-auth', auth, 'auth', '12 logins and 12 registrations'],
  ]) {
    if (step.during !== event) continue;
    // Requests in flight when it dies: a burst, then SIGKILL a moment later.
    const fired = burst.fire(kind);
    await sleep(15);
    await target.kill();
    const at = Date.now();
    say(`SIGKILL ${target.name} service (${what} in flight)`);
    void fired.then(() => say(`  the ${kind} burst has its answers`));
    await sleep(2_000);
    await target.start();
    events.kills.push({ what: `${target.name} service`, downMs: Date.now() - at });
    say(`${target.name} service restarted (${((Date.now() - at) / 1000).toFixed(1)} s down)`);
  }
  if (step.during === 'kill-sync') {
    await syncPayments.kill();
    const at = Date.now();
    say('SIGKILL payments sync worker');
    // While it is down, a stage change that needs it must be refused.
    const refused = await cli(['flip', 'payments', '--stage', 'complete', '--json'], { expectCode: null });
    const outcome = safeJson(refused.stdout);
    events.gateRefusedWhileSyncDown = refused.code === 4 && outcome?.refused === true;
    say(`  flip payments --stage complete while it is down: exit ${refused.code}${outcome?.checks ? ` — ${outcome.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.detail).join('; ')}` : ''}`);
    await sleep(Math.max(0, 2_000 - (Date.now() - at)));
    await syncPayments.start();
    events.kills.push({ what: 'payments sync worker', downMs: Date.now() - at });
    say(`payments sync worker restarted (${((Date.now() - at) / 1000).toFixed(1)} s down)`);
  }
  await sleep(Math.max(0, until - Date.now()));
}

async function waitForVerify(cli, capability) {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const result = await cli(['verify', capability], { expectCode: null });
    if (result.code === 0) return say(`verify ${capability} under traffic: ${result.stdout.trim().split('\n')[0]}`);
    say(`verify ${capability} under traffic not clean yet (attempt ${attempt}): ${result.stdout.trim().split('\n').slice(0, 8).join('\n    ')}`);
    await sleep(1_000);
  }
  throw new Error(`verify ${capability} never came out clean before the walk`);
}

async function waitForDrain(cli, capability) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = safeJson((await cli(['data', 'status', capability, '--json'])).stdout);
    const pending = (status?.capture?.monolith?.pending ?? 0) + (status?.capture?.service?.pending ?? 0);
    if (pending === 0) return;
    if (Date.now() > deadline) throw new Error(`${capability}: ${pending} captured change(s) still unapplied after 60 s`);
    await sleep(250);
  }
}

function judge(ledger) {
  if (ledger.safeFailures.length) {
    findings.push(`${ledger.safeFailures.length} safe request(s) answered 5xx or not at all: ${summarise(ledger.safeFailures.map((f) => `${f.route} → ${f.status} ${f.code ?? ''} (${f.target ?? 'edge'}, ${f.phase})`))}`);
  }
  const badUnsafe = ledger.unsafeFailures.filter((f) => !f.retryable || f.gaveUp || !(f.retriedTo < 400 || f.retriedTo === 409 || f.expectedOnRetry));
  if (badUnsafe.length) {
    findings.push(`${badUnsafe.length} unsafe request(s) failed without a retryable error or did not succeed on retry: ${summarise(badUnsafe.map((f) => `${f.route} → ${f.status} ${f.code ?? ''}${f.retryable ? '' : ' (not retryable)'}${f.gaveUp ? ' (gave up)' : ` → retry ${f.retriedTo}`} (${f.phase})`))}`);
  }
  if (ledger.lostSessions.length) {
    findings.push(`${ledger.lostSessions.length} request(s) answered 401 for a token its client had not logged out: ${summarise(ledger.lostSessions.map((s) => `${s.route} (${s.target ?? 'edge'}, ${s.phase}) ${s.code ?? ''}`))}`);
  }
  if (ledger.unexpected.length) {
    findings.push(`${ledger.unexpected.length} unexpected answer(s): ${summarise(ledger.unexpected.map((u) => `${u.kind} → ${u.status ?? ''} ${u.body?.code ?? u.problem ?? u.error ?? ''} (${u.phase})`))}`);
  }
  if (!events.gateRefusedWhileSyncDown) findings.push('the stage gate did not refuse a flip while the payments sync worker was down');
  if (ledger.resent.secondEffects.length) {
    findings.push(`${ledger.resent.secondEffects.length} keyed write(s) re-sent after a flip did not replay their first answer: ${summarise(ledger.resent.secondEffects)}`);
  }
  if (events.fencePausesMs.length === 0) findings.push('no flip went through the write fence');
  // Read-your-writes (decision 0012): the buyer's own read right after checkout follows the pin to the
  // monolith that took it, at every stage. Other stale reads (a follow-up write a flip sent to the
  // other side) stay a report.
  const afterCheckout = ledger.staleReads.filter((s) => s.route === 'GET /api/payments/:id after checkout');
  if (afterCheckout.length) {
    findings.push(`${afterCheckout.length} buyer(s) read their payment back as 404 right after checkout (read-your-writes): ${summarise(afterCheckout.map((s) => `${s.route} on the ${s.target} (${s.phase})`))}`);
  }
}

function report(ledger, audit, status, verified, shadow) {
  const routes = [...ledger.byRoute.entries()].sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    '',
    '== drill counts',
    `requests            ${ledger.requests} through the edge (${ledger.bySide.monolith} served by the monolith, ${ledger.bySide.service} by a service)`,
    ...routes.map(([route, r]) => `  ${route.padEnd(38)} ${String(r.total).padStart(6)}  ${Object.entries(r.statuses).map(([s, n]) => `${s}×${n}`).join(' ')}`),
    `flips               ${events.flips} accepted; ${events.refusals.length} refusal(s) on the way (${events.refusedThenPassed} flip(s) waited for the data), gate refused while the sync worker was down: ${events.gateRefusedWhileSyncDown ? 'yes' : 'NO'}`,
    `write fence         ${events.fencePausesMs.length} switch(es) of write authority; writes paused p50 ${seconds(quantile(events.fencePausesMs, 0.5))}, p99 ${seconds(quantile(events.fencePausesMs, 0.99))}, max ${seconds(Math.max(0, ...events.fencePausesMs))} (target p99 ≤ 2 s: ${quantile(events.fencePausesMs, 0.99) <= 2_000 ? 'met' : 'NOT met'})`,
    `re-sent keys        ${ledger.resent.total} keyed writes re-sent right after a flip (${events.resentAfterFlips} picked; ${ledger.resent.bySide.monolith} answered by the monolith, ${ledger.resent.bySide.service} by a service); second effects: ${ledger.resent.secondEffects.length}`,
    `kills               ${events.kills.map((k) => `${k.what} (${(k.downMs / 1000).toFixed(1)} s down)`).join(', ')}`,
    `safe 5xx            ${ledger.safeFailures.length}`,
    `unsafe failures     ${ledger.unsafeFailures.length} (retryable: ${ledger.unsafeFailures.filter((f) => f.retryable).length}, succeeded on retry with the same key: ${ledger.retriesSucceeded})${ledger.unsafeFailures.length ? `: ${summarise(ledger.unsafeFailures.map((f) => `${f.route} ${f.status} ${f.code ?? ''}`))}` : ''}`,
    `lost sessions       ${ledger.lostSessions.length} (401 for a live token); ${ledger.acknowledged.logouts} logouts, each token refused afterwards`,
    `stale reads         ${ledger.staleReads.length} (a read or follow-up write on the other side before the sync carried the write; not a failure)${ledger.staleReads.length ? `: ${summarise(ledger.staleReads.map((s) => `${s.route} on the ${s.target} (${s.phase})`))}` : ''}`,
    `acknowledged writes users ${audit.counts.users}, payments ${audit.counts.payments}, captures ${audit.counts.captures}, refunds ${audit.counts.refunds}, orders paid ${audit.counts.orders}, logouts ${audit.counts.logouts} — each found exactly once on the services (each logout's session ended on both sides): ${audit.violations.length ? `NO (${audit.violations.length} violations)` : 'yes'}`,
    `verify              auth ${verified.auth ? 'clean' : 'DIFFERENT'}, payments ${verified.payments ? 'clean' : 'DIFFERENT'}`,
  ];
  for (const c of status.capabilities) {
    const side = (s) => `${s.requests} req, ${s.errorRate === null ? '—' : `${(s.errorRate * 100).toFixed(2)}%`} 5xx, p99 ${s.p99Ms ?? '—'} ms`;
    const fallbacks = Object.entries(c.fallbacks).map(([reason, n]) => `${reason} ×${n}`).join(', ') || 'none';
    lines.push(`edge: ${c.capability.padEnd(9)} ${c.stage}; monolith ${side(c.sides.monolith)}; service ${side(c.sides.service)}; fallbacks to the monolith: ${fallbacks}`);
  }
  for (const route of shadow.routes.filter((r) => r.compared > 0)) {
    const fields = Object.entries(route.fields).slice(0, 4).map(([field, n]) => `${field} ×${n}`).join(', ');
    lines.push(`shadow: ${route.capability.padEnd(9)} ${route.routeKey.padEnd(28)} ${route.compared} compared, ${route.mismatched} mismatched${fields ? ` (${fields})` : ''}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function summarise(items, limit = 8) {
  const counts = new Map();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  const parts = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([item, n]) => `${item.trim()}${n > 1 ? ` ×${n}` : ''}`);
  return parts.slice(0, limit).join('; ') + (parts.length > limit ? `; … ${parts.length - limit} more` : '');
}

/** Nearest-rank quantile of a list of milliseconds (0 when empty). */
function quantile(values, q) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

const label = (s) => (s.stage === 'monolith' || s.stage === 'complete' ? s.stage : `${s.stage} ${s.percentage}%`);

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

main().catch((error) => {
  process.stderr.write(`\ndrill aborted: ${error.stack ?? error}\n\nprocess logs: ${logDir}\n`);
  for (const name of ['edge', 'payments', 'auth', 'monolith', 'sync-payments', 'sync-auth']) process.stderr.write(`\n--- ${name} (last lines)\n${tailOf(path.join(logDir, `${name}.log`), 15)}\n`);
  process.exit(1);
});
