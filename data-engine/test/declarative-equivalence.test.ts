import path from 'node:path';
import { canonicalText } from '../src/data/canonical';
import { loadMappingFile } from '../src/data/declarative/load-mapping-file';
import type { EntityMapping } from '../src/data/mapping';
import type { Row } from '../src/data/types';
import { oldIdempotencyKeysMapping, oldPaymentsMapping, oldRefundsMapping, oldSessionsMapping } from './support/pre-declarative-mappings';

/**
 * The shipped declarative files (manifests/mappings) against the TypeScript mappings they replaced:
 * the same rows out, the same canonical forms (the engine's stored bases are hashes of them), and
 * the same refusals — word for word where the old mapping named an inexact or out-of-order amount.
 */

const shipped = (file: string): EntityMapping => loadMappingFile(path.resolve(__dirname, '../../manifests/mappings', file));

type Outcome = { value: unknown } | { error: string };
const outcome = (run: () => unknown): Outcome => {
  try {
    return { value: run() };
  } catch (error) {
    return { error: (error as Error).message };
  }
};

/** Both mappings agree on a row read from `side`: transform, round trip, canonical form (or both refuse). */
function expectSame(next: EntityMapping, old: EntityMapping, side: 'monolith' | 'service', row: Row, sameMessage: boolean): void {
  const there = (mapping: EntityMapping) => (side === 'monolith' ? mapping.toService(row) : mapping.toMonolith(row));
  const back = (mapping: EntityMapping) => {
    const out = there(mapping);
    return side === 'monolith' ? mapping.toMonolith(out) : mapping.toService(out);
  };
  const canonical = (mapping: EntityMapping) => canonicalText(mapping.canonical(side, row));
  for (const step of [there, back, canonical]) {
    const [a, b] = [outcome(() => step(next)), outcome(() => step(old))];
    if ('error' in b && 'error' in a && !sameMessage) continue;
    expect(a).toEqual(b);
  }
}

const at = new Date('2031-02-03T04:05:06.789Z');
const dateForms = [at, at.getTime(), '2031-02-03 04:05:06.789'];
const AMOUNTS: Array<[string, string, string, string, string]> = [
  // currency, amount, captured, refunded, status
  ['USD', '19.99', '19.99', '0.01', 'PARTIALLY_REFUNDED'],
  ['USD', '0.01', '0.00', '0.00', 'AUTHORIZED'],
  ['EUR', '999999999999.99', '999999999999.99', '999999999999.99', 'REFUNDED'],
  ['JPY', '1000', '1000', '0', 'CAPTURED'],
  ['JPY', '1', '0', '0', 'VOIDED'],
  ['KWD', '1.234', '1.234', '0.001', 'PARTIALLY_REFUNDED'],
  ['SEK', '0.10', '0.10', '0.00', 'CAPTURED'],
  ['CHF', '100000000000.05', '100000000000.05', '0.05', 'PARTIALLY_REFUNDED'],
];

function monolithPayments(): Row[] {
  const rows: Row[] = [];
  AMOUNTS.forEach(([currency, amount, captured, refunded, status], i) => {
    const date = dateForms[i % dateForms.length];
    const base = { id: `p-${i}`, user_id: `u-${i}`, order_id: i % 2 ? `o-${i}` : null, currency, status, description: i % 3 ? 'ünïcödé' : null, created_at: date, updated_at: date };
    rows.push({ ...base, amount, captured_amount: captured, refunded_amount: refunded });
    rows.push({ ...base, amount: Number(amount), captured_amount: Number(captured), refunded_amount: Number(refunded) }); // SQLite REALs
  });
  return rows;
}

/** Rows each mapping must refuse, with the same sentence (inexact or out-of-order amounts, currencies). */
const refusedPayments: Row[] = [
  { amount: 10.005, captured_amount: 0, refunded_amount: 0 },
  { amount: '10.005', captured_amount: '0', refunded_amount: '0' },
  { currency: 'JPY', amount: '1000.5', captured_amount: '0', refunded_amount: '0' },
  { amount: '0.00', captured_amount: '0', refunded_amount: '0' },
  { amount: '10.00', captured_amount: '12.00', refunded_amount: '0' },
  { amount: '10.00', captured_amount: '10.00', refunded_amount: '15.00' },
  { currency: 'XXX' },
  { currency: 'usd' },
  { status: 'authorized' },
  { status: 'PENDING' },
].map((overrides, i) => ({
  id: `bad-${i}`,
  user_id: 'u',
  order_id: null,
  amount: '10.00',
  currency: 'USD',
  status: 'AUTHORIZED',
  description: null,
  captured_amount: '0.00',
  refunded_amount: '0.00',
  created_at: at,
  updated_at: at,
  ...overrides,
}));

