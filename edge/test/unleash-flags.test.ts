import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PayloadType, Unleash, UnleashEvents, type Context } from 'unleash-client';
import type { Stage } from '@strangler/cutover-model';
import { createLogger } from '@strangler/kit';
import { postgresAvailable } from '@strangler/kit/testing';
import { createFlagSource, evaluateCapability, type FlagSource } from '../src/flags';
import { startUnleashServer, type UnleashTestServer } from '../src/testing';

/**
 * Flags from a real unleash-server 8.2.0 (one start for the whole file, on a fresh PostgreSQL
 * database), read two ways, and every scenario asserted for both:
 *  - `client`: unleash-client 6.12.1 configured as the edge configures it (url + backend token, short
 *    refresh, backup directory, error listener);
 *  - `edge`: the edge's own flag source (createFlagSource + evaluateCapability from src/flags).
 * The server-down scenarios come last: they stop the server.
 */
const describeWithPostgres = postgresAvailable() ? describe : describe.skip;

const REFRESH_MS = 200;
/** unleash-server 8.2.0 re-reads its configuration revision once a second (scheduler job updateMaxRevisionId). */
const SERVER_REVISION_TICK_MS = 1_000;
const FLAG = 'edge.payments';
const CAPABILITY = 'payments';
const USERS = Array.from({ length: 2000 }, (_, i) => `user-${i}`);

interface Evaluation {
  inRollout: boolean;
  /** The stage the request is served at when in the rollout; undefined when out (the monolith serves). */
  stage: Stage | undefined;
}

/** One way of reading flags: what the scenarios need from it. */
interface FlagReader {
  name: 'client' | 'edge';
  evaluate(context: Context): Promise<Evaluation>;
  whenReady(timeoutMs: number): Promise<boolean>;
  synchronized(): boolean;
  errors(): number;
  lastError(): string | undefined;
  close(): Promise<void>;
}

/**
 * unleash-client's repository drops its listeners on destroy(); a fetch still in flight that then fails
 * emits an unhandled 'error' and crashes the process. So: wait for the current fetch to settle (any
 * fetch outcome event), then destroy before the next one is due.
 */
function destroySafely(unleash: Unleash): Promise<void> {
  const outcomes = [UnleashEvents.Error, UnleashEvents.Unchanged, UnleashEvents.Changed, UnleashEvents.Warn];
  return new Promise((resolve) => {
    const done = () => {
      for (const event of outcomes) unleash.off(event, done);
      setImmediate(() => {
        unleash.destroy();
        resolve();
      });
    };
    for (const event of outcomes) unleash.on(event, done);
  });
}

function clientReader(apiUrl: string, token: string, backupPath: string): FlagReader {
  const errors: Error[] = [];
  let synchronized = false;
  const unleash = new Unleash({
    appName: 'strangler-edge',
    url: apiUrl,
    customHeaders: { Authorization: token },
    refreshInterval: REFRESH_MS,
    // unleash-client retries a failed fetch with a 1 s minimum back-off: below 1 s every fetch times out.
    timeout: 1_000,
    backupPath,
    skipInstanceCountWarning: true,
  });
  unleash.on(UnleashEvents.Error, (error: Error) => errors.push(error));
  unleash.on(UnleashEvents.Warn, () => undefined);
  unleash.on(UnleashEvents.Synchronized, () => (synchronized = true));
  let ready = false;
  unleash.on(UnleashEvents.Ready, () => (ready = true));
  return {
    name: 'client',
    async evaluate(context) {
      const variant = unleash.getVariant(FLAG, context);
      const inRollout = unleash.isEnabled(FLAG, context, false);
      const stage = variant.enabled && variant.payload?.type === PayloadType.JSON ? (JSON.parse(variant.payload.value) as { stage: Stage }).stage : undefined;
      return { inRollout, stage: inRollout ? stage : undefined };
    },
    whenReady: (timeoutMs) =>
      ready
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve(ready), timeoutMs);
            unleash.once(UnleashEvents.Ready, () => {
              clearTimeout(timer);
              resolve(true);
            });
          }),
    synchronized: () => synchronized,
    errors: () => errors.length,
    lastError: () => errors.at(-1)?.message,
    close: () => destroySafely(unleash),
  };
}

