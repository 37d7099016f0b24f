import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../src/testing';
import { CircuitBreaker } from '../src/resilience/circuit-breaker';
import { probeReadiness } from '../src/resilience/readiness-probe';

/** A half-open breaker that no request may probe asks the service's readiness itself (real HTTP). */
describe('probeReadiness', () => {
  let server: Server;
  let status = 200;
  let calls = 0;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      calls += req.url === '/health/ready' ? 1 : 0;
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const halfOpen = () => {
    let now = 0;
    const breaker = new CircuitBreaker('auth', { failureThreshold: 1, errorRate: 1, minRequests: 100, windowMs: 10_000, cooldownMs: 1_000 }, () => now);
    breaker.tryAcquire()!.failure();
    now += 1_000;
    expect(breaker.state()).toBe('half-open');
    return breaker;
  };

  it('closes the breaker when the service answers its readiness', async () => {
    status = 200;
    const breaker = halfOpen();
    probeReadiness(breaker, url, 2_000);
    await eventually(() => breaker.state() === 'closed');
    expect(calls).toBeGreaterThan(0);
  });

  it('reopens it when the service says it cannot serve, and sends one probe at a time', async () => {
    status = 503;
    calls = 0;
    const breaker = halfOpen();
    probeReadiness(breaker, url, 2_000);
    probeReadiness(breaker, url, 2_000);
    await eventually(() => breaker.state() === 'open');
    expect(calls).toBe(1);
  });

  it('reopens it when nothing answers', async () => {
    const breaker = halfOpen();
    probeReadiness(breaker, 'http://127.0.0.1:9', 2_000);
    await eventually(() => breaker.state() === 'open');
  });
});
