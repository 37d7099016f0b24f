import { canonicalTarget } from '../src/http/request-target';
import { surfaceOf } from '../src/http/edge-surface';

/**
 * One reading of a request-target for the whole edge (issue #11 §1): each spelling either has exactly
 * one canonical form, or is refused with a stable reason before anything routes.
 */
describe('canonicalTarget', () => {
  const canonical: Array<[string, string, string?]> = [
    // [raw target, canonical path + query, method]
    ['/api/payments', '/api/payments'],
    ['/api/payments?limit=2&cursor=abc', '/api/payments?limit=2&cursor=abc'],
    ['/', '/'],
    // Doubled slashes: what a client with a trailing-slash base URL sends.
    ['//api/payments', '/api/payments'],
    ['/api//payments', '/api/payments'],
    ['///api/payments', '/api/payments'],
    ['//api/payments/p1/refunds', '/api/payments/p1/refunds'],
    ['/api/payments//', '/api/payments/'],
    ['//', '/'],
    // The query is passed on exactly as sent; slashes in it are not the path's.
    ['/api/payments?next=//x&y=%2F&z=%ZZ', '/api/payments?next=//x&y=%2F&z=%ZZ'],
    ['//api//payments?a=b?c', '/api/payments?a=b?c'],
    // Case is kept (ids keep theirs); routing ignores it, as the upstreams' routers do.
    ['/API/Payments/P1', '/API/Payments/P1'],
    // Percent-encoding: unreserved characters decoded, the rest in upper case.
    ['/api/p%61yments', '/api/payments'],
    ['/api/payments/%7euser', '/api/payments/~user'],
    ['/api/payments/a%20b', '/api/payments/a%20b'],
    ['/api/payments/a%2cb', '/api/payments/a%2Cb'],
    ['/api/payments/caf%c3%a9', '/api/payments/caf%C3%A9'],
    ['/api/payments/a.b/..c/.d', '/api/payments/a.b/..c/.d'],
    ['/a:b@c;d=e/f!$&\'()*+,', '/a:b@c;d=e/f!$&\'()*+,'],
    // Absolute-form (a server must accept it): the authority goes, the path is read as usual.
    ['http://x/api/payments', '/api/payments'],
    ['HTTPS://shop.example.com:8443//api//payments?x=1', '/api/payments?x=1'],
    ['http://x', '/'],
    ['http://x?y', '/?y'],
    ['*', '*', 'OPTIONS'],
  ];
  it.each(canonical)('%s → %s', (raw, expected, method = 'GET') => {
    const target = canonicalTarget(method, raw);
    expect('refused' in target ? target : target.path + target.query).toBe(expected);
  });

  const refused: Array<[string, string, string?]> = [
    ['/api/payments#frag', 'fragment'],
    ['/api/payments?x=1#frag', 'fragment'],
    ['/api\\payments', 'backslash'],
    ['/api/payments/a\\..\\..\\internal\\sessions', 'backslash'],
    ['/api/payments/a%5c..%5Cinternal', 'backslash'],
    ['/api/payments/a%2Fb', 'encoded-slash'],
    ['/api/payments/a%2fb', 'encoded-slash'],
    ['/api/payments/..', 'dot-segment'],
    ['/api/payments/../../internal/sessions', 'dot-segment'],
    ['/api/./payments', 'dot-segment'],
    ['/api/payments/%2e%2e', 'dot-segment'],
    ['/api/payments/%2E%2e/x', 'dot-segment'],
    ['/api/payments/.%2e', 'dot-segment'],
    ['/api/payments/%2e', 'dot-segment'],
    ['//..//internal', 'dot-segment'],
    ['http://x/api/../internal', 'dot-segment'],
    ['/api/payments/%ZZ', 'bad-percent-encoding'],
    ['/api/payments/%', 'bad-percent-encoding'],
    ['/api/payments/%4', 'bad-percent-encoding'],
    ['/api/payments/%C0%AE', 'bad-percent-encoding'],
    ['/api/payments/%E2%82', 'bad-percent-encoding'],
    ['/api/payments/%FF', 'bad-percent-encoding'],
    ['/api/payments/%00', 'control-character'],
    ['/api/payments/%0d%0aX-Injected:%201', 'control-character'],
    ['/api/payments/%7F', 'control-character'],
    ['/api/pay\u0001ments', 'control-character'],
    ['/api/payments?x=\u0000', 'control-character'],
    ['/api/pay ments', 'control-character'],
    ['/api/payments/\u00e9', 'control-character'],
    ['/api/payments/"x"', 'invalid-character'],
    ['/api/payments/<x>', 'invalid-character'],
    ['/api/payments/{x}', 'invalid-character'],
    ['/api/payments/a|b', 'invalid-character'],
    ['/api/payments/a^b', 'invalid-character'],
    ['/api/payments/a`b', 'invalid-character'],
    ['/api/payments/[x]', 'invalid-character'],
    ['api/payments', 'unsupported-form'],
    ['*', 'unsupported-form', 'GET'],
    ['ftp://x/api/payments', 'unsupported-form'],
    ['http://user@x/api/payments', 'invalid-character'],
    ['http:///api/payments', 'invalid-character'],
    ['\\api\\payments', 'backslash'],
  ];
  it.each(refused)('refuses %s (%s)', (raw, reason, method = 'GET') => {
    expect(canonicalTarget(method, raw)).toEqual({ refused: reason });
  });

  it('returns a plain path as it is, without building a new string', () => {
    const raw = '/api/payments/p1?x=1';
    const target = canonicalTarget('GET', raw);
    expect(target).toEqual({ path: '/api/payments/p1', query: '?x=1' });
  });

  it('is idempotent: a canonical target is its own canonical form', () => {
    for (const [raw, , method = 'GET'] of canonical) {
      const once = canonicalTarget(method, raw);
      if ('refused' in once) continue;
      const twice = canonicalTarget(method, once.path + once.query);
      expect(twice).toEqual(once);
    }
  });
});

describe('surfaceOf (the edge’s own paths, on the canonical form)', () => {
  it.each([
    ['/health/live', 'health'],
    ['/Health/Ready/', 'health'],
    ['/metrics', 'admin'],
    ['/METRICS/', 'admin'],
    ['/_edge', 'admin'],
    ['/_edge/capabilities', 'admin'],
    ['/_EDGE/Breakers', 'admin'],
    ['/internal', 'internal'],
    ['/internal/sessions/abc', 'internal'],
    ['/Internal/Sessions/abc/revoke', 'internal'],
    ['/INTERNAL/', 'internal'],
    ['/internalx', 'proxied'],
    ['/metricsx', 'proxied'],
    ['/_edgex', 'proxied'],
    ['/health', 'proxied'],
    ['/api/payments', 'proxied'],
    ['/', 'proxied'],
    ['*', 'proxied'],
  ])('%s is %s', (path, surface) => {
    expect(surfaceOf(path)).toBe(surface);
  });
});
