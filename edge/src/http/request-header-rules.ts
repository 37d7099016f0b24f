import type { IncomingMessage } from 'node:http';
import type { AppError } from '@strangler/kit';
import { requestErrors } from './request-errors';

/**
 * End-to-end headers the edge decides by, or the sides' contract rests on. A client that names one in
 * `Connection:` asks every hop to drop it, so the upstream would see a different request from the one
 * the edge routed, pinned and treated as keyed: such a request is refused rather than guessed at.
 */
const RELIED_ON: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'idempotency-key',
  'content-type',
  'content-length',
  'content-encoding',
  'host',
  'expect',
  'x-request-id',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
]);

export interface HeaderRuleSettings {
  /** Most header lines a request may carry (below what a Node upstream keeps: see config.ts). */
  maxHeaders: number;
}

/** Why the edge will not forward this request's headers as they are, or undefined. */
export function requestHeaderProblem(req: IncomingMessage, settings: HeaderRuleSettings): AppError | undefined {
  if (req.rawHeaders.length > settings.maxHeaders * 2) return requestErrors.tooManyHeaders(settings.maxHeaders);
  const connection = req.headers.connection;
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return undefined;
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (RELIED_ON.has(name)) return requestErrors.connectionNominates(name);
  }
  return undefined;
}

/**
 * Headers only the harness itself may set: the edge's own response header, the shadow mirror's marker
 * and the sides' internal secret. A client's copies are dropped, never forwarded.
 */
export function isHarnessHeader(name: string): boolean {
  return name.startsWith('x-strangler-') || name === 'x-internal-token' || name === 'x-shadow-request';
}
