import { createLogger, type OpenApiDocument } from '@strangler/kit';
import { PublicDocument } from '../src/openapi/upstream-documents';
import { buildRoutingTable } from '../src/routing/routing-inputs';
import { staticRoutes } from '../src/routing/routes-source';
import { AUTH_PATHS, documentOf, MONOLITH_PATHS, PAYMENTS_PATHS, servesDocument } from './support/openapi-upstreams';
import { inputTexts, standardRoutes, startTestEdge, startUpstream, type TestEdge, type TestUpstream } from '../src/testing';

const upstreamOf = (document: OpenApiDocument, path: string, method: string) => (document.paths[path]?.[method] as Record<string, unknown> | undefined)?.['x-upstream'];

describe('the edge\u2019s aggregated OpenAPI document and docs page', () => {
  let monolith: TestUpstream;
  let payments: TestUpstream;
  let auth: TestUpstream;
  let edge: TestEdge;
  beforeAll(async () => {
    [monolith, payments, auth] = await Promise.all([startUpstream({ name: 'monolith' }), startUpstream({ name: 'payments' }), startUpstream({ name: 'auth' })]);
    monolith.handle(servesDocument(() => documentOf('monolith', MONOLITH_PATHS)));
    payments.handle(servesDocument(() => documentOf('payments', PAYMENTS_PATHS)));
    auth.handle(servesDocument(() => undefined)); // the auth service has not come up
    edge = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url }) });
  });
  afterAll(async () => {
    await edge?.stop();
    await Promise.all([monolith, payments, auth].map((upstream) => upstream?.stop()));
  });

  it('takes each operation from the upstream the routes send it to, and from the monolith when that one does not answer', async () => {
    const res = await fetch(`${edge.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const document = (await res.json()) as OpenApiDocument;
    expect(document.openapi).toBe('3.1.0');
    expect(upstreamOf(document, '/api/payments', 'get')).toBe('payments');
    expect(upstreamOf(document, '/api/payments/{id}', 'get')).toBe('payments');
    expect(upstreamOf(document, '/api/orders', 'post')).toBe('monolith');
    expect(upstreamOf(document, '/api/auth/login', 'post')).toBe('monolith');
    expect((document.paths['/api/payments']?.get as { summary: string }).summary).toBe('from payments');
    expect(document.info.description).toMatch(/Not answering when this was built: auth/);
    expect(Object.keys(document.components?.schemas ?? {})).toContain('Problem');
  });

  it.each(['/openapi.json', '/OPENAPI.JSON', '//openapi.json', '/x/../openapi.json', '/openapi.json/', '/%6fpenapi.json'])('answers %s itself, never forwarding it', async (path) => {
    const before = monolith.requests.filter((request) => request.url !== '/openapi.json').length;
    const res = await fetch(`${edge.url}${path}`);
    const body = (await res.json()) as OpenApiDocument;
    expect(upstreamOf(body, '/api/payments', 'get')).toBe('payments');
    expect(monolith.requests.filter((request) => request.url !== '/openapi.json').length).toBe(before);
  });

  it('serves the docs page and its assets from the swagger-ui-dist package, nothing else of it', async () => {
    const page = await fetch(`${edge.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect((await fetch(`${edge.url}${asset[1]}`)).status).toBe(200);
    expect(await (await fetch(`${edge.url}/docs/docs-initializer.js`)).text()).toMatch(/url: '\/openapi\.json'/);
    for (const path of ['/docs/package.json', '/docs/swagger-initializer.js', '/docs/../package.json', '/docs/%2e%2e/package.json', '/docs/swagger-ui.js.map']) {
      expect((await fetch(`${edge.url}${path}`)).status).toBe(404);
    }
  });

  it('answers 404 for the docs on the admin listener', async () => {
    const separate = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url }), env: { EDGE_ADMIN_PORT: '0' } });
    try {
      expect((await fetch(`${separate.adminUrl}/openapi.json`)).status).toBe(404);
      expect((await fetch(`${separate.adminUrl}/docs`)).status).toBe(404);
      expect((await fetch(`${separate.url}/openapi.json`)).status).toBe(200);
    } finally {
      await separate.stop();
    }
  });
});

function tableOf(urls: { monolith: string; auth: string; payments: string }) {
  const texts = inputTexts(standardRoutes(urls));
  const parsed = buildRoutingTable(texts.routes, texts.manifests, {});
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return staticRoutes(parsed.table);
}

describe('PublicDocument', () => {
  const routes = tableOf({ monolith: 'http://127.0.0.1:1', auth: 'http://127.0.0.1:2', payments: 'http://127.0.0.1:3' });
  it('keeps an upstream\u2019s last good document when it stops answering, and asks again only after refreshMs', async () => {
    let now = 0;
    const answers: Record<string, OpenApiDocument | undefined> = { monolith: documentOf('monolith', MONOLITH_PATHS), payments: documentOf('payments', PAYMENTS_PATHS), auth: documentOf('auth', AUTH_PATHS) };
    const upstreams = await Promise.all(['monolith', 'auth', 'payments'].map(async (name) => {
      const upstream = await startUpstream({ name });
      upstream.handle(servesDocument(() => answers[name]));
      return upstream;
    }));
    try {
      const [m, a, p] = upstreams.map((upstream) => upstream.url) as [string, string, string];
      const live = tableOf({ monolith: m, auth: a, payments: p });
      const document = new PublicDocument({ routes: live, logger: createLogger({ name: 't', level: 'silent' }), now: () => now, refreshMs: 1_000, timeoutMs: 2_000, info: { title: 't', version: '1' } });
      const first = await document.current();
      expect(upstreamOf(first!, '/api/auth/me', 'get')).toBe('auth');
      answers.auth = undefined;
      answers.payments = documentOf('payments-v2', PAYMENTS_PATHS);
      expect(await document.current()).toBe(first); // within refreshMs: not asked again
      now = 1_000;
      const second = await document.current();
      expect(upstreamOf(second!, '/api/auth/me', 'get')).toBe('auth'); // its last good document
      expect((second!.paths['/api/payments']?.get as { summary: string }).summary).toBe('from payments-v2');
    } finally {
      await Promise.all(upstreams.map((upstream) => upstream.stop()));
    }
  });

  it('has no document while no upstream has ever answered', async () => {
    const document = new PublicDocument({ routes, logger: createLogger({ name: 't', level: 'silent' }), now: () => 0, refreshMs: 1_000, timeoutMs: 500, info: { title: 't', version: '1' } });
    expect(await document.current()).toBeUndefined();
  });
});
