import { isCurrency, type Currency } from '@strangler/kit';
import {
  monolithIdempotencyKeyToService,
  monolithPaymentToService,
  monolithRefundToService,
  serviceIdempotencyKeyToMonolith,
  servicePaymentToMonolith,
  serviceRefundToMonolith,
  type MonolithIdempotencyKeyRow,
  type MonolithPaymentRow,
  type MonolithRefundRow,
  type ServiceIdempotencyKeyRow,
  type ServicePaymentRow,
  type ServiceRefundRow,
} from '../../mappings/payments';
import { canon } from '../canonical';
import { paymentsInvariants } from '../invariants/payments-invariants';
import { defineMapping } from '../mapping';
import { tableSide } from '../table-side';
import type { Row } from '../types';
import type { Capability } from './capability';

type MonolithPayment = MonolithPaymentRow & Row;
type ServicePayment = ServicePaymentRow & Row;
/** Refunds are read with their payment's currency (they have none of their own). */
type MonolithRefund = MonolithRefundRow & Row & { currency: string };
type ServiceRefund = ServiceRefundRow & Row & { currency: string };
type MonolithKey = MonolithIdempotencyKeyRow & Row;
type ServiceKey = ServiceIdempotencyKeyRow & Row;

const MONOLITH_PAYMENT_COLUMNS = ['id', 'user_id', 'order_id', 'amount', 'currency', 'status', 'description', 'captured_amount', 'refunded_amount', 'created_at', 'updated_at'];
const SERVICE_PAYMENT_COLUMNS = ['id', 'user_id', 'order_id', 'amount_minor', 'currency', 'status', 'description', 'captured_minor', 'refunded_minor', 'created_at', 'updated_at'];

/** payments (DECIMAL major units, UPPERCASE statuses) ⇄ payments (BIGINT minor units, lowercase). */
export const paymentsMapping = defineMapping<MonolithPayment, ServicePayment>({
  name: 'payments',
  key: ['id'],
  monolith: tableSide({ table: 'payments', key: ['id'], columns: MONOLITH_PAYMENT_COLUMNS }),
  service: tableSide({ table: 'payments', key: ['id'], columns: SERVICE_PAYMENT_COLUMNS }),
  toService: (row) => monolithPaymentToService(row) as ServicePayment,
  toMonolith: (row) => servicePaymentToMonolith(row) as MonolithPayment,
  canonicalService: (row) => ({
    id: canon.text(row.id),
    user_id: canon.text(row.user_id),
    order_id: canon.nullableText(row.order_id),
    amount_minor: canon.bigint(row.amount_minor),
    currency: canon.text(row.currency),
    status: canon.text(row.status),
    description: canon.nullableText(row.description),
    captured_minor: canon.bigint(row.captured_minor),
    refunded_minor: canon.bigint(row.refunded_minor),
    created_at: canon.time(row.created_at),
    updated_at: canon.time(row.updated_at),
  }),
  // Money is never settled by overwriting: a payment changed on both sides (a refund on each, say)
  // is set aside for an operator, and verify's invariants show what it did to the amounts.
  conflicts: { meaning: 'both sides changed this payment since they last agreed (e.g. a refund or capture on each side)' },
});

function refundCurrency(row: { id: string; currency: unknown }): Currency {
  if (!isCurrency(row.currency)) throw new RangeError(`refund ${row.id} belongs to a payment with currency ${JSON.stringify(row.currency)}`);
  return row.currency;
}

const withPaymentCurrency = [{ table: 'payments', on: ['payments.id', 'refunds.payment_id'] as [string, string], select: { currency: 'payments.currency' } }];

export const refundsMapping = defineMapping<MonolithRefund, ServiceRefund>({
  name: 'refunds',
  key: ['id'],
  monolith: tableSide({ table: 'refunds', key: ['id'], columns: ['id', 'payment_id', 'amount', 'created_at'], joins: withPaymentCurrency }),
  service: tableSide({ table: 'refunds', key: ['id'], columns: ['id', 'payment_id', 'amount_minor', 'created_at'], joins: withPaymentCurrency }),
  toService: (row) => ({ ...monolithRefundToService(row, refundCurrency(row)), currency: row.currency }),
  toMonolith: (row) => ({ ...serviceRefundToMonolith(row, refundCurrency(row)), currency: row.currency }),
  canonicalService: (row) => ({
    id: canon.text(row.id),
    payment_id: canon.text(row.payment_id),
    amount_minor: canon.bigint(row.amount_minor),
    created_at: canon.time(row.created_at),
  }),
  // Refunds never change once written: a conflict is a refund deleted on one side and not the other.
  parents: [{ mapping: 'payments', keyOf: (row) => [String(row.payment_id)] }],
});

/** Idempotency records: renamed columns, same digests (decision 0006), so a retry replays on either side. */
export const idempotencyKeysMapping = defineMapping<MonolithKey, ServiceKey>({
  name: 'idempotency_keys',
  key: ['user_id', 'key_hash'],
  monolith: tableSide({
    table: 'idempotency_keys',
    key: ['user_id', 'idempotency_key'],
    columns: ['user_id', 'idempotency_key', 'request_hash', 'response_status', 'response_body', 'created_at'],
  }),
  service: tableSide({
    table: 'idempotency_keys',
    key: ['user_id', 'key_hash'],
    columns: ['user_id', 'key_hash', 'request_fingerprint', 'response_status', 'response_body', 'created_at'],
  }),
  toService: (row) => monolithIdempotencyKeyToService(row) as ServiceKey,
  toMonolith: (row) => serviceIdempotencyKeyToMonolith(row) as MonolithKey,
  canonicalService: (row) => ({
    user_id: canon.text(row.user_id),
    key_hash: canon.text(row.key_hash),
    request_fingerprint: canon.text(row.request_fingerprint),
    response_status: canon.integer(row.response_status),
    response_body: canon.text(row.response_body),
    created_at: canon.time(row.created_at),
  }),
  conflicts: {
    meaning: 'two different records for one idempotency key (user, key): the request ran once on each side, and a retry replays a different answer on each',
  },
});

export const paymentsCapability: Capability = {
  name: 'payments',
  serviceDatabase: 'payments',
  invariants: paymentsInvariants,
  mappings: [paymentsMapping, refundsMapping, idempotencyKeysMapping],
};
