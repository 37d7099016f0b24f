import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describeDeployableProcess, expectRefusal, expectServesThenStops, httpClient, TEST_INTERNAL_TOKEN } from '@strangler/kit/testing';
import { startSessionIssuer, type RunningSessionIssuer } from '@strangler/monolith/testing';

// Runs the compiled server exactly as `npm run start:payments` does (`npm test` builds first).
const SERVER = path.resolve(__dirname, '../dist/server.js');

describeDeployableProcess('the payments service process', SERVER, ({ run, dir }) => {
  let monolith: RunningSessionIssuer;
  beforeAll(async () => {
    monolith = await startSessionIssuer('sqlite');
  });
  afterAll(async () => {
    await monolith?.stop();
  });

  it('refuses to start on bad config, naming every variable', async () => {
    const proc = run({ PORT: 'http', DATABASE_URL: path.join(dir(), 'p.sqlite'), AUTH_PEERS: 'ftp://x', INTERNAL_API_TOKEN: 'short' });
    await expectRefusal(proc, ['PORT="http"', 'AUTH_PEERS="ftp://x"', 'INTERNAL_API_TOKEN="[redacted]"'], ['short']);
  });

  it('refuses to start without peers to check sessions with', async () => {
    await expectRefusal(run({ PORT: '0', DATABASE_URL: path.join(dir(), 'p.sqlite') }), [/AUTH_PEERS: is required/, /INTERNAL_API_TOKEN: is required/]);
  });

  it('migrates an empty SQLite database, serves payments for a monolith session, and exits 0 on SIGTERM', async () => {
    const proc = run({ PORT: '0', DATABASE_URL: path.join(dir(), 'nested', 'p.sqlite'), AUTH_PEERS: monolith.url, INTERNAL_API_TOKEN: TEST_INTERNAL_TOKEN });
    let token = '';
    const output = await expectServesThenStops(proc, async (url) => {
      ({ token } = await monolith.newUser());
      const created = await httpClient(url).post('/api/payments', { amount: '19.99', currency: 'USD' }, { token, headers: { 'idempotency-key': randomUUID() } });
      expect(created.status).toBe(201);
    });
    expect(token).not.toBe('');
    expect(output).not.toContain(token);
  });
});
