import type { Knex } from 'knex';
import { isMysql, type Invariant } from '../index';

/** Exact (binary) comparison on MySQL, whose default collations ignore case. */
const exactlyDiffers = (db: Knex, a: string, b: string) => (isMysql(db) ? `cast(${a} as binary) <> cast(${b} as binary)` : `${a} <> ${b}`);

export const authInvariants: readonly Invariant[] = [
  {
    kind: 'side',
    name: 'one-user-per-email',
    rule: 'one user per email, case-insensitively',
    async check(db) {
      const rows = (await db('users').select(db.raw('lower(email) as email')).count({ n: '*' }).groupByRaw('lower(email)').havingRaw('count(*) > 1').limit(100)) as Array<{ email: string; n: unknown }>;
      return rows.map((row) => ({ key: [row.email], detail: `${Number(row.n)} users share the email ${row.email}` }));
    },
  },
  {
    kind: 'side',
    name: 'emails-normalised',
    rule: 'emails are stored trimmed and lower-case (both APIs normalise them; the auth service relies on it)',
    async check(db) {
      const rows = (await db('users').whereRaw(exactlyDiffers(db, 'email', 'lower(trim(email))')).select('id', 'email').limit(100)) as Array<{ id: string; email: string }>;
      return rows.map((row) => ({ key: [row.id], detail: `email ${JSON.stringify(row.email)}` }));
    },
  },
  {
    kind: 'across',
    name: 'one-user-per-email-across-sides',
    rule: 'an email belongs to the same user on both sides',
    mapping: 'users',
    async check(difference, dbs) {
      if (difference.kind !== 'missing-on-service' && difference.kind !== 'missing-on-monolith') return undefined;
      const [present, missing] = difference.kind === 'missing-on-service' ? (['monolith', 'service'] as const) : (['service', 'monolith'] as const);
      const user = (await dbs[present]('users').where({ id: difference.key[0] }).first('email')) as { email: string } | undefined;
      if (!user) return undefined;
      // Both sides store emails lower-case (emails-normalised checks that): the unique index finds it.
      const other = (await dbs[missing]('users').where({ email: user.email.toLowerCase() }).first('id')) as { id: string } | undefined;
      return other && other.id !== difference.key[0] ? `${user.email} is user ${difference.key[0]} on the ${present} and user ${other.id} on the ${missing}` : undefined;
    },
  },
];
