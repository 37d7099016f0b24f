import type { IncomingMessage } from 'node:http';
import { clientAddress, forwardingFacts } from '../src/http/client-address';
import { endToEndResponseHeaders } from '../src/proxy/hop-by-hop';
import { outgoingRequestHeaders, withFraming } from '../src/proxy/outgoing-headers';
import { decideOnFailure } from '../src/resilience/fallback-policy';
import type { UpstreamFailure } from '../src/proxy/upstream-errors';

describe('outgoingRequestHeaders', () => {
  const incoming = {
    host: 'shop.example.com',
    connection: 'keep-alive, x-trace-hop',
    'keep-alive': 'timeout=5',
    'x-trace-hop': '1',
    te: 'trailers',
    upgrade: 'h2c',
    'proxy-authorization': 'Basic x',
    'transfer-encoding': 'chunked',
    'content-length': '10',
    expect: '100-continue',
    authorization: 'Bearer t',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    'x-request-id': 'client-chosen',
    'x-forwarded-for': '203.0.113.9',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'public.example.com',
    forwarded: 'for=203.0.113.9',
    'x-forwarded-port': '443',
    'x-strangler-target': 'service',
    'x-strangler-anything': 'x',
    'x-internal-token': 'guess',
    'x-shadow-request': 'candidate',
  };

  it('drops hop-by-hop headers (and those Connection names), keeps end-to-end ones, sets the request id', () => {
    const headers = outgoingRequestHeaders(incoming, { forwardedFor: '10.0.0.5', peerTrusted: true, protocol: 'http', requestId: 'rid-1' });
    for (const name of ['connection', 'keep-alive', 'x-trace-hop', 'te', 'upgrade', 'proxy-authorization', 'transfer-encoding', 'content-length', 'expect', 'host']) {
      expect(headers).not.toHaveProperty(name);
    }
    expect(headers).toMatchObject({ authorization: 'Bearer t', traceparent: incoming.traceparent, 'x-request-id': 'rid-1' });
  });

  it('never forwards a client’s copy of the harness’s own headers (issue #14 §5)', () => {
    for (const trusted of [true, false]) {
      const headers = outgoingRequestHeaders(incoming, { forwardedFor: '10.0.0.5', peerTrusted: trusted, protocol: 'http', requestId: 'r' });
      for (const name of ['x-strangler-target', 'x-strangler-anything', 'x-internal-token', 'x-shadow-request']) expect([trusted, name, headers[name]]).toEqual([trusted, name, undefined]);
    }
  });

  it('writes X-Forwarded-For itself, believes a trusted proxy’s well-formed Proto and Host, and never passes Forwarded or other X-Forwarded-* (issue #14 §3)', () => {
    const trusted = outgoingRequestHeaders(incoming, { forwardedFor: '203.0.113.9, 10.0.0.5', peerTrusted: true, protocol: 'http', requestId: 'r' });
    expect(trusted).toMatchObject({ 'x-forwarded-for': '203.0.113.9, 10.0.0.5', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example.com' });
    expect(trusted).not.toHaveProperty('forwarded');
    expect(trusted).not.toHaveProperty('x-forwarded-port');
    const untrusted = outgoingRequestHeaders(incoming, { forwardedFor: '198.51.100.7', peerTrusted: false, protocol: 'http', requestId: 'r' });
    expect(untrusted).toMatchObject({ 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'shop.example.com' });
    expect(untrusted).not.toHaveProperty('forwarded');
    const odd = outgoingRequestHeaders(
      { ...incoming, 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'evil.example.com/path?x' },
      { forwardedFor: '10.0.0.5', peerTrusted: true, protocol: 'https', requestId: 'r' },
    );
    expect(odd).toMatchObject({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example.com' });
  });

  it('frames each attempt itself', () => {
    expect(withFraming({ a: '1' }, { present: false, length: undefined })).toEqual({ a: '1' });
    expect(withFraming({ a: '1' }, { present: true, length: 12 })).toEqual({ a: '1', 'content-length': '12' });
    expect(withFraming({ a: '1' }, { present: true, length: undefined })).toEqual({ a: '1', 'transfer-encoding': 'chunked' });
  });
});

describe('endToEndResponseHeaders', () => {
  it('keeps repeated headers as separate lines and drops hop-by-hop ones', () => {
    const raw = ['Set-Cookie', 'a=1', 'Connection', 'keep-alive, X-Internal', 'Keep-Alive', 'timeout=5', 'X-Internal', 'no', 'set-cookie', 'b=2', 'Transfer-Encoding', 'chunked', 'Content-Type', 'text/plain'];
    expect([...endToEndResponseHeaders(raw)]).toEqual([
      ['set-cookie', ['a=1', 'b=2']],
      ['content-type', ['text/plain']],
    ]);
  });
});

describe('decideOnFailure', () => {
  const failure = (kind: UpstreamFailure['kind'], requestSent: boolean): UpstreamFailure => ({ kind, requestSent, code: undefined, message: '' });
  const base = { capability: 'payments', safe: false, hasIdempotencyKey: false, replayable: true, responseTimeoutMs: 1000 };

  // Decision 0020: a write never leaves the side holding its write authority, even when nothing reached
  // the service — an earlier attempt of the same key may still be in the service's hands (issue #12 C).
  it('retries a safe request on the monolith when nothing reached the service; never a write', () => {
    expect(decideOnFailure({ ...base, side: 'service', safe: true, failure: failure('connect', false) })).toEqual({ kind: 'retry-on-monolith' });
    for (const hasIdempotencyKey of [false, true]) {
      expect(decideOnFailure({ ...base, side: 'service', hasIdempotencyKey, failure: failure('connect', false) })).toMatchObject({ kind: 'fail', retryAfter: true, error: { code: 'EDGE_SERVICE_UNAVAILABLE' } });
    }
  });

  it('retries safe requests after the service may have seen them', () => {
    for (const kind of ['reset', 'timeout'] as const) {
      expect(decideOnFailure({ ...base, side: 'service', safe: true, failure: failure(kind, true) })).toEqual({ kind: 'retry-on-monolith' });
    }
  });

  it('never replays a keyed write on the monolith, whether the service may have done it or declined it (503)', () => {
    for (const kind of ['reset', 'timeout'] as const) {
      expect(decideOnFailure({ ...base, side: 'service', hasIdempotencyKey: true, failure: failure(kind, true) })).toMatchObject({ kind: 'fail', retryAfter: true });
    }
    const declined: UpstreamFailure = { kind: 'reset', requestSent: true, code: 'HTTP_503', message: 'upstream answered 503' };
    expect(decideOnFailure({ ...base, side: 'service', hasIdempotencyKey: true, failure: declined })).toMatchObject({ kind: 'fail' });
    expect(decideOnFailure({ ...base, side: 'service', failure: declined })).toMatchObject({ kind: 'fail' });
    expect(decideOnFailure({ ...base, side: 'service', safe: true, failure: declined })).toEqual({ kind: 'retry-on-monolith' });
  });

  it('never replays an unsafe request without a key, nor one whose body is gone', () => {
    const unsafe = decideOnFailure({ ...base, side: 'service', failure: failure('reset', true) });
    expect(unsafe).toMatchObject({ kind: 'fail', retryAfter: true, error: { code: 'EDGE_SERVICE_UNAVAILABLE', status: 503 } });
    const bodyGone = decideOnFailure({ ...base, side: 'service', safe: true, replayable: false, failure: failure('timeout', true) });
    expect(bodyGone).toMatchObject({ kind: 'fail', error: { code: 'EDGE_SERVICE_UNAVAILABLE' } });
  });

  it('sends a read a pin took to the monolith on to the service its stage names when the monolith gave no answer; nothing else', () => {
    expect(decideOnFailure({ ...base, side: 'monolith', safe: true, fallback: 'service', failure: failure('connect', false) })).toEqual({ kind: 'retry-on-service' });
    expect(decideOnFailure({ ...base, side: 'monolith', safe: true, fallback: 'service', replayable: false, failure: failure('reset', true) })).toMatchObject({ kind: 'fail' });
    expect(decideOnFailure({ ...base, side: 'monolith', fallback: 'service', failure: failure('connect', false) })).toMatchObject({ kind: 'fail' });
    expect(decideOnFailure({ ...base, side: 'monolith', safe: true, failure: failure('connect', false) })).toMatchObject({ kind: 'fail' });
  });

  it('maps monolith failures to stable codes, with Retry-After when a retry is harmless', () => {
    expect(decideOnFailure({ ...base, side: 'monolith', failure: failure('connect', false) })).toMatchObject({ retryAfter: true, error: { code: 'EDGE_UPSTREAM_UNAVAILABLE', status: 502 } });
    expect(decideOnFailure({ ...base, side: 'monolith', failure: failure('timeout', true) })).toMatchObject({ retryAfter: false, error: { code: 'EDGE_UPSTREAM_TIMEOUT', status: 504 } });
    expect(decideOnFailure({ ...base, side: 'monolith', safe: true, failure: failure('timeout', true) })).toMatchObject({ retryAfter: true, error: { code: 'EDGE_UPSTREAM_TIMEOUT' } });
    expect(decideOnFailure({ ...base, side: 'monolith', failure: failure('reset', true) })).toMatchObject({ retryAfter: false, error: { code: 'EDGE_BAD_GATEWAY', status: 502 } });
  });
});

describe('clientAddress (as express computes req.ip)', () => {
  const trustLoopbackAndPrivate = (address: string) => address === '127.0.0.1' || address.startsWith('10.');
  const req = (remoteAddress: string, forwardedFor?: string) =>
    ({ socket: { remoteAddress }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage;

  it('takes X-Forwarded-For only as far as the hops are trusted', () => {
    expect(clientAddress(req('127.0.0.1', '203.0.113.9'), trustLoopbackAndPrivate)).toBe('203.0.113.9');
    expect(clientAddress(req('127.0.0.1', 'spoofed, 198.51.100.4, 10.0.0.2'), trustLoopbackAndPrivate)).toBe('198.51.100.4');
    expect(clientAddress(req('198.51.100.7', '203.0.113.9'), trustLoopbackAndPrivate)).toBe('198.51.100.7');
    expect(clientAddress(req('127.0.0.1'), trustLoopbackAndPrivate)).toBe('127.0.0.1');
  });

  it('forwards only the part of X-Forwarded-For the trusted proxies vouch for: from the client on', () => {
    // What the client wrote before its own address is dropped, so an upstream that trusts private
    // ranges can never walk into an address the client chose.
    expect(forwardingFacts(req('127.0.0.1', 'spoofed, 198.51.100.4, 10.0.0.2'), trustLoopbackAndPrivate)).toEqual({
      client: '198.51.100.4',
      forwardedFor: '198.51.100.4, 10.0.0.2, 127.0.0.1',
      peerTrusted: true,
    });
    expect(forwardingFacts(req('10.9.9.9', '1.2.3.4'), () => false)).toEqual({ client: '10.9.9.9', forwardedFor: '10.9.9.9', peerTrusted: false });
    expect(forwardingFacts(req('127.0.0.1', '10.0.0.7, 10.0.0.2'), trustLoopbackAndPrivate)).toEqual({
      client: '10.0.0.7',
      forwardedFor: '10.0.0.7, 10.0.0.2, 127.0.0.1',
      peerTrusted: true,
    });
  });
});
