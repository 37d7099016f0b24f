// The drill's clients: each one a user going about its business through the edge, as a well-behaved
// client would: an Idempotency-Key on every payment write (the same key on every retry), a retry after
// Retry-After on a retryable answer, its tokens kept until it logs them out.
import { randomUUID } from 'node:crypto';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
// A patient client: it keeps retrying a retryable answer for up to a minute — a service restart plus
// its breaker's cooldown on a loaded machine, during which the writes of the service's users are
// refused (retryable), never run on the monolith (decision 0020).
const RETRY_BUDGET_MS = 60_000;
const THINK_MS = Number(process.env.DRILL_THINK_MS ?? 300);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything the clients saw and were told; the audit checks the databases against `acknowledged`. */
export function createLedger() {
  return {
    requests: 0,
    byRoute: new Map(),
    /** Safe requests answered 5xx (or not at all). */
    safeFailures: [],
    /** Unsafe requests whose first attempt failed: how, and whether a retry succeeded. */
    unsafeFailures: [],
    /** 401s for tokens the client had not logged out. */
    lostSessions: [],
    /** Answers no client should get (4xx that are not part of the script, 500s on writes, …). */
    unexpected: [],
    /** A read right after a write that did not see it (sync lag across sides); counted, not fatal. */
    staleReads: [],
    retriesSucceeded: 0,
    /** The latest keyed writes and what they answered: the drill re-sends a share right after every flip. */
    recentKeyed: [],
    /** Re-sent keyed writes (after a flip): how many, which side answered, and any second effect. */
    resent: { total: 0, bySide: { monolith: 0, service: 0 }, secondEffects: [] },
    /** Where the walk is (set by the drill): every finding records it. */
    phase: 'setup',
    /** Each capability's stage as its last accepted flip set it (set by the drill). */
    stages: { auth: 'monolith', payments: 'monolith' },
    acknowledged: { users: new Map(), payments: new Map(), refunds: [], orders: [], logouts: 0 },
    /** When a client's keyed write was last re-sent by resendKeyed (beside the client's own traffic), by client index. */
    resentAt: new Map(),
    /** Tokens their clients were told are logged out (204, or 401 on a retry): the audit checks each session ended on both sides. */
    loggedOut: [],
    bySide: { monolith: 0, service: 0 },
  };
}

function routeKey(method, path) {
  return `${method} ${path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id')}`;
}

function count(ledger, key, status) {
  const entry = ledger.byRoute.get(key) ?? { total: 0, statuses: {} };
  entry.total += 1;
  entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
  ledger.byRoute.set(key, entry);
}

const isRetryable = (answer) =>
  answer.status === 0 || (answer.status >= 500 && (answer.body?.retryable === true || answer.retryAfter !== null)) || answer.status === 429;

/**
 * One HTTP exchange through the edge. Safe requests are tried once (a 5xx is a finding); unsafe ones
 * are retried with the same headers (the same Idempotency-Key) while the answer says retryable.
 */
