import type { ServerResponse } from 'node:http';
import { WriteFences } from '../src/consistency/write-fence';
import { echo, eventually, jsonOf, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

const ADMIN_TOKEN = 'admin-token-0123456789abcdef0123456789';

/** Fences on a test clock: `clock.wall` and `clock.mono` move separately (a stepped wall clock). */
function fencesOn(clock: { wall: number; mono: number }, skewMarginMs = 0) {
  return new WriteFences({ wall: () => clock.wall, monotonic: () => clock.mono, skewMarginMs, maxWriteDeadlineMs: 60_000, bootId: 'boot-1' });
}
const aWrite = (complete = true) => ({ aborted: 0, bodyComplete: () => complete, abort() { this.aborted += 1; } });
const ANSWERED = { answered: true } as const;

describe('WriteFences', () => {
  it('is raised while any owner holds it, each hold expiring on its own', () => {
    const clock = { wall: 1_000, mono: 1_000 };
    const fences = fencesOn(clock);
    fences.raise('payments', 'flip-a', 500);
    fences.raise('payments', 'rollback-b', 2_000);
    expect(fences.lower('payments', 'flip-a')).toMatchObject({ raised: true, expiresAt: 3_000 });
    clock.wall = clock.mono = 2_999;
    expect(fences.ticket(['payments'])).toEqual({ ok: false, capability: 'payments', until: 3_000 });
    clock.wall = clock.mono = 3_000;
    const ticket = fences.ticket(['payments']);
    if (!ticket.ok) throw new Error('refused');
    expect(fences.admit(ticket, aWrite()).ok).toBe(true);
    expect(fences.snapshot('payments')).toEqual({ capability: 'payments', raised: false, holds: [], inFlightWrites: 1, inDoubtWrites: 0, bootId: 'boot-1' });
  });

  it('refuses a write that arrived before a fence was raised, even once it is lowered (it was routed by the old flag)', () => {
    const fences = fencesOn({ wall: 0, mono: 0 });
    const ticket = fences.ticket(['payments']);
    if (!ticket.ok) throw new Error('refused');
    fences.raise('payments', 'switch', 1_000);
    fences.lower('payments', 'switch');
    expect(fences.admit(ticket, aWrite())).toMatchObject({ ok: false, capability: 'payments' });
    expect(fences.snapshot('payments').inFlightWrites).toBe(0);
  });

  it('counts a write let through until it is answered, once', () => {
    const fences = fencesOn({ wall: 0, mono: 0 });
    const ticket = fences.ticket(['payments']);
    if (!ticket.ok) throw new Error('refused');
    const first = fences.admit(ticket, aWrite());
    if (!first.ok) throw new Error('refused');
    fences.raise('payments', 'op', 1_000);
    expect(fences.snapshot('payments')).toMatchObject({ raised: true, inFlightWrites: 1 });
    first.done(ANSWERED);
    first.done(ANSWERED);
    expect(fences.snapshot('payments').inFlightWrites).toBe(0);
    expect(fences.snapshot('auth')).toEqual({ capability: 'auth', raised: false, holds: [], inFlightWrites: 0, inDoubtWrites: 0, bootId: 'boot-1' });
  });

  // Red team break 1–3: the edge stopped waiting (its timeout, a client hang-up) while a frozen
  // upstream still held the write; the count dropped to 0 and a switch saw nothing to drain.
  it('keeps a write the edge stopped waiting for in doubt until its deadline plus the skew margin', () => {
    const clock = { wall: 50_000, mono: 10 };
    const fences = fencesOn(clock, 2_000);
    const ticket = fences.ticket(['payments']);
    if (!ticket.ok) throw new Error('refused');
    const admitted = fences.admit(ticket, aWrite());
    if (!admitted.ok) throw new Error('refused');
    clock.wall += 1_500;
    clock.mono += 1_500;
    admitted.done({ answered: false, deadline: 51_500 });
    expect(fences.snapshot('payments')).toMatchObject({ inFlightWrites: 1, inDoubtWrites: 1, inDoubtUntil: 53_500 });
    clock.mono += 1_999;
    expect(fences.snapshot('payments').inFlightWrites).toBe(1);
    clock.mono += 1;
    expect(fences.snapshot('payments')).toMatchObject({ inFlightWrites: 0, inDoubtWrites: 0 });
  });

  // Red team break 5: one client trickling an unkeyed write's body held every switch's drain.
  it('aborts, when a fence rises, the writes whose body is still arriving (nothing can act on half a body)', () => {
    const fences = fencesOn({ wall: 0, mono: 0 });
    const partial = aWrite(false);
    const whole = aWrite(true);
    for (const write of [partial, whole]) {
      const ticket = fences.ticket(['payments']);
      if (!ticket.ok || !fences.admit(ticket, write).ok) throw new Error('refused');
    }
    fences.raise('auth', 'op', 1_000);
    expect(partial.aborted).toBe(0);
    fences.raise('payments', 'op', 1_000);
    expect([partial.aborted, whole.aborted]).toEqual([1, 0]);
  });

  // Red team break 6: an edge that never applied the written flag lost its fence by TTL and became a second writer.
  it('keeps a hold raised with `until` past its TTL until the edge routes by that flag', () => {
    const clock = { wall: 0, mono: 0 };
    let routed = { stage: 'live', percentage: 100 };
    const fences = new WriteFences({ wall: () => clock.wall, monotonic: () => clock.mono, skewMarginMs: 0, maxWriteDeadlineMs: 60_000, bootId: 'b', routedAs: () => routed });
    fences.raise('payments', 'switch', 1_000, { stage: 'monolith', percentage: 0 });
    clock.mono = clock.wall = 60_000;
    expect(fences.snapshot('payments').raised).toBe(true);
    routed = { stage: 'monolith', percentage: 0 };
    expect(fences.snapshot('payments')).toMatchObject({ raised: false, holds: [] });
  });

  // Red team break 8: holds were epoch times on the wall clock.
  it('times holds by the monotonic clock: a wall clock stepping forward or back moves no hold', () => {
    const clock = { wall: 1_000_000, mono: 0 };
    const fences = fencesOn(clock);
    fences.raise('payments', 'switch', 20_000);
    clock.wall += 30_000;
    expect(fences.snapshot('payments')).toMatchObject({ raised: true, expiresAt: 1_050_000 });
    clock.wall -= 3_630_000;
    clock.mono += 20_000;
    expect(fences.snapshot('payments').raised).toBe(false);
  });
});

describe('the write fence on the edge (decision 0018)', () => {
  let monolith: TestUpstream;
  let service: TestUpstream;
  let edge: TestEdge;
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    service = await startUpstream({ name: 'payments' });
    const routes = standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url });
    routes.capabilities.payments!.writtenThrough = [{ methods: 'POST', path: '/api/orders/:id/checkout' }];
    edge = await startTestEdge({
      routes,
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'live', rollout: 100 },
      ],
      env: { EDGE_ADMIN_TOKEN: ADMIN_TOKEN, RETRY_AFTER_SECONDS: '2' },
    });
  });
  afterAll(async () => {
    for (const res of held) res.end();
    await edge.stop();
    await Promise.all([monolith.stop(), service.stop()]);
  });
  beforeEach(() => {
    service.handle(echo);
  });

  const admin = (method: string, path: string, body?: unknown, token = ADMIN_TOKEN) =>
    fetch(`${edge.url}/_edge${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const send = (method: string, path: string, headers: Record<string, string> = {}) =>
    fetch(`${edge.url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(method === 'GET' ? {} : { body: '{"amount":"1.00","currency":"USD"}' }) });
  const fenceOf = async (capability: string) =>
    ((await jsonOf(admin('GET', '/fences'))).fences as Array<{ capability: string; raised: boolean; inFlightWrites: number }>).find((f) => f.capability === capability)!;

  it('is raised and lowered only with the admin token, and checks what it is given', async () => {
    expect((await admin('PUT', '/fences/payments', { owner: 'op-1', ttlMs: 1_000 }, 'wrong')).status).toBe(401);
    const bad = await admin('PUT', '/fences/payments', { owner: 'has space', ttlMs: 0 });
    expect(bad.status).toBe(400);
    expect(await jsonOf(bad)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'owner' }, { field: 'ttlMs' }] });
    expect((await admin('PUT', '/fences/orders', { owner: 'op-1', ttlMs: 1_000 })).status).toBe(404);
    expect((await fenceOf('payments')).raised).toBe(false);
  });

  it('refuses the capability’s writes with 503 WRITE_FENCED and Retry-After, reads and other capabilities flowing', async () => {
    const raised = await jsonOf(admin('PUT', '/fences/payments', { owner: 'op-1', ttlMs: 30_000 }));
    expect(raised).toMatchObject({ capability: 'payments', raised: true, holds: [{ owner: 'op-1' }] });
    const before = { service: service.requests.length, monolith: monolith.requests.length };

    const write = await send('POST', '/api/payments', { 'idempotency-key': 'k-fenced' });
    expect(write.status).toBe(503);
    expect(write.headers.get('retry-after')).toBe('2');
    expect(write.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await jsonOf(write)).toMatchObject({ code: 'WRITE_FENCED', status: 503, retryable: true, capability: 'payments' });
    // A monolith route that writes payments (checkout) is fenced with it; other monolith writes are not.
    expect((await send('POST', '/api/orders/o1/checkout')).status).toBe(503);
    expect((await send('POST', '/api/orders')).status).toBe(200);
    expect((await send('POST', '/api/auth/login')).status).toBe(200);
    expect((await send('GET', '/api/payments/p1')).status).toBe(200);
    expect(service.requests.length - before.service).toBe(1);
    expect(monolith.requests.map((r) => r.url).slice(before.monolith)).toEqual(['/api/orders', '/api/auth/login']);

    const metrics = await edge.metrics();
    expect(metrics).toMatch(/edge_write_fence_raised\{capability="payments"[^}]*\} 1/);
    expect(metrics).toMatch(/edge_write_fence_raised\{capability="auth"[^}]*\} 0/);
    expect(metrics).toMatch(/edge_refused_requests_total\{code="WRITE_FENCED"[^}]*\} [2-9]/);
    await admin('DELETE', '/fences/payments/op-1');
    expect((await send('POST', '/api/payments', { 'idempotency-key': 'k-after' })).status).toBe(200);
    expect(await edge.metrics()).toMatch(/edge_write_fence_raised\{capability="payments"[^}]*\} 0/);
  });

  it('stays raised until every owner has lowered it', async () => {
    await admin('PUT', '/fences/payments', { owner: 'flip-a', ttlMs: 30_000 });
    await admin('PUT', '/fences/payments', { owner: 'rollback-b', ttlMs: 30_000 });
    await admin('DELETE', '/fences/payments/flip-a');
    expect((await send('POST', '/api/payments/p1/refunds')).status).toBe(503);
    await admin('DELETE', '/fences/payments/rollback-b');
    expect((await send('POST', '/api/payments/p1/refunds')).status).toBe(200);
  });

  it('lowers itself when its hold expires (a CLI that died mid-switch)', async () => {
    await admin('PUT', '/fences/payments', { owner: 'gone', ttlMs: 300 });
    expect((await send('POST', '/api/payments/p1/void')).status).toBe(503);
    await eventually(async () => (await send('POST', '/api/payments/p1/void')).status === 200);
  });

  // Found trying to break it: a client trickling the body of a keyed write held the drain (it was
  // counted from arrival), so every switch was refused while it lasted; and once the switch was over,
  // its body complete, it went to the side the old flag had chosen.
  it('a write still arriving holds no drain, and is refused if a fence went up meanwhile', async () => {
    const url = new URL(edge.url);
    const { connect } = await import('node:net');
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    const body = '{"amount":"1.00","currency":"USD"}';
    socket.write(`POST /api/payments HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nidempotency-key: k-trickle\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fenceOf('payments')).inFlightWrites).toBe(0);
    await admin('PUT', '/fences/payments', { owner: 'switch', ttlMs: 30_000 });
    await admin('DELETE', '/fences/payments/switch');
    const before = service.requests.length;
    socket.write(body.slice(5));
    await eventually(() => answer.includes('\r\n\r\n') && answer.includes('}'));
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 503/);
    expect(answer).toMatch(/WRITE_FENCED/);
    expect(service.requests.length).toBe(before);
  });

  it('counts writes let through before it was raised until they are answered (what a switch drains)', async () => {
    service.handle((_req, res) => held.push(res));
    const inFlight = send('POST', '/api/payments/p1/capture', { 'idempotency-key': 'k-slow' });
    await eventually(async () => (await fenceOf('payments')).inFlightWrites === 1);
    await admin('PUT', '/fences/payments', { owner: 'op-2', ttlMs: 30_000 });
    expect(await fenceOf('payments')).toMatchObject({ raised: true, inFlightWrites: 1 });
    held.shift()!.end('{}');
    expect((await inFlight).status).toBe(200);
    await eventually(async () => (await fenceOf('payments')).inFlightWrites === 0);
    await admin('DELETE', '/fences/payments/op-2');
  });
});

// Decision 0038, amendment 2: an edge restarted after a crash counts the writes it may have had in flight
// in doubt for one longest deadline (UPSTREAM_TOTAL_TIMEOUT_MS): no deadline it sends may be later. A
// declared length at the minimum rate alone would have made it hours (10 MB at 1 KiB/s).
describe("a write's deadline", () => {
  let monolith: TestUpstream;
  let service: TestUpstream;
  let edge: TestEdge;
  const deadlines: number[] = [];
  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    service = await startUpstream({
      name: 'payments',
      streaming: (req) => {
        deadlines.push(Number(req.headers['x-strangler-write-deadline']));
        req.resume();
      },
    });
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url }),
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'live', rollout: 100 },
      ],
      env: { UPSTREAM_QUEUE_TIMEOUT_MS: '300', UPSTREAM_RESPONSE_TIMEOUT_MS: '400', UPSTREAM_TOTAL_TIMEOUT_MS: '5000' },
    });
  });
  afterAll(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), service.stop()]);
  });

  it('is never beyond the whole call’s cap, however long the declared body would take at the minimum rate', async () => {
    const url = new URL(edge.url);
    const { connect } = await import('node:net');
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    const sent = Date.now();
    socket.write(`POST /api/payments HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n{"amount":`);
    await eventually(() => deadlines.length === 1, 5_000, 10);
    socket.destroy();
    expect(deadlines[0]).toBeGreaterThanOrEqual(sent + 5_000);
    expect(deadlines[0]).toBeLessThanOrEqual(Date.now() + 5_000);
  });
});
