import { RouteMatcher } from '../src/routing/route-matcher';
import type { RoutingTable } from '../src/routing/routing-table';

const table: RoutingTable = {
  monolith: { url: 'http://monolith' },
  capabilities: [
    {
      name: 'auth',
      flag: 'strangler.auth',
      service: { url: 'http://auth' },
      writtenThrough: [],
      routes: [
        { capability: 'auth', methods: '*', pattern: '/api/auth/*', ignore: [] },
        { capability: 'auth', methods: ['GET'], pattern: '/api/auth/me', ignore: ['/user/createdAt'] },
      ],
    },
    {
      name: 'payments',
      flag: 'strangler.payments',
      service: { url: 'http://payments' },
      writtenThrough: [],
      routes: [
        { capability: 'payments', methods: ['GET', 'POST'], pattern: '/api/payments', ignore: [] },
        { capability: 'payments', methods: ['GET'], pattern: '/api/payments/:id', ignore: [] },
        { capability: 'payments', methods: ['POST'], pattern: '/api/payments/:id/refunds', ignore: [] },
        { capability: 'payments', methods: ['POST'], pattern: '/api/payments/:id/:action', ignore: [] },
      ],
    },
  ],
};

describe('RouteMatcher', () => {
  const matcher = new RouteMatcher(table);
  const owner = (method: string, url: string) => {
    const match = matcher.match(method, url);
    return match ? `${match.capability.name} ${match.routeKey}` : 'monolith';
  };

  it('matches methods and patterns, ignoring the query string', () => {
    expect(owner('GET', '/api/payments/p1?expand=refunds')).toBe('payments GET /api/payments/:id');
    expect(owner('POST', '/api/payments')).toBe('payments POST /api/payments');
    expect(owner('DELETE', '/api/payments/p1')).toBe('monolith');
    expect(owner('GET', '/api/orders/o1')).toBe('monolith');
    expect(owner('GET', '/')).toBe('monolith');
  });

  it('lets a GET route answer HEAD, as express does', () => {
    expect(owner('HEAD', '/api/payments/p1')).toBe('payments HEAD /api/payments/:id');
  });

  it('prefers literal segments over parameters, and parameters over *', () => {
    expect(owner('POST', '/api/payments/p1/refunds')).toBe('payments POST /api/payments/:id/refunds');
    expect(owner('POST', '/api/payments/p1/capture')).toBe('payments POST /api/payments/:id/:action');
    expect(owner('GET', '/api/auth/me')).toBe('auth GET /api/auth/me');
    expect(owner('POST', '/api/auth/login')).toBe('auth POST /api/auth/*');
  });

  it('lets * cover the prefix itself and anything below it', () => {
    expect(owner('GET', '/api/auth')).toBe('auth GET /api/auth/*');
    expect(owner('GET', '/api/auth/a/b/c')).toBe('auth GET /api/auth/*');
    expect(owner('GET', '/api/authx')).toBe('monolith');
  });

  it('routes case-insensitively with an optional trailing slash, like the upstreams', () => {
    expect(owner('GET', '/API/Payments/p1/')).toBe('payments GET /api/payments/:id');
  });

  it('leaves dot segments and empty segments to the monolith', () => {
    expect(owner('GET', '/api/payments/..')).toBe('monolith');
    expect(owner('GET', '/api/payments/%2e%2e')).toBe('monolith');
    expect(owner('GET', '/api//payments')).toBe('monolith');
  });

  it('exposes the route ignore list for the shadow comparison', () => {
    expect(matcher.match('GET', '/api/auth/me')?.route.ignore).toEqual(['/user/createdAt']);
  });
});