async function call(edgeUrl, ledger, method, path, { token, body, idempotencyKey, expect = [] } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const key = routeKey(method, path);
  let firstFailure;
  const giveUpAt = Date.now() + RETRY_BUDGET_MS;
  for (let attempt = 1; ; attempt++) {
    let answer;
    try {
      const response = await fetch(`${edgeUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
      const text = await response.text();
      let parsed;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      answer = { status: response.status, body: parsed, retryAfter: response.headers.get('retry-after'), target: response.headers.get('x-strangler-target') };
    } catch (error) {
      answer = { status: 0, body: { error: error.cause?.code ?? error.message }, retryAfter: null, target: null };
    }
    ledger.requests += 1;
    count(ledger, key, answer.status);
    if (answer.target === 'monolith' || answer.target === 'service') ledger.bySide[answer.target] += 1;
    const failed = answer.status === 0 || answer.status >= 500;
    if (SAFE.has(method)) {
      if (failed) ledger.safeFailures.push({ route: key, status: answer.status, code: answer.body?.code ?? answer.body?.error, target: answer.target, phase: ledger.phase });
      return answer;
    }
    if (!failed && answer.status !== 429) {
      if (firstFailure) {
        firstFailure.retriedTo = answer.status;
        firstFailure.attempts = attempt;
        // An answer the caller expects after a lost first answer (a logout's retry: 401, the first attempt
        // ended the session): judged by what the databases hold (audit.mjs), not by the status.
        firstFailure.expectedOnRetry = expect.includes(answer.status);
        if (answer.status < 400 || expect.includes(answer.status)) ledger.retriesSucceeded += 1;
      }
      return answer;
    }
    if (!firstFailure) {
      firstFailure = { route: key, status: answer.status, code: answer.body?.code ?? answer.body?.error, retryable: isRetryable(answer), target: answer.target, phase: ledger.phase };
      ledger.unsafeFailures.push(firstFailure);
    }
    if (!isRetryable(answer) || Date.now() >= giveUpAt) {
      firstFailure.gaveUp = true;
      return answer;
    }
    await sleep(Math.min(1_000, Number(answer.retryAfter ?? 0.2) * 1000) * (0.5 + Math.random()));
  }
}

const amounts = ['19.99', '5.00', '120.50', '0.99', '42.00'];
/** The edge's read-your-writes window in the drill (its default, READ_YOUR_WRITES_MS). */
const READ_YOUR_WRITES_MS = 5_000;
const RECENT_KEYED = 40;

/** Remembers an acknowledged keyed write (its request and the id it created) for the re-sends after a flip. */
function rememberKeyed(ledger, entry) {
  ledger.recentKeyed.push(entry);
  if (ledger.recentKeyed.length > RECENT_KEYED) ledger.recentKeyed.shift();
}

/**
 * Issue #12's client whose first answer was lost: right after a flip or rollback, the same request with
 * the same Idempotency-Key, on whichever side now takes it. It must replay the first answer (same id),
 * never make a second payment or refund.
 */
export async function resendKeyed(edgeUrl, ledger, share = 0.5) {
  const picked = ledger.recentKeyed.filter(() => Math.random() < share);
  await Promise.all(
    picked.map(async (entry) => {
      ledger.resentAt.set(entry.client, Date.now());
      const answer = await call(edgeUrl, ledger, 'POST', entry.path, { token: entry.token, body: entry.body, idempotencyKey: entry.key, expect: [401] });
      ledger.resentAt.set(entry.client, Date.now());
      if (answer.status === 401) return; // the token was logged out since: nothing to compare
      ledger.resent.total += 1;
      if (answer.target === 'monolith' || answer.target === 'service') ledger.resent.bySide[answer.target] += 1;
      const id = entry.kind === 'payment' ? answer.body?.payment?.id : answer.body?.refund?.id;
      if (answer.status !== entry.status || id !== entry.id) {
        ledger.resent.secondEffects.push(`${entry.kind} key ${entry.key}: first ${entry.status} ${entry.id}, re-sent after a flip → ${answer.status} ${id ?? answer.body?.code ?? ''} (${answer.target ?? 'edge'}, ${ledger.phase})`);
      }
    }),
  );
  return picked.length;
}

/**
 * A client: registers, then loops over a user's day until `stop()` — me, a payment created,
 * read, captured, partly refunded and listed, now and then an order checked out, a new login, a
 * logout of an old token.
 */
export function startClient(index, edgeUrl, ledger) {
  let running = true;
  const note = (kind, detail) => ledger.unexpected.push({ client: index, kind, phase: ledger.phase, ...detail });
  const tokens = []; // { token, live }

  /** A request with one of the client's live tokens (a user on several devices), or with `session`'s (one device). */
  const authed = async (method, path, options, session = randomLiveSession()) => {
    const answer = await call(edgeUrl, ledger, method, path, { ...options, token: session.token });
    if (answer.status === 401) ledger.lostSessions.push({ client: index, route: routeKey(method, path), target: answer.target, code: answer.body?.code, phase: ledger.phase });
    return answer;
  };

  function randomLiveSession() {
    const live = tokens.filter((t) => t.live);
    return live[Math.floor(Math.random() * live.length)];
  }

  async function register() {
    const email = `drill-${index}-${randomUUID()}@example.com`;
    const password = `pw-${randomUUID()}`;
    let answer = await call(edgeUrl, ledger, 'POST', '/api/auth/register', { body: { email, password, name: `Client ${index}` }, expect: [409] });
    if (answer.status === 409) {
      // A lost answer to an earlier attempt: the account exists, log in instead.
      answer = await call(edgeUrl, ledger, 'POST', '/api/auth/login', { body: { email, password } });
    }
    if (answer.status !== 201 && answer.status !== 200) {
      note('register', { status: answer.status, body: answer.body });
      return undefined;
    }
    ledger.acknowledged.users.set(answer.body.user.id, { email });
    tokens.push({ token: answer.body.token, live: true });
    return { id: answer.body.user.id, email, password };
  }

  async function paymentRound(user) {
    const intent = `drill-${randomUUID()}`;
    const amount = amounts[Math.floor(Math.random() * amounts.length)];
    const created = await authed('POST', '/api/payments', { body: { amount, currency: 'USD', description: intent }, idempotencyKey: `create-${intent}` });
    if (created.status !== 201) return note('create payment', { status: created.status, body: created.body });
    const payment = created.body.payment;
    ledger.acknowledged.payments.set(payment.id, { userId: user.id, amount, description: intent, captured: false, refunds: [] });
    rememberKeyed(ledger, { client: index, kind: 'payment', path: '/api/payments', token: tokens.find((t) => t.live)?.token, body: { amount, currency: 'USD', description: intent }, key: `create-${intent}`, status: 201, id: payment.id });

    const read = await authed('GET', `/api/payments/${payment.id}`);
    if (read.status === 404) ledger.staleReads.push({ route: 'GET /api/payments/:id', target: read.target, phase: `payments at ${ledger.stages.payments}` });
    else if (read.status !== 200 && read.status < 500) note('read payment', { status: read.status, body: read.body });

    const captured = await authed('POST', `/api/payments/${payment.id}/capture`, { idempotencyKey: `capture-${intent}` });
    if (captured.status === 404) {
      // The capture went to the side the payment has not reached yet: a client retries later.
      ledger.staleReads.push({ route: 'POST /api/payments/:id/capture', target: captured.target, phase: `payments at ${ledger.stages.payments}` });
      return;
    }
    if (captured.status !== 200) return note('capture', { status: captured.status, body: captured.body });
    ledger.acknowledged.payments.get(payment.id).captured = true;

    const refundAmount = (Number(amount) / 4).toFixed(2);
    if (Number(refundAmount) > 0) {
      const refund = await authed('POST', `/api/payments/${payment.id}/refunds`, { body: { amount: refundAmount }, idempotencyKey: `refund-${intent}` });
      if (refund.status === 201 || refund.status === 200) {
        ledger.acknowledged.payments.get(payment.id).refunds.push(refundAmount);
        if (refund.body?.refund?.id) rememberKeyed(ledger, { client: index, kind: 'refund', path: `/api/payments/${payment.id}/refunds`, token: tokens.find((t) => t.live)?.token, body: { amount: refundAmount }, key: `refund-${intent}`, status: refund.status, id: refund.body.refund.id });
      }
      else if (refund.status === 404 || (refund.status === 409 && refund.body?.code === 'PAYMENT_INVALID_TRANSITION')) ledger.staleReads.push({ route: 'POST /api/payments/:id/refunds', target: refund.target, phase: `payments at ${ledger.stages.payments}` });
      else note('refund', { status: refund.status, body: refund.body });
    }
    const list = await authed('GET', '/api/payments?limit=5');
    if (list.status !== 200 && list.status < 500) note('list payments', { status: list.status, body: list.body });
  }

  async function checkout(user) {
    // One device: the order, its checkout and the read-back carry one token (read-your-writes is promised
    // per caller; another token of the same user shares the pin only once the edge knows whose it is).
    const device = randomLiveSession();
    const placed = await authed('POST', '/api/orders', { body: { items: [{ sku: 'SKU-1', quantity: 2, unitPrice: '3.50' }], currency: 'USD' } }, device);
    if (placed.status !== 201) return note('place order', { status: placed.status, body: placed.body });
    const paid = await authed('POST', `/api/orders/${placed.body.order.id}/checkout`, { expect: [409] }, device);
    if (paid.status === 200) {
      ledger.acknowledged.orders.push({ orderId: placed.body.order.id, paymentId: paid.body.payment.id, userId: user.id });
      // The buyer reads their payment back at once (issue #11 §4: it was 404 from the service).
      const checkedOutAt = Date.now();
      const read = await authed('GET', `/api/payments/${paid.body.payment.id}`, undefined, device);
      if (read.status === 404) {
        // A re-send of this buyer's keyed write (resendKeyed, right after a flip) that ran beside the
        // checkout wrote on the other side more recently: read-your-writes follows the newest write
        // (decision 0012), which cannot hold both. That is the drill's own doing, reported apart.
        const concurrent = (ledger.resentAt.get(index) ?? 0) >= checkedOutAt - READ_YOUR_WRITES_MS;
        ledger.staleReads.push({ route: concurrent ? 'GET /api/payments/:id after checkout, beside a re-sent write' : 'GET /api/payments/:id after checkout', target: read.target, phase: `payments at ${ledger.stages.payments}` });
      }
      else if (read.status !== 200 && read.status < 500) note('read after checkout', { status: read.status, body: read.body });
    }
    else if (!(paid.status === 409 && paid.body?.code === 'ORDER_ALREADY_PAID')) note('checkout', { status: paid.status, body: paid.body });
  }

  async function me(user) {
    const answer = await authed('GET', '/api/auth/me');
    if (answer.status === 200 && answer.body.user.id !== user.id) note('me', { problem: 'another user', got: answer.body.user.id });
    else if (answer.status !== 200 && answer.status !== 401 && answer.status < 500) note('me', { status: answer.status, body: answer.body });
  }

  async function loginAgain(user) {
    const answer = await call(edgeUrl, ledger, 'POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
    if (answer.status === 200) tokens.push({ token: answer.body.token, live: true });
    else note('login', { status: answer.status, body: answer.body });
  }

  async function logoutOldest() {
    const live = tokens.filter((t) => t.live);
    if (live.length < 2) return;
    const session = live[0];
    const answer = await call(edgeUrl, ledger, 'POST', '/api/auth/logout', { token: session.token, expect: [401] });
    if (answer.status === 204 || answer.status === 401) {
      // 401 after a retried logout: the first attempt had ended it.
      session.live = false;
      ledger.acknowledged.logouts += 1;
      ledger.loggedOut.push(session.token);
      const after = await call(edgeUrl, ledger, 'GET', '/api/auth/me', { token: session.token });
      if (after.status !== 401) note('after logout', { status: after.status, problem: 'a logged-out token still works' });
    } else note('logout', { status: answer.status, body: answer.body });
  }

  const done = (async () => {
    let user;
    for (let round = 0; running; round++) {
      try {
        if (!user) {
          user = await register();
          if (!user) {
            await sleep(200);
            continue;
          }
        }
        await me(user);
        await paymentRound(user);
        if (round % 3 === 2) await checkout(user);
        if (round % 5 === 4) await loginAgain(user);
        if (round % 7 === 6) await logoutOldest();
        // A new user now and then, so registration and first logins happen at every stage.
        // A person, not a load generator: a pause between visits keeps the machine's headroom for the drill.
        await sleep(THINK_MS * (0.5 + Math.random()));
        if (round % 11 === 10) {
          user = undefined;
          tokens.length = 0;
        }
      } catch (error) {
        note('client error', { error: String(error?.stack ?? error) });
        await sleep(100);
      }
    }
  })();

  return {
    stop() {
      running = false;
      return done;
    },
  };
}

/**
 * Users whose only job is a burst of concurrent requests at a chosen moment (right before a process is
 * killed), so that requests are in flight when it dies. Same retries, same ledger as the clients.
 *   payments: keyed payment creations (refused while the service is down, retried with the same key);
 *   auth: logins and registrations (unkeyed: the edge must not replay them; the client retries).
 */
export async function prepareBurst(edgeUrl, ledger, users = 6) {
  const sessions = [];
  for (let i = 0; i < users; i++) {
    const email = `drill-burst-${randomUUID()}@example.com`;
    const password = `pw-${randomUUID()}`;
    const answer = await call(edgeUrl, ledger, 'POST', '/api/auth/register', { body: { email, password, name: `Burst ${i}` } });
    if (answer.status !== 201) throw new Error(`burst user registration → ${answer.status} ${JSON.stringify(answer.body)}`);
    ledger.acknowledged.users.set(answer.body.user.id, { email });
    sessions.push({ id: answer.body.user.id, email, password, token: answer.body.token });
  }
  const payment = async (user) => {
    const intent = `drill-${randomUUID()}`;
    const answer = await call(edgeUrl, ledger, 'POST', '/api/payments', { token: user.token, body: { amount: '10.00', currency: 'USD', description: intent }, idempotencyKey: `create-${intent}` });
    if (answer.status === 201) ledger.acknowledged.payments.set(answer.body.payment.id, { userId: user.id, amount: '10.00', description: intent, captured: false, refunds: [] });
    else if (answer.status === 401) ledger.lostSessions.push({ client: 'burst', route: 'POST /api/payments', target: answer.target, code: answer.body?.code, phase: ledger.phase });
    else ledger.unexpected.push({ client: 'burst', kind: 'create payment', status: answer.status, body: answer.body, phase: ledger.phase });
  };
  const login = async (user) => {
    const answer = await call(edgeUrl, ledger, 'POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
    if (answer.status !== 200) return ledger.unexpected.push({ client: 'burst', kind: 'login', status: answer.status, body: answer.body, phase: ledger.phase });
    const me = await call(edgeUrl, ledger, 'GET', '/api/auth/me', { token: answer.body.token });
    if (me.status === 401) ledger.lostSessions.push({ client: 'burst', route: 'GET /api/auth/me', target: me.target, code: me.body?.code, phase: ledger.phase });
  };
  const register = async (i) => {
    const email = `drill-burst-${randomUUID()}@example.com`;
    const password = `pw-${randomUUID()}`;
    let answer = await call(edgeUrl, ledger, 'POST', '/api/auth/register', { body: { email, password, name: `Burst ${i}` }, expect: [409] });
    // 409 after a retry: the first attempt created the account before its answer was lost.
    if (answer.status === 409) answer = await call(edgeUrl, ledger, 'POST', '/api/auth/login', { body: { email, password } });
    if (answer.status === 201 || answer.status === 200) ledger.acknowledged.users.set(answer.body.user.id, { email });
    else ledger.unexpected.push({ client: 'burst', kind: 'register', status: answer.status, body: answer.body, phase: ledger.phase });
  };
  return {
    /** Starts the burst; resolves when every request has its final answer. */
    fire(kind, perUser = 4) {
      const work = sessions.flatMap((user, u) =>
        Array.from({ length: perUser }, (_, k) => (kind === 'payments' ? payment(user) : k % 2 ? login(user) : register(u * perUser + k))),
      );
      return Promise.all(work);
    },
  };
}