async function edgeReader(apiUrl: string, token: string, backupDir: string): Promise<FlagReader> {
  let synchronized = false;
  const source: FlagSource = await createFlagSource(
    {
      UNLEASH_URL: apiUrl,
      UNLEASH_API_TOKEN: token,
      UNLEASH_APP_NAME: 'strangler-edge-source',
      UNLEASH_REFRESH_MS: REFRESH_MS,
      UNLEASH_TIMEOUT_MS: 1_000,
      UNLEASH_STALE_AFTER_MS: 30_000,
      UNLEASH_BACKUP_DIR: backupDir,
      UNLEASH_METRICS: true,
      FLAGS_FILE: '/nonexistent/flags.json',
      FILE_WATCH_DEBOUNCE_MS: 100,
    },
    {
      logger: createLogger({ name: 'edge-flags-test', level: 'silent' }),
      observer: { refreshed: () => (synchronized = true), failed: () => undefined },
    },
  );
  return {
    name: 'edge',
    async evaluate(context) {
      const result = await evaluateCapability(() => source.client(), FLAG, async () => context);
      return { inRollout: result.inRollout, stage: result.inRollout ? result.stage : undefined };
    },
    whenReady: (timeoutMs) => source.whenReady(timeoutMs),
    synchronized: () => synchronized,
    errors: () => source.status().errors,
    lastError: () => source.status().lastError,
    close: () => source.close(),
  };
}

