import { canonicalText } from '../src/data/canonical';
import { shippedMapping } from './support/shipped-capabilities';
import { ChunkSizer } from '../src/data/backfill/chunk-sizer';
import { whereInRange } from '../src/data/keys';
import { FlowControl } from '../src/data/flow-control';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knex from 'knex';

// As the engine runs them: users is TypeScript, the others are manifests/mappings/*.json.
const usersMapping = shippedMapping('auth', 'users');
const sessionsMapping = shippedMapping('auth', 'sessions');
const paymentsMapping = shippedMapping('payments', 'payments');
const refundsMapping = shippedMapping('payments', 'refunds');
const idempotencyKeysMapping = shippedMapping('payments', 'idempotency_keys');

const id = '6f1b4c1e-8a0e-4a36-9a53-0c8d1f0f6b11';
const t0 = new Date('2031-01-01T00:00:00.000Z');
const t1 = new Date('2031-01-01T00:00:05.123Z');

describe('users mapping', () => {
  const monolithRow = {
    id,
    email: 'ada@example.com',
    name: 'Ada',
    password_hash: 'a'.repeat(64),
    password_salt: 'b'.repeat(32),
    password_scheme: 'legacy-sha256',
    password_params: null,
    created_at: t0.getTime(), // SQLite: epoch ms
    updated_at: t0,
  };

  it('monolith → service: users row + legacy credential; back: the same monolith row', () => {
    const service = usersMapping.toService(monolithRow);
    expect(service).toEqual({
      id,
      email: 'ada@example.com',
      name: 'Ada',
      created_at: t0,
      updated_at: t0,
      credential_scheme: 'legacy-sha256',
      credential_hash: 'a'.repeat(64),
      credential_salt: 'b'.repeat(32),
      credential_params: null,
      credential_updated_at: t0,
    });
    expect(usersMapping.toMonolith(service)).toEqual({ ...monolithRow, created_at: t0 });
    expect(canonicalText(usersMapping.canonical('monolith', monolithRow))).toBe(canonicalText(usersMapping.canonical('service', service)));
  });

  it('a credential re-hashed on the service goes back with its scheme and parameters, and the row moves to its time', () => {
    const service = {
      id,
      email: 'ada@example.com',
      name: 'Ada',
      created_at: t0,
      updated_at: t0,
      credential_scheme: 'scrypt',
      credential_hash: 'c'.repeat(64),
      credential_salt: 'd'.repeat(32),
      credential_params: 'N=65536,r=8,p=2',
      credential_updated_at: t1,
    };
    const monolith = usersMapping.toMonolith(service);
    expect(monolith).toMatchObject({ password_scheme: 'scrypt', password_params: 'N=65536,r=8,p=2', password_hash: 'c'.repeat(64), updated_at: t1 });
    // Equal in canonical form although the service keeps two timestamps and the monolith one.
    expect(usersMapping.canonical('monolith', monolith)).toEqual(usersMapping.canonical('service', service));
    expect(usersMapping.canonical('service', service).updated_at).toBe(t1.getTime());
  });

  it('an email not trimmed and lower-case is refused by name, either way, and compared exactly', () => {
    expect(() => usersMapping.toService({ ...monolithRow, email: 'Ada@Example.com' })).toThrow(
      new RegExp(`user ${id} has email "Ada@Example.com", not trimmed and lower-case as the auth service stores emails`),
    );
    expect(() => usersMapping.toService({ ...monolithRow, email: ' ada@example.com' })).toThrow(/not trimmed and lower-case/);
    const service = usersMapping.toService(monolithRow);
    expect(() => usersMapping.toMonolith({ ...service, email: 'ADA@example.com' })).toThrow(/not trimmed and lower-case/);
    // A case-only difference between the sides is a difference (verify used to lower-case both).
    expect(usersMapping.canonical('monolith', { ...monolithRow, email: 'Ada@Example.com' }).email).toBe('Ada@Example.com');
    expect(usersMapping.canonical('monolith', { ...monolithRow, email: 'Ada@Example.com' })).not.toEqual(usersMapping.canonical('service', service));
  });

  it('refuses a scheme the monolith cannot verify, and a user without a credential', () => {
    const base = { id, email: 'a@b.c', name: 'A', created_at: t0, updated_at: t0, credential_hash: 'x', credential_salt: 'y', credential_params: null, credential_updated_at: t0 };
    expect(() => usersMapping.toMonolith({ ...base, credential_scheme: 'bcrypt' })).toThrow(/credential scheme the monolith cannot verify: "bcrypt"/);
    expect(() => usersMapping.toMonolith({ ...base, credential_scheme: null, credential_hash: null, credential_salt: null })).toThrow(/has no credential/);
  });
});

describe('sessions mapping', () => {
  it('is the identity with dates normalised; in a conflict the revocation wins, from either side', () => {
    const open = { token_hash: 'e'.repeat(64), user_id: id, created_at: t0.getTime(), expires_at: t1, revoked_at: null };
    const revoked = { ...open, revoked_at: t1.getTime() };
    expect(sessionsMapping.toService(open)).toEqual({ ...open, created_at: t0 });
    const a = sessionsMapping.canonical('monolith', open);
    const b = sessionsMapping.canonical('service', revoked);
    expect([sessionsMapping.resolveConflict(a, b), sessionsMapping.resolveConflict(b, a)]).toEqual(['b', 'a']);
  });
});

