import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { CapturedResponse } from './shadow-types';

export type ResponseBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'bytes'; bytes: Buffer }
  /** Cut at maxBodyBytes on capture: comparing a prefix would report noise, so the body is not compared. */
  | { kind: 'truncated' };

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value.join(', ') : value;
  }
  return undefined;
}

function decode(body: Buffer, encoding: string | undefined, maxBytes: number): Buffer | undefined {
  const options = { maxOutputLength: maxBytes };
  try {
    switch (encoding?.trim().toLowerCase()) {
      case undefined:
      case '':
      case 'identity':
        return body;
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(body, options);
      case 'deflate':
        return inflateSync(body, options);
      case 'br':
        return brotliDecompressSync(body, options);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** The body as compared: decoded per content-encoding, parsed when the content type says JSON. */
export function readBody(response: CapturedResponse, maxBytes: number): ResponseBody {
  if (response.truncated) return { kind: 'truncated' };
  const bytes = decode(response.body, headerValue(response.headers, 'content-encoding'), maxBytes);
  if (bytes === undefined) return { kind: 'bytes', bytes: response.body };
  if (bytes.length > 0 && JSON_TYPE.test(headerValue(response.headers, 'content-type') ?? '')) {
    try {
      return { kind: 'json', value: JSON.parse(bytes.toString('utf8')) };
    } catch {
      // Says JSON, is not: compared as bytes, which still catches a difference.
    }
  }
  return { kind: 'bytes', bytes };
}

/** What a sample shows for a non-JSON body: a short text preview, never the whole thing. */
export function bodyPreview(body: ResponseBody, maxChars = 200): string {
  if (body.kind === 'truncated') return '[truncated]';
  if (body.kind === 'json') return JSON.stringify(body.value).slice(0, maxChars);
  const text = body.bytes.subarray(0, maxChars * 4).toString('utf8');
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
