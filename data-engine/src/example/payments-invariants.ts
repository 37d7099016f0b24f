import type { CanonicalRow, Invariant } from '../index';

const minor = (row: CanonicalRow, field: string): bigint => BigInt(String(row[field] ?? '0'));

/** The amounts each status allows (api/payments/src/payment.ts: captures are always of the full amount). */
function statusMismatch(row: CanonicalRow): string | undefined {
  const amount = minor(row, 'amount_minor');
  const captured = minor(row, 'captured_minor');
  const refunded = minor(row, 'refunded_minor');
  const fits: Record<string, boolean> = {
    authorized: captured === 0n && refunded === 0n,
    voided: captured === 0n && refunded === 0n,
    captured: captured === amount && refunded === 0n,
    partially_refunded: captured === amount && refunded > 0n && refunded < captured,
    refunded: captured === amount && refunded === captured,
  };
  const status = String(row.status);
  if (!(status in fits)) return `unknown status ${JSON.stringify(status)}`;
  return fits[status] ? undefined : `status ${status} with amount ${amount}, captured ${captured}, refunded ${refunded} (minor units)`;
}

export const paymentsInvariants: readonly Invariant[] = [
  {
    kind: 'row',
    name: 'refunds-add-up',
    rule: "a payment's refunded amount equals the sum of its refunds, and never exceeds its capture",
    mapping: 'payments',
    related: { mapping: 'refunds', column: 'payment_id' },
    check(payment, refunds) {
      const sum = refunds.reduce((total, refund) => total + minor(refund, 'amount_minor'), 0n);
      const refunded = minor(payment, 'refunded_minor');
      const captured = minor(payment, 'captured_minor');
      const problems: string[] = [];
      if (sum !== refunded) problems.push(`refunded ${refunded} but its ${refunds.length} refund(s) add up to ${sum}`);
      if (sum > captured || refunded > captured) problems.push(`refunds ${sum > refunded ? sum : refunded} exceed the capture ${captured}`);
      return problems.length ? `${problems.join('; ')} (minor units)` : undefined;
    },
  },
  {
    kind: 'row',
    name: 'status-matches-amounts',
    rule: "a payment's status agrees with its amounts (authorized/voided: nothing captured; captured: all of it; partially_refunded/refunded: some/all of it refunded)",
    mapping: 'payments',
    check: (payment) => statusMismatch(payment),
  },
  {
    kind: 'across',
    name: 'one-record-per-idempotency-key',
    rule: 'a (user, idempotency key) has one record, the same on both sides: one request, executed once',
    mapping: 'idempotency_keys',
    async check(difference) {
      if (difference.kind !== 'different') return undefined;
      const fields = Object.keys(difference.fields ?? {}).join(', ');
      return `two different records (${fields} differ): the request ran once on each side, and a retry replays a different answer on each`;
    },
  },
];
