import {
  monolithIdempotencyKeyToService,
  monolithPaymentToService,
  monolithRefundToService,
  serviceIdempotencyKeyToMonolith,
  servicePaymentToMonolith,
  serviceRefundToMonolith,
  type MonolithPaymentRow,
  type ServicePaymentRow,
} from '@strangler/data-engine';

const at = (iso: string) => new Date(iso);

function monolithPayment(overrides: Partial<MonolithPaymentRow> = {}): MonolithPaymentRow {
  return {
    id: '6f1c2a9e-0b4d-4c55-9a63-0d5e4b1f2a01',
    user_id: '0b9e7c1d-2f43-4a8b-8c6d-5e4f3a2b1c00',
    order_id: 'ord-1',
    amount: '19.99',
    currency: 'USD',
    status: 'PARTIALLY_REFUNDED',
    description: 'Socks',
    captured_amount: '19.99',
    refunded_amount: '0.01',
    created_at: at('2026-01-02T03:04:05.678Z'),
    updated_at: at('2026-01-02T03:04:06.789Z'),
    ...overrides,
  };
}

describe('payments mapping, monolith ⇄ service (pure)', () => {
  it.each([
    ['USD', '19.99', '19.99', '0.01', 1999n, 1999n, 1n, 'PARTIALLY_REFUNDED', 'partially_refunded'],
    ['JPY', '1000', '1000', '1000', 1000n, 1000n, 1000n, 'REFUNDED', 'refunded'],
    ['KWD', '1.234', '0.000', '0.000', 1234n, 0n, 0n, 'AUTHORIZED', 'authorized'],
    ['KWD', '999999999999.999', '999999999999.999', '0.001', 999999999999999n, 999999999999999n, 1n, 'PARTIALLY_REFUNDED', 'partially_refunded'],
    ['EUR', '0.01', '0.01', '0.00', 1n, 1n, 0n, 'CAPTURED', 'captured'],
    ['GBP', '7.50', '0.00', '0.00', 750n, 0n, 0n, 'VOIDED', 'voided'],
  ])('%s %s: monolith → service → monolith is identical', (currency, amount, captured, refunded, amountMinor, capturedMinor, refundedMinor, status, serviceStatus) => {
    const row = monolithPayment({ currency, amount, captured_amount: captured, refunded_amount: refunded, status });
    const service = monolithPaymentToService(row);
    expect(service).toEqual({
      id: row.id,
      user_id: row.user_id,
      order_id: 'ord-1',
      amount_minor: String(amountMinor),
      currency,
      status: serviceStatus,
      description: 'Socks',
      captured_minor: String(capturedMinor),
      refunded_minor: String(refundedMinor),
      created_at: row.created_at,
      updated_at: row.updated_at,
    });
    expect(servicePaymentToMonolith(service)).toEqual(row);
  });

  it('service → monolith → service is identical too, nulls included', () => {
    const row: ServicePaymentRow = {
      id: '6f1c2a9e-0b4d-4c55-9a63-0d5e4b1f2a02',
      user_id: '0b9e7c1d-2f43-4a8b-8c6d-5e4f3a2b1c00',
      order_id: null,
      amount_minor: '123456',
      currency: 'SEK',
      status: 'captured',
      description: null,
      captured_minor: '123456',
      refunded_minor: '0',
      created_at: at('2026-03-04T05:06:07.001Z'),
      updated_at: at('2026-03-04T05:06:07.002Z'),
    };
    expect(monolithPaymentToService(servicePaymentToMonolith(row))).toEqual(row);
    expect(servicePaymentToMonolith(row)).toMatchObject({ amount: '1234.56', status: 'CAPTURED', order_id: null, description: null });
  });

  it('reads what each driver returns: DECIMAL(15,3) strings, SQLite doubles, BIGINT strings, epoch ms', () => {
    const created = at('2026-01-02T03:04:05.678Z');
    const fromMysql = monolithPayment({ amount: '19.990', captured_amount: '19.990', refunded_amount: '0.010' });
    const fromSqlite = monolithPayment({ amount: 19.99, captured_amount: 19.99, refunded_amount: 0.01, created_at: created.getTime(), updated_at: created.getTime() + 1111 });
    expect(monolithPaymentToService(fromMysql)).toEqual(monolithPaymentToService(monolithPayment()));
    expect(monolithPaymentToService(fromSqlite)).toEqual(monolithPaymentToService(monolithPayment()));
    const service = monolithPaymentToService(monolithPayment());
    // BIGINTs are written as digit strings, which is also what mysql2 reads back.
    expect(service).toMatchObject({ amount_minor: '1999', captured_minor: '1999', refunded_minor: '1' });
    const asSqliteReadsIt = { ...service, amount_minor: 1999, captured_minor: 1999, refunded_minor: 1 };
    const asBigInts = { ...service, amount_minor: 1999n, captured_minor: 1999n, refunded_minor: 1n };
    expect(servicePaymentToMonolith(service)).toEqual(monolithPayment());
    expect(servicePaymentToMonolith(asSqliteReadsIt)).toEqual(monolithPayment());
    expect(servicePaymentToMonolith(asBigInts)).toEqual(monolithPayment());
  });

  it.each([
    ['a mixed-case status', { status: 'Captured' }],
    ['an unknown status', { status: 'PENDING' }],
    ['an unsupported currency', { currency: 'XYZ' }],
    ['more decimals than the currency has', { amount: '19.995' }],
    ['decimals for JPY', { currency: 'JPY', amount: '10.5', captured_amount: '0', refunded_amount: '0' }],
    ['a broken timestamp', { created_at: 'yesterday' }],
  ])('refuses %s rather than guess', (_case, overrides) => {
    expect(() => monolithPaymentToService(monolithPayment(overrides as Partial<MonolithPaymentRow>))).toThrow();
  });

  it('refuses a service row it could not write back exactly', () => {
    const service = monolithPaymentToService(monolithPayment());
    expect(() => servicePaymentToMonolith({ ...service, status: 'CAPTURED' })).toThrow();
    expect(() => servicePaymentToMonolith({ ...service, amount_minor: 19.99 })).toThrow();
    expect(() => servicePaymentToMonolith({ ...service, amount_minor: '19.99' })).toThrow();
    expect(() => servicePaymentToMonolith({ ...service, amount_minor: 2 ** 53 })).toThrow();
  });

  it('maps refunds in their payment’s currency, both ways', () => {
    const refund = { id: 'a3c1b2d4-0000-4000-8000-000000000001', payment_id: 'p', amount: '0.125', created_at: at('2026-01-01T00:00:00.000Z') };
    const service = monolithRefundToService(refund, 'KWD');
    expect(service).toEqual({ id: refund.id, payment_id: 'p', amount_minor: '125', created_at: refund.created_at });
    expect(serviceRefundToMonolith(service, 'KWD')).toEqual(refund);
    expect(monolithRefundToService({ ...refund, amount: '500' }, 'JPY').amount_minor).toBe('500');
    expect(() => monolithRefundToService(refund, 'USD')).toThrow();
  });

  it('maps idempotency keys, both ways, keeping the recorded response byte for byte', () => {
    const key = {
      user_id: '0b9e7c1d-2f43-4a8b-8c6d-5e4f3a2b1c00',
      idempotency_key: 'a'.repeat(64),
      request_hash: 'b'.repeat(64),
      response_status: 201,
      response_body: '{"payment":{"id":"x","amount":"19.99"}}',
      created_at: at('2026-01-01T00:00:00.123Z'),
    };
    const service = monolithIdempotencyKeyToService(key);
    expect(service).toEqual({
      user_id: key.user_id,
      key_hash: key.idempotency_key,
      request_fingerprint: key.request_hash,
      response_status: 201,
      response_body: key.response_body,
      created_at: key.created_at,
    });
    expect(serviceIdempotencyKeyToMonolith(service)).toEqual(key);
    expect(monolithIdempotencyKeyToService({ ...key, response_status: '201', created_at: key.created_at.getTime() })).toEqual(service);
  });
});
