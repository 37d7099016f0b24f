import express, { type RequestHandler } from 'express';
import { httpErrors } from '../errors/http-errors';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return length !== undefined && length !== '0';
}

function refuseAnyBytes(req: Parameters<RequestHandler>[0], next: Parameters<RequestHandler>[2]): void {
  let refused = false;
  req.on('data', () => {
    if (refused) return;
    refused = true;
    req.unpipe();
    req.resume();
    next(httpErrors.unsupportedMediaType(undefined));
  });
  req.on('end', () => {
    if (!refused) next();
  });
}

/** Deeper than any request the APIs accept by far; code walking a parsed body may recurse this deep. */
export const MAX_JSON_DEPTH = 32;

/**
 * Throws (as body-parser's `verify` expects) when the raw JSON nests arrays and objects deeper than
 * `MAX_JSON_DEPTH`: one line of `[[[[…` parses fine and then overflows the stack of whatever walks it
 * recursively (a request fingerprint did: a 500 on both sides for one request's body).
 */
export function refuseDeepJson(_req: unknown, _res: unknown, raw: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i += 1) {
    const byte = raw[i]!;
    if (inString) {
      if (byte === 0x5c /* \\ */) i += 1;
      else if (byte === 0x22 /* " */) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x5b /* [ */ || byte === 0x7b /* { */) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) throw Object.assign(new Error(`JSON nested deeper than ${MAX_JSON_DEPTH}`), { status: 400, type: 'entity.too.deep' });
    } else if (byte === 0x5d /* ] */ || byte === 0x7d /* } */) {
      depth -= 1;
    }
  }
}

/**
 * JSON only: a body of another media type is refused with 415 before anything reads it, and JSON
 * bodies are parsed strictly (objects and arrays) with a size limit (413 beyond it) and a nesting
 * limit (400 beyond it).
 */
export function jsonBody(limit: string): RequestHandler[] {
  const guard: RequestHandler = (req, _res, next) => {
    if (!METHODS_WITH_BODY.has(req.method) || !hasBody(req)) return next();
    if (req.headers['content-type'] === undefined && req.headers['content-length'] === undefined) {
      // A chunked body without a media type: fine if it turns out empty (some clients send bodiless
      // POSTs that way), 415 as soon as a byte arrives.
      return refuseAnyBytes(req, next);
    }
    if (!req.is(['application/json', 'application/*+json'])) {
      return next(httpErrors.unsupportedMediaType(req.headers['content-type']));
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity') return next(httpErrors.unsupportedEncoding());
    return next();
  };
  const parser = express.json({ limit, strict: true, type: ['application/json', 'application/*+json'], inflate: false, verify: refuseDeepJson });
  return [guard, parser];
}
