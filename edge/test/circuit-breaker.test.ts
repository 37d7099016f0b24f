import { CircuitBreaker, type BreakerSettings, type BreakerState } from '../src/resilience/circuit-breaker';

const settings: BreakerSettings = { failureThreshold: 3, errorRate: 0.5, minRequests: 10, windowMs: 10_000, cooldownMs: 5_000 };

function breaker(overrides: Partial<BreakerSettings> = {}) {
  let now = 1_000_000;
  const transitions: BreakerState[] = [];
  const b = new CircuitBreaker('payments', { ...settings, ...overrides }, () => now, (_name, to) => transitions.push(to));
  return { b, transitions, advance: (ms: number) => (now += ms) };
}

const fail = (b: CircuitBreaker) => b.tryAcquire()!.failure();
const succeed = (b: CircuitBreaker) => b.tryAcquire()!.success();

describe('CircuitBreaker', () => {
  it('opens after consecutive failures and refuses calls while open', () => {
    const { b, transitions } = breaker();
    fail(b);
    fail(b);
    succeed(b);
    fail(b);
    fail(b);
    expect(b.state()).toBe('closed');
    fail(b);
    expect(b.state()).toBe('open');
    expect(b.tryAcquire()).toBeUndefined();
    expect(transitions).toEqual(['open']);
  });

  it('opens on the error rate over the rolling window, which forgets old calls', () => {
    const { b, advance } = breaker({ failureThreshold: 100 });
    for (let i = 0; i < 4; i += 1) {
      succeed(b);
      succeed(b);
      fail(b);
    }
    expect(b.state()).toBe('closed');
    advance(11_000);
    for (let i = 0; i < 4; i += 1) succeed(b);
    for (let i = 0; i < 5; i += 1) fail(b);
    expect(b.snapshot().window).toEqual({ calls: 9, failures: 5, ms: 10_000 });
    expect(b.state()).toBe('closed');
    fail(b);
    expect(b.state()).toBe('open');
  });

  it('lets exactly one probe through after the cooldown; success closes it', () => {
    const { b, advance, transitions } = breaker();
    for (let i = 0; i < 3; i += 1) fail(b);
    advance(4_999);
    expect(b.tryAcquire()).toBeUndefined();
    advance(1);
    const probe = b.tryAcquire()!;
    expect(probe.probe).toBe(true);
    expect(b.state()).toBe('half-open');
    expect(b.tryAcquire()).toBeUndefined();
    probe.success();
    expect(b.state()).toBe('closed');
    expect(b.tryAcquire()?.probe).toBe(false);
    expect(transitions).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens when the probe fails, for a full new cooldown', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i += 1) fail(b);
    advance(5_000);
    b.tryAcquire()!.failure();
    expect(b.state()).toBe('open');
    advance(4_000);
    expect(b.tryAcquire()).toBeUndefined();
    advance(1_000);
    expect(b.tryAcquire()?.probe).toBe(true);
  });

  it('frees the probe slot when a probe ends without an answer either way', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i += 1) fail(b);
    advance(5_000);
    b.tryAcquire()!.release();
    expect(b.state()).toBe('half-open');
    expect(b.tryAcquire()?.probe).toBe(true);
  });

  it('gives up a probe that never reports back after a cooldown, so it cannot hold every call off for ever', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i += 1) fail(b);
    advance(5_000);
    const lost = b.tryAcquire()!;
    expect(lost.probe).toBe(true);
    advance(4_999);
    expect(b.tryAcquire()).toBeUndefined();
    advance(1);
    const next = b.tryAcquire()!;
    expect(next.probe).toBe(true);
    next.success();
    expect(b.state()).toBe('closed');
  });

  it('ignores late answers from calls let through before it opened, and double reports', () => {
    const { b } = breaker();
    const early = b.tryAcquire()!;
    for (let i = 0; i < 3; i += 1) fail(b);
    early.success();
    expect(b.state()).toBe('open');
    const { b: other } = breaker();
    const permit = other.tryAcquire()!;
    permit.failure();
    permit.failure();
    permit.failure();
    expect(other.snapshot().consecutiveFailures).toBe(1);
  });
});
