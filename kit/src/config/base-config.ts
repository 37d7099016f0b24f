import { z } from 'zod';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A TCP port; 0 asks the OS for a free one (tests use it). */
export const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

export const positiveMs = (fallback: number) =>
  z.coerce.number({ error: 'must be a number of milliseconds' }).int().positive().default(fallback);

/** `DATABASE_URL` is a `mysql://` URL or a SQLite file path (or `:memory:`). */
export const databaseUrl = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((value) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^mysql:\/\//i.test(value), {
      message: 'must be a mysql:// URL or a SQLite file path',
    })
    .refine((value) => !/^mysql:\/\//i.test(value) || URL.canParse(value), {
      message: 'is not a valid URL',
    });

/** The keys every deployable honours. */
export function baseConfigShape(defaults: { port: number; databaseFile: string }) {
  return {
    PORT: port(defaults.port),
    DATABASE_URL: databaseUrl(defaults.databaseFile),
    LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
    SHUTDOWN_TIMEOUT_MS: positiveMs(10_000),
  };
}

/** A comma-separated list of http(s) base URLs (trailing slashes dropped). */
export const urlList = () =>
  z
    .string()
    .default('')
    .transform((value) => value.split(',').map((part) => part.trim().replace(/\/+$/, '')).filter(Boolean))
    .refine((urls) => urls.every((url) => /^https?:\/\//.test(url) && URL.canParse(url)), {
      message: 'must be a comma-separated list of http(s) URLs',
    });

/** A shared secret: long enough to resist guessing. */
export const secret = () => z.string().min(32, 'must be at least 32 characters').optional();

/** The keys of a deployable that takes part in cross-side sessions. */
export function peerSessionsShape() {
  return {
    /** Other sides that issue sessions, asked about tokens this side does not know. */
    AUTH_PEERS: urlList(),
    /** Shared secret for the internal session endpoints; without it they are disabled. */
    INTERNAL_API_TOKEN: secret(),
    PEER_TIMEOUT_MS: positiveMs(1_000),
  };
}

export const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');
