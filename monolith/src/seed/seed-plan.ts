/** What one seeding run generates. Generation is a pure function of this plan. */
export interface SeedPlan {
  users: number;
  payments: number;
  orders: number;
  /** Every seeded user gets this password, so demos can log in as any of them. */
  password: string;
  /** Drives names, amounts, statuses and dates: the same seed gives the same data. */
  seed: string;
  /** Random per run; goes into ids and emails so repeated runs never collide with earlier rows. */
  runId: string;
  /** Dates are spread backwards from this instant. */
  now: Date;
}

export const SEED_LIMITS = {
  users: 1_000_000,
  payments: 10_000_000,
  orders: 1_000_000,
} as const;

export const DAY_MS = 24 * 60 * 60 * 1000;

/** How far back payments (and orders) go. */
export const PAYMENT_HISTORY_DAYS = 90;

/** How far back user sign-ups go. */
export const USER_HISTORY_DAYS = 730;

export function seedUserEmail(runId: string, index: number): string {
  return `seed-${runId}-${index + 1}@example.com`;
}
