import { NoiseModel } from '../src/shadow/noise-model';

describe('NoiseModel', () => {
  it('learns generalised pointers per route and recognises later concrete ones', () => {
    const noise = new NoiseModel();
    expect(noise.learn('GET /api/payments', ['/payments/0/requestedAt', '/requestId'])).toEqual(['/payments/*/requestedAt', '/requestId']);
    expect(noise.isNoise('GET /api/payments', '/payments/42/requestedAt')).toBe(true);
    expect(noise.isNoise('GET /api/payments', '/requestId')).toBe(true);
    expect(noise.isNoise('GET /api/payments', '/payments/42/amount')).toBe(false);
    expect(noise.isNoise('GET /api/payments/:id', '/requestId')).toBe(false);
  });

  it('does not relearn what a broader pattern already covers, and lists sorted', () => {
    const noise = new NoiseModel();
    noise.learn('r', ['/meta']);
    expect(noise.learn('r', ['/meta/generatedAt', '/meta'])).toEqual([]);
    noise.learn('r', ['header:set-cookie', '/a']);
    expect(noise.list('r')).toEqual(['/a', '/meta', 'header:set-cookie']);
    expect(noise.isNoise('r', 'header:set-cookie')).toBe(true);
    expect(noise.isNoise('r', 'status')).toBe(false);
  });

  it('stops learning at its bound', () => {
    const noise = new NoiseModel(3);
    noise.learn('r', ['/a', '/b', '/c', '/d']);
    expect(noise.list('r')).toEqual(['/a', '/b', '/c']);
    expect(noise.list('unknown')).toEqual([]);
  });
});
