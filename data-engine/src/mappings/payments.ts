import type { Knex } from 'knex';
import { minorToDecimalColumn, toBigInt, toBigIntColumn, toDate, type Currency } from '@strangler/kit';
import { currencyOf as currencyValue, decimalToMinor } from '../data/money-columns';

/**
 * Payments data between the monolith's database and the payments service's, both ways.
 *
 * Monolith: money as DECIMAL in major units (`amount`, `captured_amount`, `refunded_amount`),
 * UPPERCASE statuses. Service: integer minor units (`amount_minor`, `captured_minor`,
 * `refunded_minor`), lowercase statuses. Ids, timestamps and idempotency records carry over as they
 * are (both sides store the SHA-256 of the key and fingerprint requests the same way, so a retry
 * replays on either side).
 *
 * The transforms are pure and exact: every value is converted with string/bigint arithmetic, and
 * anything that could not come back unchanged (an unknown status or currency, more decimals than
 * the currency has) throws instead of being rounded or guessed. Input rows are what knex reads from
 * either dialect (DECIMAL as a string or a number, BIGINT as a string or a number, DATETIME as a
 * Date or epoch ms); output rows are what the owning side's code writes: DECIMALs as strings with
 * the currency's digits, BIGINTs as strings of digits, Dates. So monolith → service → monolith (and
 * service → monolith → service) gives back the same row.
 */

const STATUSES = ['authorized', 'captured', 'partially_refunded', 'refunded', 'voided'] as const;
type ServiceStatus = (typeof STATUSES)[number];

type DecimalValue = string | number;
type IntegerValue = bigint | string | number;
type DateValue = Date | number | string;

export interface MonolithPaymentRow {
  id: string;
  user_id: string;
  order_id: string | null;
  amount: DecimalValue;
  currency: string;
  status: string;
  description: string | null;
  captured_amount: DecimalValue;
  refunded_amount: DecimalValue;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface ServicePaymentRow {
  id: string;
  user_id: string;
  order_id: string | null;
  amount_minor: IntegerValue;
  currency: string;
  status: string;
  description: string | null;
  captured_minor: IntegerValue;
  refunded_minor: IntegerValue;
  created_at: DateValue;
  updated_at: DateValue;
}

export interface MonolithRefundRow {
  id: string;
  payment_id: string;
  amount: DecimalValue;
  created_at: DateValue;
}

export interface ServiceRefundRow {
  id: string;
  payment_id: string;
  amount_minor: IntegerValue;
  created_at: DateValue;
}

export interface MonolithIdempotencyKeyRow {
  user_id: string;
  /** Already SHA-256(key) in the monolith. */
  idempotency_key: string;
  request_hash: string;
  response_status: number | string;
  response_body: string;
  created_at: DateValue;
}

export interface ServiceIdempotencyKeyRow {
  user_id: string;
  key_hash: string;
  request_fingerprint: string;
  response_status: number | string;
  response_body: string;
  created_at: DateValue;
}

function currencyOf(row: { currency: string }, what: string): Currency {
  return currencyValue(row.currency, what);
}

function serviceStatus(monolithStatus: string, what: string): ServiceStatus {
  const status = STATUSES.find((candidate) => candidate.toUpperCase() === monolithStatus);
  if (!status) throw new RangeError(`${what} has unknown monolith status ${JSON.stringify(monolithStatus)}`);
  return status;
}

function monolithStatus(serviceStatusText: string, what: string): string {
  const status = STATUSES.find((candidate) => candidate === serviceStatusText);
  if (!status) throw new RangeError(`${what} has unknown service status ${JSON.stringify(serviceStatusText)}`);
  return status.toUpperCase();
}

function dateOf(value: DateValue, what: string): Date {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`${what} has an invalid timestamp ${String(value)}`);
  return date;
}

/** A DECIMAL as the driver gave it, in minor units, exactly or refused (money-columns.ts). */
function minorOf(value: DecimalValue, currency: Currency, what: string, column: string): bigint {
  return decimalToMinor(value, currency, what, column);
}

/**
 * The amounts the payments service's CHECK constraints require and both sides' code keeps: a row
 * breaking them is refused by name rather than failing a whole chunk in the database.
 */
