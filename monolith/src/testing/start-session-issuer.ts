import { randomUUID } from 'node:crypto';
import { createLogger, systemClock, type Clock } from '@strangler/kit';
import { startOnTestDatabase, TEST_INTERNAL_TOKEN } from '@strangler/kit/testing';
import { migrateLatest, monolithMigrations } from '@strangler/migrations';
import { buildMonolithApp } from '../app';
import type { RunningMonolith } from './start-monolith';

export interface RunningSessionIssuer extends RunningMonolith {
  /** Registers a fresh user here and returns their bearer token and id. */
  newUser(): Promise<{ token: string; userId: string }>;
}

/**
 * A real monolith with its internal session endpoints enabled: it issues the tokens the payments
 * service accepts (and is the reference implementation of the payments API).
 */
export async function startSessionIssuer(
  dialect: 'sqlite' | 'mysql',
  options: { clock?: Clock; internalToken?: string; sessionTtlMs?: number } = {},
): Promise<RunningSessionIssuer> {
  const monolith = await startOnTestDatabase(
    dialect,
    (db) => migrateLatest(db.knex, monolithMigrations),
    (db) =>
      buildMonolithApp({
        db,
        logger: createLogger({ name: 'monolith', level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
        clock: options.clock ?? systemClock,
        sessionTtlMs: options.sessionTtlMs ?? 60 * 60 * 1000,
        internalToken: options.internalToken ?? TEST_INTERNAL_TOKEN,
      }),
  );
  let stopped = false;
  return {
    ...monolith,
    async newUser() {
      const res = await monolith.api.post('/api/auth/register', {
        email: `payer-${randomUUID()}@example.com`,
        password: 'correct horse battery',
        name: 'Payer',
      });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
      return { token: res.body.token as string, userId: res.body.user.id as string };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await monolith.stop();
    },
  };
}
