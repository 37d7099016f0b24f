import { parseArgs } from 'node:util';
import { SEED_LIMITS } from './seed-plan';

export interface SeedOptions {
  users: number;
  payments: number;
  orders: number;
  password: string;
  /** Normalised integer text, or undefined for "pick one at random". */
  seed: string | undefined;
}

export type SeedArgs = { kind: 'run'; options: SeedOptions } | { kind: 'help' } | { kind: 'error'; message: string };

export const DEFAULT_SEED_PASSWORD = 'password123';

const count = (n: number) => n.toLocaleString('en-US');

export const SEED_USAGE = `Usage: npm run seed -- [--users N] [--payments N] [--orders N] [--password TEXT] [--seed INT]

Fills the monolith database (DATABASE_URL: a mysql:// URL or a SQLite path, default .data/monolith.sqlite)
with demo data, after applying its migrations. Every run adds new rows; nothing is deleted.
  --users N        users to create (default 10, at most ${count(SEED_LIMITS.users)})
  --payments N     payments spread over those users (default 100, at most ${count(SEED_LIMITS.payments)})
  --orders N       orders with items; paid ones get their own payment (default 0, at most ${count(SEED_LIMITS.orders)})
  --password TEXT  the password of every seeded user (default "${DEFAULT_SEED_PASSWORD}", 8 to 128 characters)
  --seed INT       makes names, amounts, statuses and dates repeatable (ids and emails still differ per run)
  -h, --help       show this help`;

const COUNT_OPTIONS = ['users', 'payments', 'orders'] as const;

/** Parses and validates the command line; never throws and never exits, so tests can call it. */
export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  let values: Partial<Record<(typeof COUNT_OPTIONS)[number] | 'password' | 'seed', string>> & { help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        users: { type: 'string' },
        payments: { type: 'string' },
        orders: { type: 'string' },
        password: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };

  const counts = { users: 10, payments: 100, orders: 0 };
  for (const name of COUNT_OPTIONS) {
    const text = values[name];
    if (text === undefined) continue;
    if (!/^\d+$/.test(text) || Number(text) > SEED_LIMITS[name]) {
      return { kind: 'error', message: `--${name} must be a whole number from 0 to ${count(SEED_LIMITS[name])}, got "${text}"` };
    }
    counts[name] = Number(text);
  }
  if (counts.users === 0 && (counts.payments > 0 || counts.orders > 0)) {
    return { kind: 'error', message: 'payments and orders belong to users: give --users of at least 1 (or --payments 0 --orders 0)' };
  }

  const password = values.password ?? DEFAULT_SEED_PASSWORD;
  if (password.length < 8 || password.length > 128) {
    return { kind: 'error', message: '--password must be 8 to 128 characters (the registration policy), so seeded users can log in' };
  }

  let seed: string | undefined;
  if (values.seed !== undefined) {
    if (!/^-?\d+$/.test(values.seed) || !Number.isSafeInteger(Number(values.seed))) {
      return { kind: 'error', message: `--seed must be an integer, got "${values.seed}"` };
    }
    seed = String(Number(values.seed) || 0);
  }

  return { kind: 'run', options: { ...counts, password, seed } };
}