describe('payments mappings', () => {
  const row = {
    id,
    user_id: id,
    order_id: null,
    amount: '1.234', // mysql2: DECIMAL as a string
    currency: 'KWD',
    status: 'PARTIALLY_REFUNDED',
    description: null,
    captured_amount: 1.234, // SQLite: a number
    refunded_amount: '0.001',
    created_at: t0,
    updated_at: t1,
  };

  it('DECIMAL major units ⇄ integer minor units, exactly, whatever the driver handed over', () => {
    const service = paymentsMapping.toService(row);
    expect(service).toMatchObject({ amount_minor: '1234', captured_minor: '1234', refunded_minor: '1', status: 'partially_refunded' });
    expect(paymentsMapping.toMonolith(service)).toEqual({ ...row, amount: '1.234', captured_amount: '1.234', refunded_amount: '0.001' });
    expect(paymentsMapping.canonical('monolith', row)).toEqual(paymentsMapping.canonical('service', { ...service, amount_minor: 1234, captured_minor: '1234', refunded_minor: 1 }));
  });

  it('refuses, by name and in a sentence, a row the service would refuse: amounts out of order, digits the currency lacks', () => {
    const usd = { ...row, currency: 'USD', amount: '10.00', status: 'PARTIALLY_REFUNDED' };
    expect(() => paymentsMapping.toService({ ...usd, captured_amount: '10.00', refunded_amount: '15.00' })).toThrow(
      new RegExp(`^payment ${id} has refunded 15.00 USD outside 0 … captured 10.00 USD$`),
    );
    expect(() => paymentsMapping.toService({ ...usd, captured_amount: '12.00', refunded_amount: '0' })).toThrow(/captured 12.00 USD outside 0 … amount 10.00 USD/);
    expect(() => paymentsMapping.toService({ ...usd, amount: '0', captured_amount: '0', refunded_amount: '0' })).toThrow(/has amount 0.00 USD: it must be positive/);
    // SQLite hands DECIMALs back as REALs: a third decimal of USD is refused, not rounded away.
    expect(() => paymentsMapping.toService({ ...usd, amount: 10.005, captured_amount: 0, refunded_amount: 0 })).toThrow(/amount 10.005 that USD cannot hold exactly/);
    expect(() => paymentsMapping.toMonolith({ ...paymentsMapping.toService({ ...usd, captured_amount: '10.00', refunded_amount: '1.00' }), refunded_minor: '2000' })).toThrow(/refunded 20.00 USD outside/);
    expect(() => refundsMapping.toService({ id, payment_id: id, amount: '0.00', created_at: t0, currency: 'USD' })).toThrow(/must be positive/);
  });

  it('refunds take their payment currency; idempotency keys rename their columns', () => {
    expect(refundsMapping.toService({ id, payment_id: id, amount: '1000', created_at: t0, currency: 'JPY' })).toMatchObject({ amount_minor: '1000' });
    expect(() => refundsMapping.toService({ id, payment_id: id, amount: '0.5', created_at: t0, currency: 'JPY' })).toThrow(/more than 0 decimals for JPY/);
    const key = { user_id: id, idempotency_key: 'f'.repeat(64), request_hash: '1'.repeat(64), response_status: '201', response_body: '{}', created_at: t0 };
    const service = idempotencyKeysMapping.toService(key);
    expect(service).toEqual({ user_id: id, key_hash: 'f'.repeat(64), request_fingerprint: '1'.repeat(64), response_status: 201, response_body: '{}', created_at: t0 });
    expect(idempotencyKeysMapping.monolith.keyOf(key)).toEqual(idempotencyKeysMapping.service.keyOf(service));
  });
});

describe('engine helpers', () => {
  it('adapts the chunk size toward the target time, at most doubling or halving per chunk', () => {
    const sizer = new ChunkSizer({ initial: 1_000, min: 50, max: 10_000, targetMs: 500 });
    sizer.record(1_000, 100);
    expect(sizer.size).toBe(2_000);
    sizer.record(2_000, 4_000);
    expect(sizer.size).toBe(1_000);
    sizer.record(1_000, 1_000);
    expect(sizer.size).toBe(500);
    sizer.record(10, 10_000); // a short last chunk says nothing
    expect(sizer.size).toBe(500);
  });

  it('pauses while the pause file exists and on pause(), and wakes on resume() or stop()', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flow-'));
    const file = path.join(dir, 'pause');
    try {
      const control = new FlowControl({ pauseFile: file });
      expect(control.paused).toBe(false);
      writeFileSync(file, '');
      expect(control.paused).toBe(true);
      const waiting = control.waitWhilePaused();
      setTimeout(() => rmSync(file), 50);
      await waiting;
      control.pause();
      setTimeout(() => control.resume(), 20);
      await control.waitWhilePaused();
      const started = Date.now();
      setTimeout(() => control.stop(), 20);
      await Promise.all([control.sleep(10_000), control.sleep(10_000)]);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('spells keyset ranges out for composite keys', () => {
    const db = knex({ client: 'mysql2' });
    const sql = whereInRange(db('t').select('*'), ['a', 'b'], { after: ['x', 'y'], through: ['z', 'w'] }).toQuery();
    expect(sql).toBe("select * from `t` where ((`a` > 'x') or (`a` = 'x' and `b` > 'y')) and ((`a` < 'z') or (`a` = 'z' and `b` <= 'w'))");
  });
});
