import type { Database } from '@strangler/kit';
import { BatchInserter, type BatchInserterOptions } from './batch-inserter';
import { generateOrders } from './generate-orders';
import { generatePayments, type SeedOwners, type SeedPayment } from './generate-payments';
import { generateUsers } from './generate-users';
import { seedUserEmail, type SeedPlan } from './seed-plan';
import { SEED_TABLES, orderItemRows, orderRow, paymentRow, refundRow, userRow, type SeedTable } from './seed-rows';
import { SeededRandom } from './seeded-random';

export type SeedPhase = 'users' | 'payments' | 'orders';

export interface SeedProgress {
  phase: SeedPhase;
  done: number;
  total: number;
}

export interface SeedSummary {
  runId: string;
  seed: string;
  rows: Record<SeedTable, number>;
  totalRows: number;
  elapsedMs: number;
  /** A seeded user to log in as (with the plan's password); null when no users were seeded. */
  exampleEmail: string | null;
}

export interface SeedDatabaseOptions {
  onProgress?: (progress: SeedProgress) => void;
  inserter?: BatchInserterOptions;
}

const PROGRESS_INTERVAL_MS = 1_000;

/**
 * Generates the plan's data and writes it to an already migrated monolith database. Users come
 * first (payments and orders pick their owners among them), then payments with their refunds, then
 * orders with their items and, when paid, their payment.
 */
export async function seedDatabase(db: Database, plan: SeedPlan, options: SeedDatabaseOptions = {}): Promise<SeedSummary> {
  const startedAt = performance.now();
  const data = new SeededRandom(plan.seed);
  // Ids come from their own stream keyed by the run, so a repeated --seed never reuses a primary key.
  const ids = new SeededRandom(`${plan.seed}/run-${plan.runId}`);
  const inserter = new BatchInserter(db.knex, db.dialect, options.inserter);
  const owners: SeedOwners & { ids: string[]; createdAtMs: number[] } = { ids: [], createdAtMs: [] };
  const report = progressReporter(options.onProgress);

  const addPayment = async (payment: SeedPayment) => {
    await inserter.add('payments', paymentRow(payment));
    for (const refund of payment.refunds) await inserter.add('refunds', refundRow(refund, payment));
  };

  try {
    const users = report('users', plan.users);
    for (const user of generateUsers(plan, data.derive('users'), ids.derive('users'))) {
      owners.ids.push(user.id);
      owners.createdAtMs.push(user.createdAt.getTime());
      await inserter.add('users', userRow(user));
      users.tick();
    }

    const payments = report('payments', plan.payments);
    for (const payment of generatePayments(plan, owners, data.derive('payments'), ids.derive('payments'))) {
      await addPayment(payment);
      payments.tick();
    }

    const orders = report('orders', plan.orders);
    for (const order of generateOrders(plan, owners, data.derive('orders'), ids.derive('orders'))) {
      await inserter.add('orders', orderRow(order));
      for (const item of orderItemRows(order)) await inserter.add('order_items', item);
      if (order.payment) await addPayment(order.payment);
      orders.tick();
    }

    await inserter.finish();
  } catch (error) {
    // The write error is the one worth reporting; a failed rollback after it adds nothing.
    await inserter.abort().catch(() => undefined);
    throw error;
  }

  const rows = Object.fromEntries((Object.keys(SEED_TABLES) as SeedTable[]).map((table) => [table, inserter.written(table)])) as Record<SeedTable, number>;
  return {
    runId: plan.runId,
    seed: plan.seed,
    rows,
    totalRows: Object.values(rows).reduce((sum, n) => sum + n, 0),
    elapsedMs: performance.now() - startedAt,
    exampleEmail: plan.users > 0 ? seedUserEmail(plan.runId, 0) : null,
  };
}

function progressReporter(onProgress: SeedDatabaseOptions['onProgress']) {
  return (phase: SeedPhase, total: number) => {
    let done = 0;
    let reportedTenth = 0;
    let reportedAt = performance.now();
    return {
      tick() {
        done++;
        if (!onProgress) return;
        // At most one line per tenth of the phase and per second, plus the last: short runs stay
        // quiet, long ones still show signs of life. The clock is read only every 1000 rows.
        let due = done === total;
        if (!due && done % 1_000 === 0) {
          const tenth = Math.floor((done * 10) / total);
          due = tenth > reportedTenth && performance.now() - reportedAt >= PROGRESS_INTERVAL_MS;
          if (due) reportedTenth = tenth;
        }
        if (!due) return;
        reportedAt = performance.now();
        onProgress({ phase, done, total });
      },
    };
  };
}