describe('shipped declarative mappings are the TypeScript ones they replaced', () => {
  const payments = shipped('payments.json');
  const refunds = shipped('refunds.json');
  const keys = shipped('idempotency-keys.json');
  const sessions = shipped('sessions.json');

  it('payments: every currency, status, driver form, both ways', () => {
    for (const row of monolithPayments()) {
      expectSame(payments, oldPaymentsMapping, 'monolith', row, true);
      const service = oldPaymentsMapping.toService(row);
      for (const form of [service, { ...service, amount_minor: Number(service.amount_minor), created_at: at.getTime() }]) {
        expectSame(payments, oldPaymentsMapping, 'service', form, true);
      }
    }
  });

  it('payments: the same refusals, word for word', () => {
    for (const row of refusedPayments) {
      expect(outcome(() => payments.toService(row))).toEqual(outcome(() => oldPaymentsMapping.toService(row)));
      expect('error' in outcome(() => payments.toService(row))).toBe(true);
    }
    const service = oldPaymentsMapping.toService(monolithPayments()[0] as Row);
    for (const overrides of [{ refunded_minor: '999999' }, { amount_minor: '0', captured_minor: '0', refunded_minor: '0' }, { status: 'PARTIALLY_REFUNDED' }, { currency: 'XXX' }]) {
      const row = { ...service, ...overrides };
      expect(outcome(() => payments.toMonolith(row))).toEqual(outcome(() => oldPaymentsMapping.toMonolith(row)));
    }
  });

  it('refunds: currency from the payment, both ways; a bad amount or currency is refused by both', () => {
    for (const [currency, amount] of [['USD', '0.01'], ['JPY', '1000'], ['KWD', 1.234], ['EUR', '999999999999.99']] as const) {
      const row = { id: 'r-1', payment_id: 'p-1', amount, created_at: at.getTime(), currency };
      expectSame(refunds, oldRefundsMapping, 'monolith', row, true);
      expectSame(refunds, oldRefundsMapping, 'service', oldRefundsMapping.toService(row), true);
    }
    for (const bad of [{ amount: '0.5', currency: 'JPY' }, { amount: '0.00', currency: 'USD' }, { amount: '1.00', currency: null }, { amount: 10.005, currency: 'USD' }]) {
      expectSame(refunds, oldRefundsMapping, 'monolith', { id: 'r-2', payment_id: 'p-1', created_at: at, ...bad }, false);
      expect('error' in outcome(() => refunds.toService({ id: 'r-2', payment_id: 'p-1', created_at: at, ...bad }))).toBe(true);
    }
    expect(refunds.parents.map((p) => [p.mapping, p.keyOf({ payment_id: 'p-9' })])).toEqual([['payments', ['p-9']]]);
  });

  it('idempotency keys: renamed key and columns, the status as an integer', () => {
    for (const status of [201, '201', '409']) {
      const row = { user_id: 'u-1', idempotency_key: 'f'.repeat(64), request_hash: '1'.repeat(64), response_status: status, response_body: '{"payment":{}}', created_at: at };
      expectSame(keys, oldIdempotencyKeysMapping, 'monolith', row, true);
      expectSame(keys, oldIdempotencyKeysMapping, 'service', oldIdempotencyKeysMapping.toService(row), true);
      expect(keys.monolith.keyOf(row)).toEqual(oldIdempotencyKeysMapping.monolith.keyOf(row));
    }
    expect('error' in outcome(() => keys.toService({ user_id: 'u', idempotency_key: 'k', request_hash: 'h', response_status: '2.5', response_body: '', created_at: at }))).toBe(true);
    expect(keys.key).toEqual(oldIdempotencyKeysMapping.key);
  });

  it('sessions: identity with dates normalised; the same conflict rule, label and parent', () => {
    for (const revoked of [null, at, at.getTime()]) {
      const row = { token_hash: 'e'.repeat(64), user_id: 'u-1', created_at: at.getTime(), expires_at: at, revoked_at: revoked };
      expectSame(sessions, oldSessionsMapping, 'monolith', row, true);
      expectSame(sessions, oldSessionsMapping, 'service', row, true);
    }
    const open = sessions.canonical('monolith', { token_hash: 'e', user_id: 'u', created_at: at, expires_at: at, revoked_at: null });
    const revoked = { ...open, revoked_at: at.getTime() };
    for (const [a, b] of [[open, revoked], [revoked, open], [null, open], [open, null], [open, { ...open, user_id: 'v' }]] as const) {
      expect(sessions.resolveConflict(a, b)).toBe(oldSessionsMapping.resolveConflict(a, b));
    }
    expect([sessions.conflictRule, sessions.conflictMeaning]).toEqual([oldSessionsMapping.conflictRule, oldSessionsMapping.conflictMeaning]);
    expect(sessions.parents.map((p) => [p.mapping, p.keyOf(open)])).toEqual(oldSessionsMapping.parents.map((p) => [p.mapping, p.keyOf(open)]));
  });

  it('the same conflict rules, labels and meanings for money and idempotency records', () => {
    for (const [next, old] of [[payments, oldPaymentsMapping], [refunds, oldRefundsMapping], [keys, oldIdempotencyKeysMapping]] as const) {
      expect([next.name, next.key, next.conflictRule, next.conflictMeaning]).toEqual([old.name, old.key, old.conflictRule, old.conflictMeaning]);
      expect(next.resolveConflict({ id: 'a' }, { id: 'b' })).toBe('quarantine');
      expect(next.resolveConflict(null, { id: 'b' })).toBe('quarantine');
    }
  });
});
