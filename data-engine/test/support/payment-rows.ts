import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

/** Amounts with exactly their currency's digits, including the awkward ones. */
const AMOUNTS: ReadonlyArray<[string, string]> = [
  ['USD', '19.99'],
  ['USD', '0.01'],
  ['EUR', '999999999999.99'],
  ['JPY', '1000'],
  ['JPY', '1'],
  ['KWD', '1.234'],
  ['KWD', '0.001'],
  ['GBP', '12345.60'],
];

let counter = 0;

/** Monolith-shaped payments written straight to its tables, the way its repository writes them. */
export function monolithPayment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const [currency, amount] = AMOUNTS[counter % AMOUNTS.length] as [string, string];
  const at = new Date(Date.now() - 60_000);
  return {
    id: randomUUID(),
    user_id: randomUUID(),
    order_id: counter % 3 === 0 ? `ord-${counter}` : null,
    amount,
    currency,
    status: 'AUTHORIZED',
    description: counter % 2 ? `payment ${counter} — ünïcödé` : null,
    captured_amount: currency === 'JPY' ? '0' : currency === 'KWD' ? '0.000' : '0.00',
    refunded_amount: currency === 'JPY' ? '0' : currency === 'KWD' ? '0.000' : '0.00',
    created_at: at,
    updated_at: at,
    ...overrides,
  };
}

export async function insertMonolithPayments(knex: Knex, count: number, overrides: Record<string, unknown> = {}): Promise<string[]> {
  const rows = Array.from({ length: count }, () => monolithPayment(overrides));
  const size = knex.client.config.client === 'mysql2' ? 1_000 : 40;
  await knex.transaction(async (trx) => {
    for (let i = 0; i < rows.length; i += size) await trx('payments').insert(rows.slice(i, i + size));
  });
  return rows.map((row) => String(row.id));
}

/**
 * Traffic on one side while the engine works: creates payments, captures them (full amount) and
 * refunds part of captured ones, each in its own transaction like the app. Runs until stop().
 */
export function startWriter(knex: Knex, side: 'monolith' | 'service', options: { pauseMs?: number } = {}) {
  let stopped = false;
  const ids: string[] = [];
  const captured: string[] = [];
  let writes = 0;
  // SQLite: a transaction that reads before it writes fails with SQLITE_BUSY when another process
  // (the sync worker) committed in between; a client would retry, so does this writer.
  const retrying = async (work: () => Promise<void>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!String((error as { code?: string }).code).startsWith('SQLITE_BUSY') || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
      }
    }
  };
  const loop = (async () => {
    while (!stopped) {
      const roll = Math.random();
      const now = new Date();
      if (roll < 0.5 || ids.length < 5) {
        const row = monolithPayment({ created_at: now, updated_at: now });
        await retrying(() => knex('payments').insert(side === 'monolith' ? row : toServiceShape(row)));
        ids.push(String(row.id));
      } else if (roll < 0.8) {
        const id = ids.splice(Math.floor(Math.random() * ids.length), 1)[0] as string;
        await retrying(() => knex.transaction(async (trx) => {
          const current = await trx('payments').where({ id }).first();
          if (side === 'monolith') await trx('payments').where({ id }).update({ status: 'CAPTURED', captured_amount: current.amount, updated_at: now });
          else await trx('payments').where({ id }).update({ status: 'captured', captured_minor: current.amount_minor, updated_at: now });
        }));
        captured.push(id);
      } else if (captured.length) {
        const id = captured.splice(Math.floor(Math.random() * captured.length), 1)[0] as string;
        await retrying(() => knex.transaction(async (trx) => {
          const p = await trx('payments').where({ id }).first();
          if (side === 'monolith') {
            await trx('refunds').insert({ id: randomUUID(), payment_id: id, amount: p.amount, created_at: now });
            await trx('payments').where({ id }).update({ status: 'REFUNDED', refunded_amount: p.amount, updated_at: now });
          } else {
            await trx('refunds').insert({ id: randomUUID(), payment_id: id, amount_minor: p.amount_minor, created_at: now });
            await trx('payments').where({ id }).update({ status: 'refunded', refunded_minor: p.amount_minor, updated_at: now });
          }
        }));
      }
      writes += 1;
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 2));
    }
  })();
  return {
    get writes() {
      return writes;
    },
    async stop(): Promise<number> {
      stopped = true;
      await loop;
      return writes;
    },
  };
}

/** The same payment as the service stores it (minor units, lowercase status). */
export function toServiceShape(row: Record<string, unknown>): Record<string, unknown> {
  const digits = row.currency === 'JPY' ? 0 : row.currency === 'KWD' ? 3 : 2;
  const minor = (text: unknown) => {
    const [whole = '0', fraction = ''] = String(text).split('.');
    return String(BigInt(whole + fraction.padEnd(digits, '0').slice(0, digits)));
  };
  return {
    id: row.id,
    user_id: row.user_id,
    order_id: row.order_id,
    amount_minor: minor(row.amount),
    currency: row.currency,
    status: String(row.status).toLowerCase(),
    description: row.description,
    captured_minor: minor(row.captured_amount),
    refunded_minor: minor(row.refunded_amount),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
