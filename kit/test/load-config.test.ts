import { z } from 'zod';
import { ConfigError, loadConfig } from '../src/config/load-config';
import { baseConfigShape } from '../src/config/base-config';

const schema = z.object(baseConfigShape({ port: 3000, databaseFile: '.data/x.sqlite' }));

describe('loadConfig', () => {
  it('applies defaults', () => {
    expect(loadConfig(schema, {})).toEqual({
      PORT: 3000,
      DATABASE_URL: '.data/x.sqlite',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 10_000,
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig(schema, { PORT: '', LOG_LEVEL: ' ' }).PORT).toBe(3000);
  });

  it('accepts a mysql URL and a SQLite path', () => {
    expect(loadConfig(schema, { DATABASE_URL: 'mysql://root@127.0.0.1:3306/app' }).DATABASE_URL).toBe('mysql://root@127.0.0.1:3306/app');
    expect(loadConfig(schema, { DATABASE_URL: '/var/lib/app.sqlite' }).DATABASE_URL).toBe('/var/lib/app.sqlite');
  });

  it('names every bad variable in one error', () => {
    try {
      loadConfig(schema, { PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'postgres://x/y' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('PORT="eighty"');
      expect(message).toContain('LOG_LEVEL="loud"');
      expect(message).toContain('DATABASE_URL');
      expect((error as ConfigError).problems).toHaveLength(3);
    }
  });

  it('rejects out-of-range ports', () => {
    expect(() => loadConfig(schema, { PORT: '70000' })).toThrow(/PORT="70000"/);
    expect(() => loadConfig(schema, { PORT: '-1' })).toThrow(/PORT/);
  });

  it('never echoes a secret value', () => {
    const withSecret = z.object({ API_TOKEN: z.string().min(40) });
    expect(() => loadConfig(withSecret, { API_TOKEN: 'hunter2' })).toThrow(/API_TOKEN="\[redacted\]"/);
  });
});
