import { isCurrency, toDate, toNullableDate, type Currency } from '@strangler/kit';
import { canon } from '../../src/data/canonical';
import { deleteWins, revocationWins } from '../../src/data/conflict-resolvers';
import { defineMapping, type EntityMapping } from '../../src/data/mapping';
import { tableSide } from '../../src/data/table-side';
import type { Row } from '../../src/data/types';
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
} from '../../src/mappings/payments';

/**
 * The TypeScript mappings the declarative files replaced, as they shipped before #16 (frozen here
 * as the reference): the declarative versions must transform, refuse and canonicalise exactly as
 * these did, since every engine database holds bases that are hashes of these canonical forms.
 */

const side = (table: string, key: string[], columns: string[]) => tableSide({ table, key, columns });

export const oldPaymentsMapping: EntityMapping = defineMapping<MonolithPaymentRow & Row, ServicePaymentRow & Row>({
  name: 'payments',
  key: ['id'],
  monolith: side('payments', ['id'], []),
  service: side('payments', ['id'], []),
  toService: (row) => monolithPaymentToService(row) as ServicePaymentRow & Row,
  toMonolith: (row) => servicePaymentToMonolith(row) as MonolithPaymentRow & Row,
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
  conflicts: { meaning: 'both sides changed this payment since they last agreed (e.g. a refund or capture on each side)' },
});

function refundCurrency(row: { id: string; currency: unknown }): Currency {
  if (!isCurrency(row.currency)) throw new RangeError(`refund ${row.id} belongs to a payment with currency ${JSON.stringify(row.currency)}`);
  return row.currency;
}

type Refund<R> = R & Row & { currency: string };

export const oldRefundsMapping: EntityMapping = defineMapping<Refund<MonolithRefundRow>, Refund<ServiceRefundRow>>({
  name: 'refunds',
  key: ['id'],
  monolith: side('refunds', ['id'], []),
  service: side('refunds', ['id'], []),
  toService: (row) => ({ ...monolithRefundToService(row, refundCurrency(row)), currency: row.currency }),
  toMonolith: (row) => ({ ...serviceRefundToMonolith(row, refundCurrency(row)), currency: row.currency }),
  canonicalService: (row) => ({
    id: canon.text(row.id),
    payment_id: canon.text(row.payment_id),
    amount_minor: canon.bigint(row.amount_minor),
    created_at: canon.time(row.created_at),
  }),
  parents: [{ mapping: 'payments', keyOf: (row) => [String(row.payment_id)] }],
});

export const oldIdempotencyKeysMapping: EntityMapping = defineMapping<MonolithIdempotencyKeyRow & Row, ServiceIdempotencyKeyRow & Row>({
  name: 'idempotency_keys',
  key: ['user_id', 'key_hash'],
  monolith: side('idempotency_keys', ['user_id', 'idempotency_key'], []),
  service: side('idempotency_keys', ['user_id', 'key_hash'], []),
  toService: (row) => monolithIdempotencyKeyToService(row) as ServiceIdempotencyKeyRow & Row,
  toMonolith: (row) => serviceIdempotencyKeyToMonolith(row) as MonolithIdempotencyKeyRow & Row,
  canonicalService: (row) => ({
    user_id: canon.text(row.user_id),
    key_hash: canon.text(row.key_hash),
    request_fingerprint: canon.text(row.request_fingerprint),
    response_status: canon.integer(row.response_status),
    response_body: canon.text(row.response_body),
    created_at: canon.time(row.created_at),
  }),
  conflicts: { meaning: 'two different records for one idempotency key (user, key): the request ran once on each side, and a retry replays a different answer on each' },
});

const copySession = (row: Row): Row => ({
  token_hash: row.token_hash,
  user_id: row.user_id,
  created_at: toDate(row.created_at),
  expires_at: toDate(row.expires_at),
  revoked_at: toNullableDate(row.revoked_at),
});

export const oldSessionsMapping: EntityMapping = defineMapping<Row, Row>({
  name: 'sessions',
  key: ['token_hash'],
  monolith: side('sessions', ['token_hash'], []),
  service: side('sessions', ['token_hash'], []),
  toService: copySession,
  toMonolith: copySession,
  canonicalService: (row) => ({
    token_hash: canon.text(row.token_hash),
    user_id: canon.text(row.user_id),
    created_at: canon.time(row.created_at),
    expires_at: canon.time(row.expires_at),
    revoked_at: canon.nullableTime(row.revoked_at),
  }),
  conflicts: { rule: 'a delete or a revocation wins', resolve: deleteWins(revocationWins('revoked_at')), meaning: 'the session changed on both sides' },
  parents: [{ mapping: 'users', keyOf: (row) => [String(row.user_id)] }],
});
