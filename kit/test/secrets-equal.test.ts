import { secretsEqual } from '../src';

describe('secretsEqual', () => {
  it('accepts exactly the configured secret, whatever the lengths compared (no length check leaks it)', () => {
    const secret = 'x'.repeat(64);
    expect(secretsEqual(secret, secret)).toBe(true);
    for (const given of ['', 'x', secret.slice(1), `${secret}x`, secret.toUpperCase(), `${secret.slice(0, 63)}y`]) expect(secretsEqual(given, secret)).toBe(false);
  });
});
