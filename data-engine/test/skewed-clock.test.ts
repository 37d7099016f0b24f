import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLogger, listen, systemClock, type RunningServer } from '@strangler/kit';
import { httpClient, spawnDeployable, testDialects, type DeployableProcess } from '@strangler/kit/testing';
import { buildMonolithApp } from '@strangler/monolith';
import { createHarness, ROOT, type Harness } from './support/data-harness';

jest.setTimeout(90_000);

const PAYMENTS_SERVER = path.join(ROOT, 'services/payments/dist/server.js');
const SKEW_PRELOAD = path.join(__dirname, 'support/skew-clock.cjs');
const INTERNAL_TOKEN = 'skew-test-internal-token-0123456789abcdef';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => {
  if (!existsSync(PAYMENTS_SERVER)) throw new Error(`${PAYMENTS_SERVER} is missing: run tsc -b first (npm test does)`);
});

/**
 * #13 §2: the real payments service runs as its own process with its clock skewed (a --require
 * preload shifting Date there only); the monolith runs on the real clock. Whichever side writes
 * later, and whatever its clock says, its write is the one both sides end with: nothing reverts
 * it, no second refund gets through, and the amounts add up on both sides.
 */
describe.each(testDialects())('a skewed clock on the payments service, on %s', (dialect) => {
  let h: Harness;
  let monolith: RunningServer;
  let service: DeployableProcess | undefined;

  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
    await h.installCapture();
    const app = buildMonolithApp({ db: h.monolith, logger: createLogger({ name: 'monolith', level: 'silent' }), clock: systemClock, sessionTtlMs: 3_600_000, internalToken: INTERNAL_TOKEN, authPeers: [], peerTimeoutMs: 1_000 });
    monolith = await listen(app, 0, '127.0.0.1');
  });
  afterEach(async () => {
    service?.child.kill('SIGTERM');
    await service?.exit;
    await monolith?.close(1_000);
    await h?.close();
  });

  async function startSkewedService(skewMs: number) {
    service = spawnDeployable(PAYMENTS_SERVER, {
      DATABASE_URL: h.urls.service,
      PORT: '0',
      AUTH_PEERS: monolith.url,
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'info', // its "listening on" line says it is up
      NODE_OPTIONS: `--require ${SKEW_PRELOAD}`,
      CLOCK_SKEW_MS: String(skewMs),
    });
    return httpClient(await service.listening());
  }

  it.each([
    ['30 s behind: a refund on the service after a capture on the monolith', -30_000, 'service'],
    ['30 s ahead: a refund on the monolith after a capture on the service', 30_000, 'monolith'],
  ] as const)('%s stays refunded on both sides', async (_name, skewMs, refundSide) => {
    const serviceApi = await startSkewedService(skewMs);
    const monolithApi = httpClient(monolith.url);
    const apis = { monolith: monolithApi, service: serviceApi };
    const captureSide = refundSide === 'service' ? 'monolith' : 'service';
    const user = await monolithApi.post('/api/auth/register', { email: `skew-${randomUUID()}@example.com`, password: 'correct horse battery', name: 'Skew' });
    expect(user.status).toBe(201);
    const token = user.body.token as string;
    const keyed = (key: string) => ({ token, headers: { 'idempotency-key': key } });

    const created = await apis[captureSide].post('/api/payments', { amount: '100.00', currency: 'USD' }, keyed(randomUUID()));
    expect(created.status).toBe(201);
    const id = created.body.payment.id as string;
    expect((await apis[captureSide].post(`/api/payments/${id}/capture`, {}, keyed(randomUUID()))).status).toBe(200);
    await h.settle();

    const refund = await apis[refundSide].post(`/api/payments/${id}/refunds`, { amount: '100.00' }, keyed(randomUUID()));
    expect(refund.status).toBe(201);
    // The skew is real: the later write carries the earlier timestamp (or the capture a later one).
    const [m, s] = await Promise.all([h.knex('monolith')('payments').where({ id }).first(), h.knex('service')('payments').where({ id }).first()]);
    const stamp = (row: { updated_at: unknown }) => (row.updated_at instanceof Date ? row.updated_at.getTime() : Number(row.updated_at));
    const [later, earlier] = refundSide === 'service' ? [s, m] : [m, s];
    expect(stamp(later)).toBeLessThan(stamp(earlier));

    // The sync runs, and runs again a few seconds later (where last-writer-wins reverted the refund).
    await h.settle();
    await sleep(1_000);
    await h.settle();
    for (const side of ['monolith', 'service'] as const) {
      const payment = await apis[side].get(`/api/payments/${id}`, { token });
      expect([side, payment.body.payment.status, payment.body.payment.refundedAmount]).toEqual([side, 'refunded', '100.00']);
    }
    // No second refund on either side: both know it is refunded in full.
    for (const side of ['monolith', 'service'] as const) {
      const again = await apis[side].post(`/api/payments/${id}/refunds`, { amount: '100.00' }, keyed(randomUUID()));
      expect([side, again.status]).toEqual([side, 409]);
    }
    await h.settle();
    expect(Number((await h.knex('monolith')('refunds').where({ payment_id: id }).count({ n: '*' }))[0]?.n)).toBe(1);
    expect(Number((await h.knex('service')('refunds').where({ payment_id: id }).count({ n: '*' }))[0]?.n)).toBe(1);
    const report = await h.verify();
    expect(report.ok).toBe(true);
    expect(report.invariants.every((invariant) => invariant.violations === 0)).toBe(true);
  });
});
