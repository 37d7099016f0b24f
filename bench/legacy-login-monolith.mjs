// The baseline of bench:services' login rows: the monolith as it logged users in before argon2id
// (issue #17's "legacy login"): the same app, routes, database and session writes, with the old
// password check — one salted SHA-256, and a SHA-256 burnt for an unknown email. Never deployed.
import { createDatabase, createLogger, listen } from '@strangler/kit';
import { legacySha256, LoginThrottle, verifyLegacySha256 } from '@strangler/auth-api';
import { migrateLatest, monolithMigrations } from '@strangler/migrations';
import { buildMonolithApp } from '@strangler/monolith';

const NOBODY = { hash: '0'.repeat(64), salt: '0'.repeat(32) };
const legacyPasswords = {
  async hash(password) {
    return { scheme: 'legacy-sha256', ...legacySha256(password), params: null };
  },
  async check(password, stored) {
    if (!stored) {
      verifyLegacySha256(password, NOBODY);
      return { ok: false };
    }
    return verifyLegacySha256(password, stored) ? { ok: true, upgrade: undefined } : { ok: false };
  },
};

const db = createDatabase(process.env.DATABASE_URL);
await migrateLatest(db.knex, monolithMigrations);
const logger = createLogger({ name: 'legacy-login-monolith', level: 'warn' });
const app = buildMonolithApp({ db, logger, sessionTtlMs: 86_400_000, passwords: legacyPasswords, loginThrottle: LoginThrottle.inMemory() });
const server = await listen(app, Number(process.env.PORT));
process.on('SIGTERM', async () => {
  await server.close(1_000);
  await db.close();
  process.exit(0);
});
