import { gzipSync } from 'node:zlib';
import { bodyPreview, readBody } from '../src/shadow/response-body';
import { compareResponses, type ComparableResponse } from '../src/shadow/response-compare';
import type { CapturedResponse } from '../src/shadow';

function captured(status: number, body: unknown, headers: Record<string, string | string[]> = {}, truncated = false): CapturedResponse {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const contentType = typeof body === 'string' || Buffer.isBuffer(body) ? 'text/plain' : 'application/json; charset=utf-8';
  return { status, headers: { 'content-type': contentType, ...headers }, body: bytes, truncated, latencyMs: 1 };
}

const comparable = (response: CapturedResponse): ComparableResponse => ({ status: response.status, headers: response.headers, body: readBody(response, 1_000_000) });
const fields = (a: CapturedResponse, b: CapturedResponse) => compareResponses(comparable(a), comparable(b)).map((d) => d.field);

describe('readBody', () => {
  it('parses JSON and +json content types, decodes gzip, and keeps anything else as bytes', () => {
    expect(readBody(captured(200, { a: 1 }), 1000)).toEqual({ kind: 'json', value: { a: 1 } });
    expect(readBody({ ...captured(200, { a: 1 }), headers: { 'content-type': 'application/problem+json' } }, 1000)).toEqual({ kind: 'json', value: { a: 1 } });
    const zipped = { ...captured(200, { a: 2 }), body: gzipSync('{"a":2}'), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } };
    expect(readBody(zipped, 1000)).toEqual({ kind: 'json', value: { a: 2 } });
    expect(readBody(captured(200, 'hello'), 1000)).toEqual({ kind: 'bytes', bytes: Buffer.from('hello') });
    expect(readBody({ ...captured(200, 'not json'), headers: { 'content-type': 'application/json' } }, 1000).kind).toBe('bytes');
    expect(readBody(captured(200, { a: 1 }, {}, true), 1000)).toEqual({ kind: 'truncated' });
  });

  it('previews bodies briefly', () => {
    expect(bodyPreview({ kind: 'bytes', bytes: Buffer.from('x'.repeat(500)) }, 10)).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('compareResponses', () => {
  it('finds nothing between equal answers, ignoring content-type parameters', () => {
    const a = captured(200, { id: 1 });
    const b = { ...captured(200, { id: 1 }), headers: { 'Content-Type': 'application/json' } };
    expect(fields(a, b)).toEqual([]);
  });

  it('reports a status difference alone rather than every body field', () => {
    expect(fields(captured(200, { payment: { id: 1 } }), captured(404, { code: 'PAYMENT_NOT_FOUND' }))).toEqual(['status']);
  });

  it('reports JSON differences by pointer, with both values', () => {
    const differences = compareResponses(comparable(captured(200, { payment: { status: 'authorized' } })), comparable(captured(200, { payment: { status: 'AUTHORIZED' } })));
    expect(differences).toEqual([{ field: '/payment/status', left: 'authorized', right: 'AUTHORIZED' }]);
  });

  it('compares content type and the presence of set-cookie and www-authenticate', () => {
    expect(fields(captured(200, 'x'), captured(200, { x: 1 }))).toEqual(['header:content-type', 'body']);
    expect(fields(captured(401, { a: 1 }, { 'www-authenticate': 'Bearer' }), captured(401, { a: 1 }))).toEqual(['header:www-authenticate']);
    expect(fields(captured(200, { a: 1 }, { 'set-cookie': ['a=1'] }), captured(200, { a: 1 }, { 'set-cookie': ['a=2'] }))).toEqual([]);
  });

  it('compares non-JSON bodies byte for byte', () => {
    expect(fields(captured(200, 'abc'), captured(200, 'abc'))).toEqual([]);
    expect(fields(captured(200, 'abc'), captured(200, 'abd'))).toEqual(['body']);
    expect(fields(captured(200, [1]), captured(200, { 0: 1 }))).toEqual(['body']);
  });

  it('skips bodies that were cut at the capture limit', () => {
    expect(fields(captured(200, { a: 1 }, {}, true), captured(200, { a: 2 }))).toEqual([]);
  });
});