export function checkPaymentAmounts(what: string, amount: bigint, captured: bigint, refunded: bigint, currency: Currency): void {
  const show = (minor: bigint) => `${minorToDecimalColumn(minor, currency)} ${currency}`;
  if (amount <= 0n) throw new RangeError(`${what} has amount ${show(amount)}: it must be positive`);
  if (captured < 0n || captured > amount) throw new RangeError(`${what} has captured ${show(captured)} outside 0 … amount ${show(amount)}`);
  if (refunded < 0n || refunded > captured) throw new RangeError(`${what} has refunded ${show(refunded)} outside 0 … captured ${show(captured)}`);
}

function integerOf(value: number | string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} has a non-integer value ${String(value)}`);
  return n;
}

export function monolithPaymentToService(row: MonolithPaymentRow): ServicePaymentRow {
  const what = `payment ${row.id}`;
  const currency = currencyOf(row, what);
  const amount = minorOf(row.amount, currency, what, 'amount');
  const captured = minorOf(row.captured_amount, currency, what, 'captured_amount');
  const refunded = minorOf(row.refunded_amount, currency, what, 'refunded_amount');
  checkPaymentAmounts(what, amount, captured, refunded, currency);
  return {
    id: row.id,
    user_id: row.user_id,
    order_id: row.order_id,
    amount_minor: toBigIntColumn(amount),
    currency,
    status: serviceStatus(row.status, what),
    description: row.description,
    captured_minor: toBigIntColumn(captured),
    refunded_minor: toBigIntColumn(refunded),
    created_at: dateOf(row.created_at, what),
    updated_at: dateOf(row.updated_at, what),
  };
}

export function servicePaymentToMonolith(row: ServicePaymentRow): MonolithPaymentRow {
  const what = `payment ${row.id}`;
  const currency = currencyOf(row, what);
  const amount = toBigInt(row.amount_minor);
  const captured = toBigInt(row.captured_minor);
  const refunded = toBigInt(row.refunded_minor);
  checkPaymentAmounts(what, amount, captured, refunded, currency);
  return {
    id: row.id,
    user_id: row.user_id,
    order_id: row.order_id,
    amount: minorToDecimalColumn(amount, currency),
    currency,
    status: monolithStatus(row.status, what),
    description: row.description,
    captured_amount: minorToDecimalColumn(captured, currency),
    refunded_amount: minorToDecimalColumn(refunded, currency),
    created_at: dateOf(row.created_at, what),
    updated_at: dateOf(row.updated_at, what),
  };
}

/** Refunds carry no currency of their own: it is their payment's. */
export function monolithRefundToService(row: MonolithRefundRow, currency: Currency): ServiceRefundRow {
  const amount = minorOf(row.amount, currency, `refund ${row.id}`, 'amount');
  if (amount <= 0n) throw new RangeError(`refund ${row.id} has amount ${String(row.amount)}: it must be positive`);
  return {
    id: row.id,
    payment_id: row.payment_id,
    amount_minor: toBigIntColumn(amount),
    created_at: dateOf(row.created_at, `refund ${row.id}`),
  };
}

export function serviceRefundToMonolith(row: ServiceRefundRow, currency: Currency): MonolithRefundRow {
  const amount = toBigInt(row.amount_minor);
  if (amount <= 0n) throw new RangeError(`refund ${row.id} has amount ${amount} minor units: it must be positive`);
  return {
    id: row.id,
    payment_id: row.payment_id,
    amount: minorToDecimalColumn(amount, currency),
    created_at: dateOf(row.created_at, `refund ${row.id}`),
  };
}

export function monolithIdempotencyKeyToService(row: MonolithIdempotencyKeyRow): ServiceIdempotencyKeyRow {
  const what = `idempotency key of user ${row.user_id}`;
  return {
    user_id: row.user_id,
    key_hash: row.idempotency_key,
    request_fingerprint: row.request_hash,
    response_status: integerOf(row.response_status, what),
    response_body: row.response_body,
    created_at: dateOf(row.created_at, what),
  };
}

export function serviceIdempotencyKeyToMonolith(row: ServiceIdempotencyKeyRow): MonolithIdempotencyKeyRow {
  const what = `idempotency key of user ${row.user_id}`;
  return {
    user_id: row.user_id,
    idempotency_key: row.key_hash,
    request_hash: row.request_fingerprint,
    response_status: integerOf(row.response_status, what),
    response_body: row.response_body,
    created_at: dateOf(row.created_at, what),
  };
}

export interface CopyOptions {
  /** Only this user's payments, refunds and idempotency keys. */
  userId?: string;
  /** Payments (with their refunds) or keys read and written per step. */
  batchSize?: number;
}

export interface CopyReport {
  payments: number;
  refunds: number;
  idempotencyKeys: number;
}

const DEFAULT_BATCH_SIZE = 500;
/** Rows per INSERT: keeps statements well under SQLite's and MySQL's placeholder limits. */
const ROWS_PER_INSERT = 500;

async function upsert(trx: Knex.Transaction, table: string, rows: object[], conflict: string[]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    await trx(table).insert(rows.slice(start, start + ROWS_PER_INSERT)).onConflict(conflict).merge();
  }
}

/**
 * Copies the monolith's payments, their refunds and the idempotency keys into the payments
 * service's database, in batches. An upsert: rows the service already has are overwritten with the
 * monolith's version (the monolith is the source of truth while it owns payments), so running it
 * again after the monolith changed brings the service up to date. Each batch is read in one
 * monolith transaction (a payment and its refunds from the same snapshot) and written in one service
 * transaction. It never deletes.
 */
export async function copyMonolithPaymentsToService(
  monolithKnex: Knex,
  serviceKnex: Knex,
  options: CopyOptions = {},
): Promise<CopyReport> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const report: CopyReport = { payments: 0, refunds: 0, idempotencyKeys: 0 };

  let afterPaymentId: string | undefined;
  for (;;) {
    const batch = await monolithKnex.transaction(async (trx) => {
      const query = trx<MonolithPaymentRow>('payments').orderBy('id').limit(batchSize);
      if (options.userId !== undefined) query.where({ user_id: options.userId });
      if (afterPaymentId !== undefined) query.where('id', '>', afterPaymentId);
      const payments = await query;
      const refunds = payments.length
        ? await trx<MonolithRefundRow>('refunds').whereIn('payment_id', payments.map((p) => p.id)).orderBy('id')
        : [];
      return { payments, refunds };
    });
    if (batch.payments.length === 0) break;
    const currencies = new Map(batch.payments.map((row) => [row.id, currencyOf(row, `payment ${row.id}`)]));
    const payments = batch.payments.map(monolithPaymentToService);
    const refunds = batch.refunds.map((row) => {
      const currency = currencies.get(row.payment_id);
      if (!currency) throw new Error(`refund ${row.id} belongs to payment ${row.payment_id}, which was not read`);
      return monolithRefundToService(row, currency);
    });
    await serviceKnex.transaction(async (trx) => {
      await upsert(trx, 'payments', payments, ['id']);
      await upsert(trx, 'refunds', refunds, ['id']);
    });
    report.payments += payments.length;
    report.refunds += refunds.length;
    afterPaymentId = batch.payments[batch.payments.length - 1]?.id;
    if (batch.payments.length < batchSize) break;
  }

  let afterKey: { user_id: string; idempotency_key: string } | undefined;
  for (;;) {
    const query = monolithKnex<MonolithIdempotencyKeyRow>('idempotency_keys')
      .orderBy([{ column: 'user_id' }, { column: 'idempotency_key' }])
      .limit(batchSize);
    if (options.userId !== undefined) query.where({ user_id: options.userId });
    if (afterKey !== undefined) {
      const after = afterKey;
      query.where((later) => {
        later
          .where('user_id', '>', after.user_id)
          .orWhere((sameUser) => {
            sameUser.where('user_id', '=', after.user_id).andWhere('idempotency_key', '>', after.idempotency_key);
          });
      });
    }
    const rows = await query;
    if (rows.length === 0) break;
    const keys = rows.map(monolithIdempotencyKeyToService);
    await serviceKnex.transaction((trx) => upsert(trx, 'idempotency_keys', keys, ['user_id', 'key_hash']));
    report.idempotencyKeys += keys.length;
    const last = rows[rows.length - 1];
    afterKey = last ? { user_id: last.user_id, idempotency_key: last.idempotency_key } : undefined;
    if (rows.length < batchSize) break;
  }
  return report;
}
