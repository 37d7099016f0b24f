import { readFileSync } from 'node:fs';
import path from 'node:path';
import { interpolateEnv } from '../src/routing/interpolate-env';
import { parseRoutesFile } from '../src/routing/routes-file';

const valid = {
  monolith: { url: '${MONOLITH_URL:-http://127.0.0.1:3000}' },
  capabilities: {
    payments: {
      serviceUrl: '${PAYMENTS_URL}/',
      timeouts: { connectMs: 200, responseMs: 5000 },
      routes: [
        { methods: ['get', 'POST'], path: '/api/payments' },
        { methods: 'GET', path: '/api/payments/:id', shadow: { ignore: ['/payment/updatedAt'] } },
      ],
      writtenThrough: [{ methods: 'post', path: '/api/orders/:id/checkout' }],
    },
  },
};

describe('interpolateEnv', () => {
  it('resolves ${VAR} and ${VAR:-default}, treating empty as unset', () => {
    expect(interpolateEnv('${A}/${B:-x}', { A: 'a' })).toEqual({ value: 'a/x' });
    expect(interpolateEnv('${A:-d}', { A: '' })).toEqual({ value: 'd' });
    expect(interpolateEnv('${A:-}', {})).toEqual({ value: '' });
    expect(interpolateEnv('${MISSING}', {})).toEqual({ error: '${MISSING} is not set and has no default' });
  });
});

describe('parseRoutesFile', () => {
  it('builds the routing table: interpolated URLs, default flag names, upper-case methods', () => {
    const result = parseRoutesFile(JSON.stringify(valid), { PAYMENTS_URL: 'http://payments:3002' });
    expect(result).toEqual({
      ok: true,
      table: {
        monolith: { url: 'http://127.0.0.1:3000' },
        capabilities: [
          {
            name: 'payments',
            flag: 'strangler.payments',
            service: { url: 'http://payments:3002', connectTimeoutMs: 200, responseTimeoutMs: 5000 },
            routes: [
              { capability: 'payments', methods: ['GET', 'POST'], pattern: '/api/payments', ignore: [] },
              { capability: 'payments', methods: ['GET'], pattern: '/api/payments/:id', ignore: ['/payment/updatedAt'] },
            ],
            writtenThrough: [{ capability: 'payments', methods: ['POST'], pattern: '/api/orders/:id/checkout', ignore: [] }],
          },
        ],
      },
    });
  });

  it('reports every problem at once, with where it is', () => {
    const broken = {
      monolith: { url: 'ftp://nope' },
      capabilities: {
        Payments: { serviceUrl: 'http://x', routes: [] },
        auth: {
          serviceUrl: '${AUTH_URL}',
          serviceURL: 'typo',
          routes: [{ methods: 'GET', path: 'api/auth/me' }, { methods: 'G T', path: '/api/*/x' }],
        },
      },
    };
    const result = parseRoutesFile(JSON.stringify(broken), {});
    expect(result.ok).toBe(false);
    const errors = (result as { errors: string[] }).errors.join('\n');
    expect(errors).toMatch(/capabilities\.Payments.*lowercase/);
    expect(errors).toMatch(/serviceURL/);
    expect(errors).toMatch(/routes\[0\]\.path: must start with \//);
    expect(errors).toMatch(/routes\[1\]\.methods/);
    expect(errors).toMatch(/routes\[1\]\.path: \* is only allowed as the last segment/);
  });

  it('rejects URLs that do not resolve to http(s), and placeholders without a value', () => {
    const result = parseRoutesFile(JSON.stringify({ ...valid, monolith: { url: 'ftp://nope' } }), {});
    expect(result).toEqual({
      ok: false,
      errors: ['monolith.url: "ftp://nope" is not an http(s) URL', 'capabilities.payments.serviceUrl: ${PAYMENTS_URL} is not set and has no default'],
    });
  });

  it('rejects two routes claiming the same method and path shape', () => {
    const file = {
      monolith: { url: 'http://m' },
      capabilities: {
        auth: { serviceUrl: 'http://a', routes: [{ methods: 'GET', path: '/api/x/:id' }] },
        payments: { serviceUrl: 'http://p', routes: [{ methods: ['POST', 'GET'], path: '/api/x/:other' }] },
      },
    };
    const result = parseRoutesFile(JSON.stringify(file), {});
    expect(result).toEqual({ ok: false, errors: ['capabilities.payments.routes[0]: GET /api/x/:other is already routed by capabilities.auth.routes[0]'] });
  });

  it('reports invalid JSON clearly', () => {
    expect(parseRoutesFile('{"monolith":', {})).toEqual({ ok: false, errors: [expect.stringMatching(/^not valid JSON/)] });
  });

  it('accepts the routes file the repository ships', () => {
    const text = readFileSync(path.resolve(__dirname, '../routes.json'), 'utf8');
    const result = parseRoutesFile(text, { PAYMENTS_SERVICE_URL: 'http://payments:3002' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.table.monolith.url).toBe('http://127.0.0.1:3000');
    expect(result.table.capabilities.map((c) => [c.name, c.flag, c.service.url])).toEqual([
      ['auth', 'strangler.auth', 'http://127.0.0.1:3001'],
      ['payments', 'strangler.payments', 'http://payments:3002'],
    ]);
  });
});
