import { NoiseModel } from '../src/shadow/noise-model';

describe('NoiseModel', () => {
  it('learns fields that differ on every pair by the second request, generalised, per route', () => {
    const noise = new NoiseModel();
    expect(noise.observe('GET /api/payments', ['/payments/0/requestedAt', '/payments/1/requestedAt', '/requestId'])).toEqual([]);
    expect(noise.observe('GET /api/payments', ['/payments/2/requestedAt', '/requestId'])).toEqual(['/payments/*/requestedAt', '/requestId']);
    expect(noise.isNoise('GET /api/payments', '/payments/42/requestedAt')).toBe(true);
    expect(noise.isNoise('GET /api/payments', '/requestId')).toBe(true);
    expect(noise.isNoise('GET /api/payments', '/payments/42/amount')).toBe(false);
    expect(noise.isNoise('GET /api/payments/:id', '/requestId')).toBe(false);
  });

  it('counts a field once per comparison, however many array items differ in it', () => {
    const noise = new NoiseModel({ minObservations: 2, minRatio: 0, maxPerRoute: 10 });
    noise.observe('r', ['/xs/0/at', '/xs/1/at', '/xs/2/at']);
    expect(noise.list('r')).toEqual([]);
  });

  it('does not let a rare difference (a write between the two calls) silence a field for good', () => {
    const noise = new NoiseModel();
    noise.observe('r', ['/payment/status']);
    for (let i = 0; i < 30; i++) noise.observe('r', []);
    noise.observe('r', ['/payment/status']); // twice in 32 comparisons: 6 %
    expect(noise.isNoise('r', '/payment/status')).toBe(true);
    for (let i = 0; i < 20; i++) noise.observe('r', []); // 2 in 52: under 5 %, reported again
    expect(noise.isNoise('r', '/payment/status')).toBe(false);
  });

  it('covers subtrees and exact non-pointer fields, lists sorted', () => {
    const noise = new NoiseModel({ minObservations: 1, minRatio: 0, maxPerRoute: 10 });
    noise.observe('r', ['/meta', 'header:set-cookie', '/a']);
    expect(noise.list('r')).toEqual(['/a', '/meta', 'header:set-cookie']);
    expect(noise.isNoise('r', '/meta/generatedAt')).toBe(true);
    expect(noise.isNoise('r', 'header:set-cookie')).toBe(true);
    expect(noise.isNoise('r', 'status')).toBe(false);
  });

  it('remembers a bounded number of fields per route', () => {
    const noise = new NoiseModel({ minObservations: 1, minRatio: 0, maxPerRoute: 3 });
    noise.observe('r', ['/a', '/b', '/c', '/d']);
    expect(noise.list('r')).toEqual(['/a', '/b', '/c']);
    expect(noise.list('unknown')).toEqual([]);
  });
});
