import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eventually, jsonOf, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

/**
 * REDTEAM's "frozen service": the payments service is a real process, frozen with SIGSTOP while
 * requests are in flight and queued (its kernel still accepts connections; nothing answers), then
 * thawed. Issue #14 §2: no request may hang on it — the ones sent time out and fall back, the ones
 * queued behind a full pool fall back after the queue deadline — and the breaker opens and, once the
 * service answers again, closes through a probe.
 */
function startProcessUpstream(name: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'support/upstream-process.mjs')], { env: { PATH: process.env.PATH, UPSTREAM_NAME: name }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (line: string) => {
      const port = /listening (\d+)/.exec(line)?.[1];
      if (port) resolve({ child, url: `http://127.0.0.1:${port}` });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${name} exited ${code}`)));
  });
}

describe('a frozen service (SIGSTOP) with requests in flight and queued', () => {
  let service: { child: ChildProcess; url: string };
  let monolith: TestUpstream;
  let edge: TestEdge;

  beforeAll(async () => {
    service = await startProcessUpstream('payments');
    monolith = await startUpstream({ name: 'monolith' });
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url }),
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'live', rollout: 100 },
      ],
      env: {
        UPSTREAM_MAX_SOCKETS: '4',
        UPSTREAM_RESPONSE_TIMEOUT_MS: '800',
        UPSTREAM_QUEUE_TIMEOUT_MS: '300',
        UPSTREAM_TOTAL_TIMEOUT_MS: '2000',
        BREAKER_FAILURE_THRESHOLD: '3',
        BREAKER_COOLDOWN_MS: '300',
        BREAKER_PROBE_TIMEOUT_MS: '500',
        READ_YOUR_WRITES_MS: '0',
      },
    });
  });
  afterAll(async () => {
    service.child.kill('SIGCONT');
    service.child.kill('SIGTERM');
    await edge.stop();
    await monolith.stop();
  });

  it('falls back within the deadlines, opens the breaker, and closes it through a probe once thawed', async () => {
    expect((await fetch(`${edge.url}/api/payments/before`)).headers.get('x-strangler-target')).toBe('service');
    service.child.kill('SIGSTOP');
    try {
      const started = Date.now();
      // Four fill the pool and are sent; eight more wait in the queue behind them.
      const answers = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const response = await fetch(`${edge.url}/api/payments/p${i}`);
          return { status: response.status, target: response.headers.get('x-strangler-target'), ms: Date.now() - started };
        }),
      );
      for (const answer of answers) expect(answer).toMatchObject({ status: 200, target: 'monolith' });
      // Nothing waited for the frozen service longer than its response deadline (plus scheduling).
      expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(2_000);
      const metrics = await edge.metrics();
      expect(metrics).toMatch(/edge_fallbacks_total\{capability="payments",reason="queue",service="edge"\} [1-9]/);
      expect(metrics).toMatch(/edge_fallbacks_total\{capability="payments",reason="timeout",service="edge"\} [1-9]/);
      const { breakers } = await jsonOf(fetch(`${edge.url}/_edge/breakers`));
      expect(breakers.find((b: { name: string }) => b.name === 'payments').state).not.toBe('closed');
    } finally {
      service.child.kill('SIGCONT');
    }
    // Thawed: the next request after the cooldown is the probe, and the service serves again.
    await eventually(async () => (await fetch(`${edge.url}/api/payments/after`)).headers.get('x-strangler-target') === 'service', 5_000, 100);
    const { breakers } = await jsonOf(fetch(`${edge.url}/_edge/breakers`));
    expect(breakers.find((b: { name: string }) => b.name === 'payments').state).toBe('closed');
  });

  // Issue #12 C: five keyed payments in the frozen service's socket time out (503, retry with the same
  // key); the breaker opens; before decision 0020 the retry of K1 ran on the monolith while the service,
  // once thawed, also did K1: two payments for one key. A write now never leaves the side that holds
  // the user's write authority: every retry is refused until the service answers, and the monolith
  // sees none of them.
  it('never runs a keyed write on the monolith while the frozen service may still complete it', async () => {
    const post = (key: string) =>
      fetch(`${edge.url}/api/payments`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: '{"amount":"1.00","currency":"USD"}' }).then(
        async (response) => ({ status: response.status, code: response.status === 503 ? (await jsonOf(response)).code : undefined, target: response.headers.get('x-strangler-target') }),
      );
    const monolithWrites = () => monolith.requests.filter((r) => r.method === 'POST').length;
    service.child.kill('SIGSTOP');
    try {
      const first = await Promise.all(['K1', 'K2', 'K3', 'K4', 'K5'].map(post));
      for (const answer of first) expect(answer).toMatchObject({ status: 503, code: 'EDGE_SERVICE_UNAVAILABLE' });
      await eventually(async () => (await jsonOf(fetch(`${edge.url}/_edge/breakers`))).breakers.find((b: { name: string }) => b.name === 'payments').state !== 'closed');
      for (const key of ['K1', 'K1', 'K2']) expect(await post(key)).toMatchObject({ status: 503, code: 'EDGE_SERVICE_UNAVAILABLE' });
      expect(monolithWrites()).toBe(0);
    } finally {
      service.child.kill('SIGCONT');
    }
    // Thawed: the retry reaches the service (whose idempotency record answers it), never the monolith.
    await eventually(async () => (await post('K1')).target === 'service', 5_000, 100);
    expect(monolithWrites()).toBe(0);
  });
});
