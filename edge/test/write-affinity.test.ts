import { WriteAffinity } from '../src/consistency/write-affinity';

describe('WriteAffinity: a caller’s reads follow their latest write for a while', () => {
  let now = 1_000;
  const clock = () => now;
  const affinity = (windowMs = 5_000, capacity = 100) => new WriteAffinity({ windowMs, capacity, now: clock });

  beforeEach(() => {
    now = 1_000;
  });

  it('pins the caller to the side that took the write until the window has passed', () => {
    const pins = affinity();
    expect(pins.empty).toBe(true);
    pins.noteWrite('payments', ['user:u1'], 'monolith');
    expect(pins.empty).toBe(false);
    expect(pins.sideFor('payments', ['user:u1'])).toBe('monolith');
    now += 4_999;
    expect(pins.sideFor('payments', ['user:u1'])).toBe('monolith');
    now += 1;
    expect(pins.sideFor('payments', ['user:u1'])).toBeUndefined();
    expect(pins.empty).toBe(true); // an expired pin is dropped when it is seen
  });

  it('keeps capabilities and callers apart', () => {
    const pins = affinity();
    pins.noteWrite('payments', ['user:u1'], 'service');
    expect(pins.sideFor('auth', ['user:u1'])).toBeUndefined();
    expect(pins.sideFor('payments', ['user:u2'])).toBeUndefined();
  });

  it('finds a write made with another of the caller’s keys, and follows the newest of them', () => {
    const pins = affinity();
    pins.noteWrite('payments', ['user:u1', 'token:a'], 'monolith');
    expect(pins.sideFor('payments', ['user:u1', 'token:b'])).toBe('monolith'); // another token of the same user
    now += 100;
    pins.noteWrite('payments', ['token:b'], 'service'); // before the edge knew token b's user
    expect(pins.sideFor('payments', ['user:u1', 'token:b'])).toBe('service');
    expect(pins.sideFor('payments', ['user:u1', 'token:a'])).toBe('monolith');
  });

  it('moves the pin with each write, and extends it', () => {
    const pins = affinity();
    pins.noteWrite('payments', ['user:u1'], 'monolith');
    now += 4_000;
    pins.noteWrite('payments', ['user:u1'], 'service');
    now += 4_000;
    expect(pins.sideFor('payments', ['user:u1'])).toBe('service');
  });

  it('forgets the least recent writers beyond its capacity', () => {
    const pins = affinity(5_000, 2);
    pins.noteWrite('payments', ['user:u1'], 'monolith');
    pins.noteWrite('payments', ['user:u2'], 'monolith');
    pins.noteWrite('payments', ['user:u3'], 'monolith');
    expect(pins.sideFor('payments', ['user:u1'])).toBeUndefined();
    expect(pins.sideFor('payments', ['user:u3'])).toBe('monolith');
  });

  it('pins nothing with a window of 0', () => {
    const pins = affinity(0);
    expect(pins.enabled).toBe(false);
    pins.noteWrite('payments', ['user:u1'], 'monolith');
    expect(pins.sideFor('payments', ['user:u1'])).toBeUndefined();
    expect(pins.empty).toBe(true);
  });

  it('refuses a negative window', () => {
    expect(() => affinity(-1)).toThrow(/windowMs/);
  });
});
