import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultManifestsDir, readManifestTexts } from '@strangler/cutover-model';
import { parseRoutesFile } from '../src/routing/routes-file';
import { buildRoutingTable } from '../src/routing/routing-inputs';

const routesFile = JSON.stringify({ monolith: { url: '${MONOLITH_URL:-http://127.0.0.1:3000}' } });

const paymentsManifest = {
  name: 'payments',
  service: { url: '${PAYMENTS_URL}/', timeouts: { connectMs: 200, responseMs: 5000 } },
  routes: [
    { methods: ['get', 'POST'], path: '/api/payments' },
    { methods: 'GET', path: '/api/payments/:id', shadow: { ignore: ['/payment/updatedAt'] } },
  ],
  writtenThrough: [{ methods: 'post', path: '/api/orders/:id/checkout' }],
  shadow: { ignore: ['/meta'] },
  databases: { monolith: { url: 'm.sqlite' }, service: { url: 'p.sqlite' } },
};

const manifest = (content: object, file = `manifests/${(content as { name: string }).name}.json`) => ({ file, text: JSON.stringify(content) });

describe('parseRoutesFile: the monolith and the rate limits', () => {
  it('interpolates the monolith URL and refuses capabilities, which manifests declare now', () => {
    expect(parseRoutesFile(routesFile, {})).toEqual({ ok: true, settings: { monolith: { url: 'http://127.0.0.1:3000' } } });
    expect(parseRoutesFile(JSON.stringify({ monolith: { url: 'http://m' }, capabilities: {} }), {})).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^capabilities: capabilities are declared by manifests now.*MANIFESTS_DIR/)],
    });
  });

  it('reports invalid JSON, unknown keys and bad URLs clearly', () => {
    expect(parseRoutesFile('{"monolith":', {})).toEqual({ ok: false, errors: [expect.stringMatching(/^not valid JSON/)] });
    expect(parseRoutesFile(JSON.stringify({ monolith: { url: 'http://m' }, monolit: 1 }), {})).toEqual({ ok: false, errors: [expect.stringMatching(/monolit/)] });
    expect(parseRoutesFile(JSON.stringify({ monolith: { url: 'ftp://nope' } }), {})).toEqual({ ok: false, errors: ['monolith.url: "ftp://nope" is not an http(s) URL'] });
  });
});

describe('buildRoutingTable: the routes file and the manifests together', () => {
  it('builds the routing table: interpolated URLs, default flag names, upper-case methods, shared shadow rules', () => {
    const result = buildRoutingTable(routesFile, [manifest(paymentsManifest)], { PAYMENTS_URL: 'http://payments:3002' });
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
              { capability: 'payments', methods: ['GET', 'POST'], pattern: '/api/payments', ignore: ['/meta'] },
              { capability: 'payments', methods: ['GET'], pattern: '/api/payments/:id', ignore: ['/meta', '/payment/updatedAt'] },
            ],
            writtenThrough: [{ capability: 'payments', methods: ['POST'], pattern: '/api/orders/:id/checkout', ignore: [] }],
          },
        ],
      },
    });
  });

  it('reports every problem at once, a manifest\u2019s naming its file, capability and field', () => {
    const broken = {
      ...paymentsManifest,
      name: 'auth',
      serviceURL: 'typo',
      routes: [{ methods: 'GET', path: 'api/auth/me' }, { methods: 'G T', path: '/api/*/x' }],
    };
    const result = buildRoutingTable(JSON.stringify({ monolith: { url: 'ftp://nope' } }), [manifest(broken, 'manifests/auth.json'), manifest({ ...paymentsManifest, name: 'Payments' }, 'manifests/Payments.json')], {});
    expect(result.ok).toBe(false);
    const errors = (result as { errors: string[] }).errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        'monolith.url: "ftp://nope" is not an http(s) URL',
        expect.stringMatching(/^manifests\/auth\.json: capability auth: \(file\): .*serviceURL/),
        'manifests/auth.json: capability auth: routes.0.path: must start with /',
        expect.stringMatching(/^manifests\/auth\.json: capability auth: routes\.1\.methods: /),
        'manifests/auth.json: capability auth: routes.1.path: * is only allowed as the last segment',
        expect.stringMatching(/^manifests\/Payments\.json: capability Payments: name: capability names are lowercase words/),
      ]),
    );
  });

  it('rejects service URLs that do not resolve to http(s), and placeholders without a value', () => {
    expect(buildRoutingTable(routesFile, [manifest(paymentsManifest)], {})).toEqual({
      ok: false,
      errors: ['manifests/payments.json: capability payments: service.url: ${PAYMENTS_URL} is not set and has no default'],
    });
    expect(buildRoutingTable(routesFile, [manifest(paymentsManifest)], { PAYMENTS_URL: 'ftp://p' })).toEqual({
      ok: false,
      errors: ['manifests/payments.json: capability payments: service.url: "ftp://p" is not an http(s) URL'],
    });
  });

  it('rejects two routes claiming the same method and path shape, and a rate-limit class the routes file lacks', () => {
    const auth = { ...paymentsManifest, name: 'auth', service: { url: 'http://a' }, routes: [{ methods: 'GET', path: '/api/x/:id', rateLimit: 'login' }], writtenThrough: [] };
    const payments = { ...paymentsManifest, service: { url: 'http://p' }, routes: [{ methods: ['POST', 'GET'], path: '/api/x/:other' }] };
    expect(buildRoutingTable(routesFile, [manifest(auth), manifest(payments)], {})).toEqual({
      ok: false,
      errors: ['manifests/payments.json: capability payments: routes.0: GET /api/x/:other is already routed by manifests/auth.json routes.0'],
    });
    expect(buildRoutingTable(routesFile, [manifest(auth)], {})).toEqual({
      ok: false,
      errors: ['manifests/auth.json: capability auth: routes.0.rateLimit: the routes file has no rateLimits section to name a class of'],
    });
    const limited = JSON.stringify({ monolith: { url: 'http://m' }, rateLimits: { classes: { default: { limit: 1, windowSeconds: 1 } } } });
    expect(buildRoutingTable(limited, [manifest(auth)], {})).toEqual({
      ok: false,
      errors: ['manifests/auth.json: capability auth: routes.0.rateLimit: no class "login" in the routes file\'s rateLimits.classes'],
    });
  });

  it('accepts the routes file and the manifests the repository ships', () => {
    const text = readFileSync(path.resolve(__dirname, '../routes.json'), 'utf8');
    const manifests = readManifestTexts(defaultManifestsDir());
    if (!manifests.ok) throw new Error('the shipped manifests do not read');
    const result = buildRoutingTable(text, manifests.texts, { PAYMENTS_SERVICE_URL: 'http://payments:3002' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.table.monolith.url).toBe('http://127.0.0.1:3000');
    expect(result.table.capabilities.map((c) => [c.name, c.flag, c.service.url])).toEqual([
      ['auth', 'strangler.auth', 'http://127.0.0.1:3001'],
      ['payments', 'strangler.payments', 'http://payments:3002'],
    ]);
  });
});
