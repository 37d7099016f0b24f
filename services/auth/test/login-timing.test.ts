import { copyMonolithUsersToAuth } from '@strangler/data-engine';
import { insertLegacyUser, startMonolith, type RunningMonolith } from '@strangler/monolith/testing';
import { startAuthService, type RunningAuthService } from '../src/testing';
import { uniqueEmail } from '@strangler/kit/testing';

jest.setTimeout(120_000);

/** Wrong-password logins per kind of email and side; interleaved, so load on the box hits every kind alike. */
const ROUNDS = 31;
/** Medians may differ by this factor at most. Before the fix the monolith showed ~90× (scrypt vs SHA-256). */
const MAX_MEDIAN_RATIO = 1.6;
const noThrottle = { maxFailuresPerAccount: 1_000_000, maxFailuresPerAddress: 1_000_000 };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * No timing oracle (issue #17): a wrong password costs the same for an unknown email, a legacy user
 * and a user whose password was re-hashed, on both sides, over real HTTP and the production
 * password policy. Medians of many interleaved samples, compared with a generous ratio: a cheap
 * path (no hash, or SHA-256 only) is an order of magnitude off, so the bound catches it without
 * flaking on a busy box.
 */
describe('wrong-password logins cost the same whoever the email belongs to, on both sides', () => {
  let monolith: RunningMonolith;
  let service: RunningAuthService;
  const kinds: Record<'unknown' | 'legacy' | 'rehashed', string> = { unknown: uniqueEmail(), legacy: uniqueEmail(), rehashed: uniqueEmail() };
  beforeAll(async () => {
    [monolith, service] = await Promise.all([startMonolith('sqlite', { throttle: noThrottle }), startAuthService('sqlite', { throttle: noThrottle })]);
    const legacy = await insertLegacyUser(monolith.db.knex, { email: kinds.legacy, password: 'right password' });
    const rehashed = await insertLegacyUser(monolith.db.knex, { email: kinds.rehashed, password: 'right password' });
    await copyMonolithUsersToAuth(monolith.db.knex, service.db.knex, { ids: [legacy.id, rehashed.id] });
    for (const side of [monolith, service]) {
      expect((await side.api.post('/api/auth/login', { email: kinds.rehashed, password: 'right password' })).status).toBe(200);
    }
    expect((await monolith.db.knex('users').where({ id: rehashed.id }).first()).password_scheme).toBe('argon2id');
    expect((await service.db.knex('credentials').where({ user_id: rehashed.id }).first()).scheme).toBe('argon2id');
    expect((await service.db.knex('credentials').where({ user_id: legacy.id }).first()).scheme).toBe('legacy-sha256');
  });
  afterAll(async () => {
    await Promise.all([monolith?.stop(), service?.stop()]);
  });

  it('medians of unknown, legacy and re-hashed wrong-password logins are within the ratio on each side', async () => {
    const samples = new Map<string, number[]>();
    const sides = { monolith, 'auth service': service };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [sideName, side] of Object.entries(sides)) {
        const order = Object.entries(kinds).sort(() => Math.random() - 0.5);
        for (const [kind, email] of order) {
          const started = performance.now();
          const res = await side.api.post('/api/auth/login', { email, password: 'wrong password' });
          const elapsed = performance.now() - started;
          expect(res.status).toBe(401);
          // The first round warms connections and code paths.
          if (round > 0) samples.set(`${sideName} ${kind}`, [...(samples.get(`${sideName} ${kind}`) ?? []), elapsed]);
        }
      }
    }
    const medians = Object.fromEntries([...samples].map(([key, values]) => [key, Math.round(median(values) * 10) / 10]));
    if (process.env.SHOW_TIMING) process.stdout.write(`${JSON.stringify(medians)}\n`);
    for (const sideName of Object.keys(sides)) {
      const ofSide = Object.keys(kinds).map((kind) => medians[`${sideName} ${kind}`]!);
      const ratio = Math.max(...ofSide) / Math.min(...ofSide);
      // The message carries every median, so a failure says which path is cheap.
      expect({ side: sideName, ratioWithinBound: ratio <= MAX_MEDIAN_RATIO, medians }).toEqual({ side: sideName, ratioWithinBound: true, medians });
    }
  });
});
