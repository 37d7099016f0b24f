import pino, { type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import { requestContext } from './request-context';

export type { Logger };

/** Paths pino blanks out wherever they appear. Secrets must never reach a log line. */
export const REDACTED_PATHS = [
  'password',
  'token',
  'newPassword',
  '*.password',
  '*.token',
  '*.newPassword',
  '*.*.password',
  '*.*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'req.headers["x-admin-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'cookie',
];

export interface LoggerSettings {
  name: string;
  level: string;
  destination?: DestinationStream;
}

/** A pino logger whose every line carries the current request id, when there is one. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin() {
      const context = requestContext.current();
      return context ? { requestId: context.requestId } : {};
    },
    base: { service: settings.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