async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<{ value: T; elapsedMs: number }> {
  const started = performance.now();
  for (;;) {
    const value = await read();
    if (accept(value)) return { value, elapsedMs: performance.now() - started };
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms (last value ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function usersIn(reader: FlagReader): Promise<Set<string>> {
  const inside = new Set<string>();
  for (const userId of USERS) if ((await reader.evaluate({ userId })).inRollout) inside.add(userId);
  return inside;
}

/** `read` for every reader, keyed by reader name, so a failure says which reader disagrees. */
async function byReader<T>(readers: FlagReader[], read: (reader: FlagReader) => Promise<T>): Promise<Record<string, T>> {
  return Object.fromEntries(await Promise.all(readers.map(async (reader) => [reader.name, await read(reader)] as const)));
}

const forBoth = <T>(value: T) => ({ client: value, edge: value });

describeWithPostgres('flags from a real Unleash server, through unleash-client and through the edge flag source', () => {
  let server: UnleashTestServer;
  let token: string;
  const backupDirs: Record<FlagReader['name'], string> = { client: '', edge: '' };
  const tempRoots: string[] = [];
  let readers: FlagReader[] = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    server = await startUnleashServer();
    Object.assign(timings, { serverStartMs: server.timings.totalMs, migrateAndStartMs: server.timings.startMs });
    token = await server.createBackendToken();
    await server.createFlag(FLAG, { groupId: CAPABILITY });
    await server.setRollout(FLAG, 100, 'live');
    await server.enable(FLAG);
    tempRoots.push(mkdtempSync(path.join(tmpdir(), 'unleash-backup-')));
    backupDirs.client = mkdtempSync(path.join(tempRoots[0]!, 'client-'));
    // The edge source creates its backup directory itself: give it one that does not exist yet.
    backupDirs.edge = path.join(tempRoots[0]!, 'edge', 'nested');
    readers = [clientReader(server.apiUrl, token, backupDirs.client), await edgeReader(server.apiUrl, token, backupDirs.edge)];
    expect(await byReader(readers, (r) => r.whenReady(10_000))).toEqual(forBoth(true));
    await until(async () => readers.every((r) => r.synchronized()), Boolean, 5_000);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(readers.map((reader) => reader.close()));
    await server?.stop();
    for (const dir of tempRoots) rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`[unleash-flags] timings (ms): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}\n`);
  }, 30_000);

  it('sees a flag flipped through the admin API within one server revision tick plus one refresh interval', async () => {
    expect(await byReader(readers, (r) => r.evaluate({ userId: 'user-1' }))).toEqual(forBoth({ inRollout: true, stage: 'live' }));
    const latencies: number[] = [];
    for (let flip = 0; flip < 2; flip++) {
      await server.disable(FLAG);
      const off = await byReader(readers, async (r) => (await until(() => r.evaluate({ userId: 'user-1' }), (e) => !e.inRollout, 5_000)).elapsedMs);
      await server.enable(FLAG);
      const on = await byReader(readers, async (r) => (await until(() => r.evaluate({ userId: 'user-1' }), (e) => e.inRollout, 5_000)).elapsedMs);
      latencies.push(...Object.values(off), ...Object.values(on));
    }
    timings.flipMaxMs = Math.max(...latencies);
    timings.flipMeanMs = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    // The server serves /api/client/features from a cache keyed by a revision it re-reads once a second:
    // a change shows after up to ~1 s there, plus up to one client refresh, plus the request.
    expect(timings.flipMaxMs).toBeLessThan(SERVER_REVISION_TICK_MS + REFRESH_MS + 400);
  });

  it('carries the stage in the strategy variant payload ({"stage": ...}, read through getVariant)', async () => {
    await server.setRollout(FLAG, 100, 'shadow');
    await until(() => byReader(readers, (r) => r.evaluate({ userId: 'user-1' })), (all) => Object.values(all).every((e) => e.stage === 'shadow'), 3_000);

    // Outside the rollout there is no stage at all: the monolith serves.
    await server.setRollout(FLAG, 0, 'shadow');
    const outside = await until(() => byReader(readers, (r) => r.evaluate({ userId: 'user-1' })), (all) => Object.values(all).every((e) => !e.inRollout), 3_000);
    expect(outside.value).toEqual(forBoth({ inRollout: false, stage: undefined }));
  });

  it('keeps each userId in or out while the percentage stands; raising it only moves users in (2000 ids)', async () => {
    await server.setRollout(FLAG, 25, 'reads');
    await until(() => byReader(readers, async (r) => (await usersIn(r)).size), (all) => Object.values(all).every((n) => n > 0 && n < 1000), 3_000);
    const at25 = await byReader(readers, usersIn);
    expect(await byReader(readers, usersIn)).toEqual(at25); // the same answer on every evaluation
    expect(at25.edge).toEqual(at25.client); // same bucketing: the edge evaluates with unleash-client itself
    expect(at25.client!.size).toBeGreaterThan(2000 * 0.2);
    expect(at25.client!.size).toBeLessThan(2000 * 0.3);

    await server.setRollout(FLAG, 50, 'reads');
    await until(() => byReader(readers, async (r) => (await usersIn(r)).size), (all) => Object.values(all).every((n) => n > at25.client!.size + 200), 3_000);
    const at50 = await byReader(readers, usersIn);
    expect(at50.edge).toEqual(at50.client);
    expect(at50.client!.size).toBeGreaterThan(2000 * 0.45);
    expect(at50.client!.size).toBeLessThan(2000 * 0.55);
    expect([...at25.client!].filter((userId) => !at50.client!.has(userId))).toEqual([]); // nobody moved out
    expect(await byReader(readers, async (r) => (await r.evaluate({ userId: [...at50.client!][0]! })).stage)).toEqual(forBoth('reads'));
  });

  it('gives a stable answer to a caller with only a sessionId (default stickiness)', async () => {
    const sessions = Array.from({ length: 500 }, (_, i) => `session-${i}`);
    const answers = (r: FlagReader) => Promise.all(sessions.map(async (sessionId) => (await r.evaluate({ sessionId })).inRollout));
    const first = await byReader(readers, answers);
    expect(first.edge).toEqual(first.client);
    for (let round = 0; round < 3; round++) expect(await byReader(readers, answers)).toEqual(first);
    const share = first.client!.filter(Boolean).length / sessions.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
  });

  it('keeps the last known flags when Unleash goes down: errors are emitted, nothing crashes', async () => {
    const before = await byReader(readers, usersIn);
    const errorsBefore = await byReader(readers, async (r) => r.errors());
    const stopStarted = performance.now();
    await server.stop();
    timings.serverStopMs = performance.now() - stopStarted;
    expect(server.running()).toBe(false);

    // A failed fetch surfaces after unleash-client's own retries (1 s, then 2 s back-off).
    const downDetected = performance.now();
    await until(() => byReader(readers, async (r) => r.errors() > errorsBefore[r.name]!), (all) => Object.values(all).every(Boolean), 10_000);
    timings.errorAfterStopMs = performance.now() - downDetected;
    expect(await byReader(readers, async (r) => r.lastError())).toEqual(forBoth(expect.stringMatching(/ECONNREFUSED|connect/)));
    expect(await byReader(readers, usersIn)).toEqual(before);
  }, 20_000);

  it('starts new readers while Unleash is down from the backup file, routing the same users', async () => {
    expect(readdirSync(backupDirs.client)).toEqual(['unleash-backup-strangler-edge.json']);
    expect(readdirSync(backupDirs.edge)).toEqual(['unleash-backup-strangler-edge-source.json']);
    const expected = await byReader(readers, usersIn);
    const fresh = [clientReader(server.apiUrl, token, backupDirs.client), await edgeReader(server.apiUrl, token, backupDirs.edge)];
    try {
      const startedAt = performance.now();
      expect(await byReader(fresh, (r) => r.whenReady(5_000))).toEqual(forBoth(true));
      timings.readyFromBackupMs = performance.now() - startedAt;
      expect(await byReader(fresh, async (r) => r.synchronized())).toEqual(forBoth(false));
      expect(await byReader(fresh, usersIn)).toEqual(expected);
      expect(await byReader(fresh, async (r) => (await r.evaluate({ userId: [...expected.client!][0]! })).stage)).toEqual(forBoth('reads'));
      await until(() => byReader(fresh, async (r) => r.errors() > 0), (all) => Object.values(all).every(Boolean), 10_000);
    } finally {
      await Promise.all(fresh.map((reader) => reader.close()));
    }
  }, 20_000);
});
