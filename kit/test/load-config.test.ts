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

  describe('development secrets (issue #18)', () => {
    const withSecrets = z.object({
      ...baseConfigShape({ port: 3000, databaseFile: '.data/x.sqlite' }),
      INTERNAL_API_TOKEN: z.string().optional(),
      UNLEASH_API_TOKEN: z.string().optional(),
    });
    const published = {
      INTERNAL_API_TOKEN: 'strangler-dev-internal-token-0123456789',
      UNLEASH_API_TOKEN: 'default:development.strangler-dev-backend-secret',
      DATABASE_URL: 'mysql://strangler:strangler@mysql:3306/monolith',
    };

    it.each(Object.entries(published))('refuses %s holding a secret this repository published, without echoing it', (variable, value) => {
      try {
        loadConfig(withSecrets, { [variable]: value });
        throw new Error('expected a ConfigError');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).problems).toEqual([expect.stringMatching(new RegExp(`^${variable}: holds a development secret .*STRANGLER_DEV_MODE=true`))]);
        expect((error as ConfigError).message).not.toContain(value);
      }
    });

    it('accepts them only in development mode, and secrets of the operator’s own always', () => {
      expect(loadConfig(withSecrets, { ...published, STRANGLER_DEV_MODE: 'true' }).INTERNAL_API_TOKEN).toBe(published.INTERNAL_API_TOKEN);
      expect(() => loadConfig(withSecrets, { ...published, STRANGLER_DEV_MODE: 'false' })).toThrow(ConfigError);
      const own = { INTERNAL_API_TOKEN: 'a3f1c9e07b5d4f2a8c6e1b9d7f3a5c2e', DATABASE_URL: 'mysql://strangler:Zq8-long-random@mysql:3306/monolith' };
      expect(loadConfig(withSecrets, own)).toMatchObject(own);
      expect(loadConfig(withSecrets, { DATABASE_URL: 'mysql://root@127.0.0.1:3306/test' }).DATABASE_URL).toBe('mysql://root@127.0.0.1:3306/test');
    });

    it('refuses a development-mode switch it cannot read', () => {
      expect(() => loadConfig(withSecrets, { STRANGLER_DEV_MODE: 'yes' })).toThrow(/STRANGLER_DEV_MODE="yes": must be true or false/);
    });
  });
});
