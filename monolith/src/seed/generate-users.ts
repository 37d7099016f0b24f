import { legacySha256 } from '@strangler/auth-api';
import { personName } from './person-names';
import { DAY_MS, USER_HISTORY_DAYS, seedUserEmail, type SeedPlan } from './seed-plan';
import type { SeededRandom } from './seeded-random';

export interface SeedUser {
  id: string;
  email: string;
  name: string;
  /** The legacy scheme on purpose: seeded users are what an auth extraction migrates. */
  password: { hash: string; salt: string };
  createdAt: Date;
}

/**
 * Users with sign-up dates over the last two years. Each gets its own salt (drawn from the data
 * stream, so it is reproducible): one SHA-256 per user costs ~2 µs, and distinct hashes keep the
 * table realistic for the auth extraction's upgrade path.
 */
export function* generateUsers(plan: SeedPlan, data: SeededRandom, ids: SeededRandom): Generator<SeedUser> {
  const nowMs = plan.now.getTime();
  const fromMs = nowMs - USER_HISTORY_DAYS * DAY_MS;
  for (let index = 0; index < plan.users; index++) {
    yield {
      id: ids.uuid(),
      email: seedUserEmail(plan.runId, index),
      name: personName(data),
      password: legacySha256(plan.password, data.hex(16)),
      createdAt: data.dateBetween(fromMs, nowMs),
    };
  }
}
