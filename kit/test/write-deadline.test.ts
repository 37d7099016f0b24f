import { Router } from 'express';
import { createHttpApp } from '../src/http/create-http-app';
import { assertWriteDeadline, WRITE_DEADLINE_HEADER } from '../src/http/write-deadline';
import { writeTransaction } from '../src/http/write-transaction';
import { createDatabase, type Database } from '../src/db/create-database';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-databases';
import { listen, type RunningServer } from '../src/lifecycle/http-server';
import { createLogger } from '../src/logging/logger';

/**
 * The edge's deadline on a forwarded write (decision 0038): a side that finds it passed when the write
 * starts — or right before it commits — refuses it (503, retryable) and does nothing. Red team breaks
 * 1–3: a frozen side thawed and did a write whose retry the other side had already done.
 */
describe('kit write deadline', () => {
  let server: RunningServer;
  const done: string[] = [];
  /** How long the handler works before its "commit" (a side frozen mid-request). */
  let workMs = 0;

  beforeAll(async () => {
    const router = Router();
    router.post('/things', async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, workMs));
      assertWriteDeadline();
      done.push((req.body as { name: string }).name);
      res.status(201).json({ ok: true });
    });
    const { app } = createHttpApp({ service: 'deadline-test', logger: createLogger({ name: 't', level: 'silent' }), readiness: [], routes: [router] });
    server = await listen(app, 0, '127.0.0.1');
  });
  afterAll(() => server.close(0));
  beforeEach(() => {
    done.length = 0;
    workMs = 0;
  });

  const post = (name: string, deadline?: string) =>
    fetch(`${server.url}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(deadline !== undefined ? { [WRITE_DEADLINE_HEADER]: deadline } : {}) },
      body: JSON.stringify({ name }),
    });

  it('does a write with no deadline, or one still ahead', async () => {
    expect((await post('none')).status).toBe(201);
    expect((await post('ahead', String(Date.now() + 60_000))).status).toBe(201);
    expect(done).toEqual(['none', 'ahead']);
  });

  it('refuses a write whose deadline passed before it started: 503 WRITE_DEADLINE_PASSED, retryable, nothing done', async () => {
    const answer = await post('late', String(Date.now() - 1));
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ code: 'WRITE_DEADLINE_PASSED', retryable: true });
    expect(done).toEqual([]);
  });

  it('refuses, before it commits, a write that started in time and ran past its deadline', async () => {
    workMs = 300;
    const answer = await post('slow', String(Date.now() + 100));
    expect(answer.status).toBe(503);
    expect(done).toEqual([]);
  });

  it('ignores a deadline it cannot read (the edge always writes epoch milliseconds)', async () => {
    expect((await post('junk', 'soon')).status).toBe(201);
    expect(done).toEqual(['junk']);
  });
});

/**
 * writeTransaction, the one home of the pre-commit check: what the transaction wrote is rolled back
 * when the deadline passed while it ran, committed when it did not or when there is none.
 */
describe('kit writeTransaction', () => {
  let testDb: TestDatabase;
  let db: Database;
  let server: RunningServer;
  let workMs = 0;

  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite');
    db = createDatabase(testDb.url);
    await db.knex.schema.createTable('things', (t) => t.string('name').primary());
    const router = Router();
    router.post('/things', async (req, res) => {
      await writeTransaction(db.knex, async (trx) => {
        await trx('things').insert({ name: (req.body as { name: string }).name });
        await new Promise((resolve) => setTimeout(resolve, workMs));
      });
      res.status(201).json({ ok: true });
    });
    const { app } = createHttpApp({ service: 'deadline-test', logger: createLogger({ name: 't', level: 'silent' }), readiness: [], routes: [router] });
    server = await listen(app, 0, '127.0.0.1');
  });
  afterAll(async () => {
    await server.close(0);
    await db.close();
    await testDb.drop();
  });

  const post = (name: string, deadline?: number) =>
    fetch(`${server.url}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(deadline !== undefined ? { [WRITE_DEADLINE_HEADER]: String(deadline) } : {}) },
      body: JSON.stringify({ name }),
    });
  const stored = async () => (await db.knex('things').orderBy('name').select('name')).map((row: { name: string }) => row.name);

  it('rolls back a write whose deadline passed while it was in its transaction: 503, nothing stored; commits one in time', async () => {
    workMs = 300;
    const late = await post('late', Date.now() + 100);
    expect(late.status).toBe(503);
    expect(await late.json()).toMatchObject({ code: 'WRITE_DEADLINE_PASSED', retryable: true });
    expect(await stored()).toEqual([]);
    expect((await post('late', Date.now() + 60_000)).status).toBe(201);
    workMs = 0;
    expect((await post('none')).status).toBe(201);
    expect(await stored()).toEqual(['late', 'none']);
  });
});
