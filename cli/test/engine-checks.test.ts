import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { backlogWithEngine, blockersWithEngine, verifyWithEngine } from '../src/gates/engine-checks';
import { SwitchDatabases } from '../src/gates/switch-databases';
import { createDataSides, type DataSides } from './support/cli-harness';

jest.setTimeout(60_000);

/** The gates' questions to the data engine, answered by its library (typed results, no CLI output read back). */
describe('the gates’ engine checks', () => {
  let sides: DataSides;
  beforeAll(async () => {
    sides = await createDataSides();
  });
  afterAll(async () => {
    await sides?.close();
  });

  const user = () => ({ id: randomUUID(), email: `${randomUUID()}@example.com`, name: 'Ada', password_hash: 'a'.repeat(64), password_salt: 'b'.repeat(32), created_at: new Date(), updated_at: new Date() });

  it('verify passes on equal sides, and names the first difference otherwise', async () => {
    expect(await verifyWithEngine('auth', sides.env)).toEqual({ ok: true, detail: 'both sides equal (0 rows)' });
    const row = user();
    await sides.monolith.knex('users').insert(row);
    const drift = await verifyWithEngine('auth', sides.env);
    expect(drift.ok).toBe(false);
    expect(drift.detail).toBe(`the sides differ — users: 1 (first: missing-on-service ["${row.id}"]) (strangler data verify auth for the report)`);
    await sides.monolith.knex('users').where({ id: row.id }).delete();
  });

  it('reads the backlog and the blockers from the changelogs', async () => {
    const row = user();
    await sides.monolith.knex('users').insert(row);
    const backlog = await backlogWithEngine('auth', sides.env);
    expect(backlog).toMatchObject({ ok: true, byDirection: { 'to-service': { installed: true }, 'to-monolith': { installed: true, pending: 0, oldestAgeSeconds: null } } });
    expect(backlog.ok && backlog.byDirection['to-service'].pending).toBeGreaterThan(0);
    const blockers = await blockersWithEngine('auth', sides.env);
    expect(blockers).toMatchObject({ ok: true, byDirection: { 'to-service': expect.stringMatching(/^waiting on users \[/), 'to-monolith': 'nothing: caught up, nothing quarantined' } });
    await sides.monolith.knex('users').where({ id: row.id }).delete();
  });

  it('says in one sentence why a check could not run', async () => {
    const missing = path.join(tmpdir(), `absent-${randomUUID()}.sqlite`);
    expect(await verifyWithEngine('payments', { ...sides.env, MONOLITH_DATABASE_URL: missing })).toEqual({
      ok: false,
      detail: `verify could not run: the monolith database ${missing} does not exist: check the URL in the manifest's databases, or create it (the shipped example's: npm run migrate)`,
    });
    expect(await backlogWithEngine('orders', sides.env)).toEqual({ ok: false, error: 'the data engine knows no capability orders (it knows auth, payments)' });
    expect(await blockersWithEngine('auth', { ...sides.env, AUTH_DATABASE_URL: 'postgres://x/y' })).toEqual({ ok: false, error: expect.stringMatching(/AUTH_DATABASE_URL/) });
  });

  it('SwitchDatabases answers every read from one engine, a failed read (an unknown capability) leaving the others unharmed', async () => {
    const switching = new SwitchDatabases(sides.env);
    try {
      const first = await switching.read('payments');
      expect(first).toMatchObject({ ok: true, byDirection: { 'to-service': { installed: true } } });
      expect(await switching.read('payments')).toEqual(first);
      expect(await switching.read('orders')).toEqual({ ok: false, error: 'the data engine knows no capability orders (it knows auth, payments)' });
      expect(await switching.read('payments')).toEqual(first);
    } finally {
      await switching.close();
    }
  });
});
