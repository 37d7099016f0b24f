import { randomUUID } from 'node:crypto';
import { testDialects } from '@strangler/kit/testing';
import { engineTransaction } from '../src/data/engine-transaction';
import { FlowControl } from '../src/data/flow-control';
import { listQuarantine } from '../src/data/quarantine/quarantine-store';
import { createHarness, waitFor, type Harness } from './support/data-harness';

jest.setTimeout(90_000);

const now = Date.now();
function user(id = randomUUID()) {
  return {
    id,
    email: `t-${id}@example.com`,
    name: 'T',
    password_hash: 'a'.repeat(64),
    password_salt: 'b'.repeat(32),
    password_scheme: 'legacy-sha256',
    password_params: null,
    created_at: new Date(now - 60_000),
    updated_at: new Date(now - 60_000),
  };
}
const session = (userId: string) => ({ token_hash: randomUUID().replace(/-/g, '').padEnd(64, '0'), user_id: userId, created_at: new Date(), expires_at: new Date(now + 3_600_000), revoked_at: null });

/** #13 §3: deletes stay deleted — a backfill holding rows it read, or a child synced back, never brings an erased user back. */
describe.each(testDialects())('deletes stay deleted, on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'auth');
    await h.installCapture();
  });
  afterEach(async () => h?.close());

  it('a user erased while the backfill is paused holding the chunk that has them is not copied; a user changed meanwhile is not reverted', async () => {
    const users = Array.from({ length: 40 }, () => user()).sort((a, b) => (a.id < b.id ? -1 : 1));
    await h.knex('monolith')('users').insert(users);
    const [erased, renamed] = [users[15], users[16]] as [ReturnType<typeof user>, ReturnType<typeof user>];
    const control = new FlowControl();
    let chunks = 0;
    const backfill = h.backfill('to-service', {
      mappings: ['users'],
      initialChunkSize: 10,
      minChunkSize: 10,
      maxChunkSize: 10,
      control,
      // After the first chunk the second is already read (prefetched): pause holding it.
      progress: { update: () => (++chunks === 1 ? control.pause() : undefined), finish: () => undefined },
    });
    await waitFor('the backfill to pause', async () => chunks >= 1);
    await h.knex('monolith')('users').where({ id: erased.id }).delete();
    await h.knex('monolith')('users').where({ id: renamed.id }).update({ name: 'Renamed while paused', updated_at: new Date() });
    await (await h.worker('to-service')).drain();
    control.resume();
    const report = await backfill;
    expect(report.mappings[0]?.counts).toMatchObject({ moved: 2 });

    expect(await h.knex('service')('users').where({ id: erased.id }).first()).toBeUndefined();
    expect((await h.knex('service')('users').where({ id: renamed.id }).first()).name).toBe('Renamed while paused');
    await h.settle();
    expect(await h.knex('service')('users').where({ id: erased.id }).first()).toBeUndefined();
    expect((await h.verify()).ok).toBe(true);
  });

  it('a session the service issued to a user the monolith just erased does not pull the user back into the monolith', async () => {
    const u = user();
    await h.knex('monolith')('users').insert(u);
    await h.backfill('to-service');
    await h.settle();
    // Erased on the monolith; before the sync carries that, the user logs in on the service.
    await h.knex('monolith')('users').where({ id: u.id }).delete();
    const s = session(u.id);
    await h.knex('service')('sessions').insert(s);
    // The service's change is carried first: the session needs its user on the monolith.
    await (await h.worker('to-monolith')).drain();
    expect(await h.knex('monolith')('users').where({ id: u.id }).first()).toBeUndefined();
    expect(await h.knex('monolith')('sessions').where({ token_hash: s.token_hash }).first()).toBeUndefined();
    expect(await listQuarantine(h.knex('monolith'), 'auth', { open: true })).toMatchObject([{ mapping: 'sessions', kind: 'parent-missing', reason: expect.stringMatching(/^its user \[".*"\] is not on the monolith/) }]);
    // Then the erasure reaches the service (its sessions go with it), and the waiting session settles.
    await h.settle();
    for (const side of ['monolith', 'service'] as const) {
      expect(await h.knex(side)('users').where({ id: u.id }).first()).toBeUndefined();
      expect(await h.knex(side)('sessions').where({ token_hash: s.token_hash }).first()).toBeUndefined();
    }
    expect(await listQuarantine(h.knex('monolith'), 'auth', { open: true })).toEqual([]);
    expect((await h.verify()).ok).toBe(true);
  });

  it('a delete carried to the target leaves a tombstone the backfill honours, even re-run from the start', async () => {
    const [a, b] = [user(), user()];
    await h.knex('monolith')('users').insert([a, b]);
    await h.backfill('to-service');
    await h.knex('monolith')('users').where({ id: a.id }).delete();
    await h.settle();
    // The row comes back on the monolith from an old dump, past change capture: a backfill re-run
    // must not spread the erased user again.
    await engineTransaction(h.knex('monolith'), (trx) => trx('users').insert(a));
    expect(await h.pending('monolith')).toBe(0);
    const restart = await h.backfill('to-service', { restart: true });
    expect(restart.mappings[0]?.counts).toMatchObject({ unchanged: 1, tombstoned: 1 });
    expect(await h.knex('service')('users').where({ id: a.id }).first()).toBeUndefined();
    const tombstone = await h.knex('service')('sync_entity_base').where({ capability: 'auth', mapping: 'users', entity_key: JSON.stringify([a.id]) }).first();
    expect(tombstone?.state).toBe('tombstone');
  });
});
