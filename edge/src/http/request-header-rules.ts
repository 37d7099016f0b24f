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
  const framing = framingProblem(req);
  if (framing) return framing;
  const connection = req.headers.connection;
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return undefined;
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (RELIED_ON.has(name)) return requestErrors.connectionNominates(name);
  }
  return undefined;
}

/**
 * Requests whose framing or authority two parsers could read differently (RFC 9112): the edge decides
 * by one reading, and an upstream that reads another would serve a different request.
 */
function framingProblem(req: IncomingMessage): AppError | undefined {
  const hosts = req.headersDistinct.host ?? [];
  if (hosts.length > 1) return requestErrors.badFraming('more than one Host header (RFC 9112 §3.2)');
  const codings = req.headersDistinct['transfer-encoding'];
  if (!codings) return undefined;
  // §6.1: Transfer-Encoding in an HTTP/1.0 request means faulty framing.
  if (req.httpVersionMajor === 1 && req.httpVersionMinor === 0) return requestErrors.badFraming('Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)');
  const names = codings.flatMap((value) => value.split(',')).map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  // The edge forwards bodies as it reads them: only `chunked` (which it decodes) can be carried faithfully.
  if (names.some((name) => name !== 'chunked')) return requestErrors.unsupportedTransferCoding(names.join(', '));
  return undefined;
}

/**
 * Headers only the harness itself may set: the edge's own response header, the shadow mirror's marker
 * and the sides' internal secret. A client's copies are dropped, never forwarded.
 */
export function isHarnessHeader(name: string): boolean {
  return name.startsWith('x-strangler-') || name === 'x-internal-token' || name === 'x-shadow-request';
}
