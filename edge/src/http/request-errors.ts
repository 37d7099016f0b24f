import { AppError } from '@strangler/kit';
import type { TargetProblem } from './request-target';

/**
 * The edge's answers to requests it refuses before anything is routed or forwarded. Codes are part of
 * the public contract: never reuse a retired one.
 */
export const requestErrors = {
  badRequestTarget: (reason: TargetProblem) =>
    new AppError(
      'EDGE_BAD_REQUEST_TARGET',
      400,
      'Bad request target',
      `The request target cannot be read one way only (${reason.replace(/-/g, ' ')}); send an origin-form path without it.`,
      { reason },
    ),
  connectionNominates: (header: string) =>
    new AppError(
      'EDGE_CONNECTION_HEADER_REFUSED',
      400,
      'Connection header refused',
      `The Connection header names ${header}, which the edge and the services rely on end to end; it cannot be dropped as hop-by-hop.`,
      { header },
    ),
  badFraming: (why: string) => new AppError('EDGE_BAD_FRAMING', 400, 'Ambiguous request', `The request can be read more than one way: ${why}.`),
  unsupportedTransferCoding: (codings: string) =>
    new AppError('EDGE_TRANSFER_CODING_NOT_IMPLEMENTED', 501, 'Transfer coding not implemented', `The edge carries only chunked request bodies, not "${codings}" (RFC 9112 §6.1).`, { codings }),
  tooManyHeaders: (limit: number) =>
    new AppError('EDGE_TOO_MANY_HEADERS', 431, 'Too many header fields', `The request has more than ${limit} header lines.`, { limit }),
  bodyTimeout: () =>
    new AppError('EDGE_REQUEST_BODY_TIMEOUT', 408, 'Request body too slow', 'The request body did not arrive fast enough; it was not processed.', { retryable: true }),
  forwardingLoop: () =>
    new AppError(
      'EDGE_FORWARDING_LOOP',
      508,
      'Forwarding loop',
      'The request came back to the edge that forwarded it: an upstream URL points at this edge (a manifest\'s service.url, or the routes file\'s monolith.url).',
    ),
  tooManySlowRequests: (limit: number) =>
    new AppError(
      'EDGE_TOO_MANY_SLOW_REQUESTS',
      429,
      'Too many slow requests',
      `This client already has ${limit} requests whose bodies are arriving slowly; this one was not processed.`,
      { retryable: true, limit },
    ),
};
