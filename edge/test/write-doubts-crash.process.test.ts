import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { describeDeployableProcess, expectRefusal } from '@strangler/kit/testing';
import { buildFlagsDocument } from '@strangler/cutover-model';
import { eventually, startUpstream, standardRoutes, writeEdgeInputs, type TestUpstream } from '../src/testing';

// Runs the compiled server as `npm run start:edge` does (`npm test` builds first).
const SERVER = path.resolve(__dirname, '../dist/server.js');

interface Fence {
  capability: string;
  inFlightWrites: number;
  inDoubtWrites: number;
  inDoubtUntil?: number;
  bootId: string;
}

/**
 * Decision 0038's known limit, closed by its amendment: an edge that crashed forgot the writes it had
 * in doubt (given up on while the upstream could still do them), so a switch started right after its
 * restart drained nothing and moved the flag while the old writer could still do the write. The edge
 * is a real process, killed with SIGKILL (nothing of it runs after that), and started again on the
 * same EDGE_FENCE_FILE; the payments service accepts connections and never answers.
 */
describeDeployableProcess('an edge killed with writes in doubt', SERVER, ({ run, dir }) => {
  let monolith: TestUpstream;
  let silent: Server;
  const sockets = new Set<Socket>();
  let silentUrl: string;
  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await monolith.stop();
  });

  const edgeEnv = (extra: Record<string, string> = {}) => {
    const { routesFile, manifestsDir } = writeEdgeInputs(dir(), standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: silentUrl }));
    const flags = path.join(dir(), 'flags.json');
    writeFileSync(
      flags,
      JSON.stringify(
        buildFlagsDocument([
          { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
          { capability: 'payments', enabled: true, stage: 'live', rollout: 100 },
        ]),
      ),
    );
    return {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ROUTES_FILE: routesFile,
      ROUTES_BACKUP_FILE: path.join(dir(), 'routes.last-good'),
      MANIFESTS_DIR: manifestsDir,
      FLAGS_FILE: flags,
      UPSTREAM_QUEUE_TIMEOUT_MS: '300',
      UPSTREAM_RESPONSE_TIMEOUT_MS: '400',
      // The longest deadline a write can carry: how long a start after a crash holds its writes in doubt (plus the margin).
      UPSTREAM_TOTAL_TIMEOUT_MS: '1000',
      // Long enough for a process to start again while the write is still in doubt.
      WRITE_DEADLINE_SKEW_MS: '4000',
      READ_YOUR_WRITES_MS: '0',
      ...extra,
    };
  };
  const fenceOf = async (url: string, capability: string): Promise<Fence> => ((await (await fetch(`${url}/_edge/fences`)).json()) as { fences: Fence[] }).fences.find((f) => f.capability === capability)!;
  const paymentsFence = (url: string) => fenceOf(url, 'payments');

  /** A keyed payment the edge gives up on (its response timeout: 503); then the edge is SIGKILLed. */
  async function giveUpThenKill(env: Record<string, string>): Promise<Fence> {
    const proc = run(env);
    const url = await proc.listening();
    const answer = await fetch(`${url}/api/payments`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'K-CRASH' }, body: '{"amount":"5.00","currency":"USD"}' });
    expect([answer.status, answer.headers.get('x-strangler-target')]).toEqual([503, 'service']);
    const before = await paymentsFence(url);
    expect(before).toMatchObject({ inFlightWrites: 1, inDoubtWrites: 1, inDoubtUntil: expect.any(Number) });
    proc.child.kill('SIGKILL');
    expect(await proc.exit).toBeNull();
    return before;
  }

  it('comes back reporting the write in doubt until its time (what a switch drains), then none', async () => {
    const env = edgeEnv({ EDGE_FENCE_FILE: path.join(dir(), 'state', 'fences.json') });
    const before = await giveUpThenKill(env);
    const again = run(env);
    const url = await again.listening();
    const after = await paymentsFence(url);
    expect(after.bootId).not.toBe(before.bootId);
    // The write it gave up on, and (the stop was unclean) one for what payments may have had in flight.
    // On file rounded up to the second: never earlier than the edge reported before the crash.
    expect(after).toMatchObject({ inFlightWrites: 2, inDoubtWrites: 2 });
    expect(after.inDoubtUntil).toBeGreaterThanOrEqual(before.inDoubtUntil!);
    expect(after.inDoubtUntil).toBeLessThanOrEqual(Math.max(before.inDoubtUntil! + 1_000, Date.now() + 1_000 + 4_000));
    expect(again.output()).toContain('restored writes a previous process of this edge gave up on');
    expect(again.output()).toContain('did not stop cleanly');
    await eventually(async () => (await paymentsFence(url)).inDoubtWrites === 0, 10_000, 100);
    expect(Date.now()).toBeGreaterThanOrEqual(after.inDoubtUntil!);
    expect(await paymentsFence(url)).toMatchObject({ inFlightWrites: 0, inDoubtWrites: 0 });
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
  });

  // Decision 0038, amendment 2: a write still awaiting its answer at the crash (not given up on) is not on
  // file; the unclean stop is, and with it which capabilities took writes.
  it('killed with a write still awaiting its answer, it comes back with that capability in doubt for one longest deadline plus the margin from its start', async () => {
    const env = edgeEnv({ EDGE_FENCE_FILE: path.join(dir(), 'fences.json'), UPSTREAM_RESPONSE_TIMEOUT_MS: '2000', UPSTREAM_TOTAL_TIMEOUT_MS: '2000', WRITE_DEADLINE_SKEW_MS: '1000' });
    const proc = run(env);
    const url = await proc.listening();
    const write = fetch(`${url}/api/payments`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'K-IN-FLIGHT' }, body: '{"amount":"5.00","currency":"USD"}' }).catch(() => undefined);
    await eventually(async () => (await paymentsFence(url)).inFlightWrites === 1, 2_000, 20);
    // Sent, not given up on: nothing of it in doubt yet.
    expect(await paymentsFence(url)).toMatchObject({ inDoubtWrites: 0 });
    proc.child.kill('SIGKILL');
    await proc.exit;
    await write;
    const started = Date.now();
    const again = run(env);
    const againUrl = await again.listening();
    const listening = Date.now();
    const after = await paymentsFence(againUrl);
    expect(after).toMatchObject({ inFlightWrites: 1, inDoubtWrites: 1 });
    // From the start (not the crash): UPSTREAM_TOTAL_TIMEOUT_MS + WRITE_DEADLINE_SKEW_MS.
    expect(after.inDoubtUntil).toBeGreaterThanOrEqual(started + 3_000);
    expect(after.inDoubtUntil).toBeLessThanOrEqual(listening + 3_000);
    // auth took no writes: a switch of auth is not held up.
    expect(await fenceOf(againUrl, 'auth')).toMatchObject({ inFlightWrites: 0, inDoubtWrites: 0 });
    // The log names the time /_edge/fences reports (the two are computed from one monotonic reading each: a millisecond apart at most).
    const logged = /did not stop cleanly: the writes it may have had in flight are in doubt \(a switch waits for them\) until (\S+)"/.exec(again.output())?.[1];
    expect(logged).toBeDefined();
    expect(Math.abs(Date.parse(logged!) - after.inDoubtUntil!)).toBeLessThanOrEqual(5);
    await eventually(async () => (await paymentsFence(againUrl)).inDoubtWrites === 0, 6_000, 100);
    expect(Date.now()).toBeGreaterThanOrEqual(after.inDoubtUntil!);
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
  });

  it('stopped gracefully (SIGTERM) after taking writes, it comes back with none in doubt; killed, with them', async () => {
    const file = path.join(dir(), 'fences.json');
    const env = edgeEnv({ EDGE_FENCE_FILE: file });
    // auth is at the monolith stage: its login is answered by the monolith, a write of auth all the same.
    const login = async (url: string) => expect((await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
    const first = run(env);
    await login(await first.listening());
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ running: { wrote: ['auth'] } });
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).not.toHaveProperty('running');
    const second = run(env);
    const url = await second.listening();
    expect(await fenceOf(url, 'auth')).toMatchObject({ inFlightWrites: 0, inDoubtWrites: 0 });
    expect(second.output()).not.toContain('did not stop cleanly');
    await login(url);
    second.child.kill('SIGKILL');
    await second.exit;
    const third = run(env);
    const thirdUrl = await third.listening();
    expect(await fenceOf(thirdUrl, 'auth')).toMatchObject({ inFlightWrites: 1, inDoubtWrites: 1 });
    expect(await fenceOf(thirdUrl, 'payments')).toMatchObject({ inFlightWrites: 0, inDoubtWrites: 0 });
    third.child.kill('SIGTERM');
    expect(await third.exit).toBe(0);
  });

  it('without EDGE_FENCE_FILE it says so at start, and a restart forgets the write (the limit the file closes)', async () => {
    const env = edgeEnv();
    await giveUpThenKill(env);
    const again = run(env);
    const url = await again.listening();
    expect(await paymentsFence(url)).toMatchObject({ inFlightWrites: 0, inDoubtWrites: 0 });
    expect(again.output()).toContain('EDGE_FENCE_FILE is not set');
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
  });

  it('refuses to start on a corrupt fence file, naming it (what it held, holds and doubts, is unknown)', async () => {
    const file = path.join(dir(), 'fences.json');
    writeFileSync(file, '{"holds": [], "doubts": [{"capab');
    await expectRefusal(run(edgeEnv({ EDGE_FENCE_FILE: file })), [`edge: the write fence file ${file} cannot be used`]);
  });
});
