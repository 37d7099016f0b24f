import { chromium, type Browser } from 'playwright-core';
import { chromiumAvailable, CHROMIUM_PATH } from './support/chromium';
import { documentOf, MONOLITH_PATHS, PAYMENTS_PATHS, servesDocument } from './support/openapi-upstreams';
import { standardRoutes, startTestEdge, startUpstream, type TestEdge, type TestUpstream } from '../src/testing';

/**
 * `/docs` in a real headless Chromium: the page renders every operation of the edge's aggregated
 * document, loads nothing from anywhere but the edge (no CDN), and logs no errors (a Content
 * Security Policy violation is one).
 */
(chromiumAvailable() ? describe : describe.skip)('the docs page in headless Chromium', () => {
  let upstreams: TestUpstream[];
  let edge: TestEdge;
  let browser: Browser;
  beforeAll(async () => {
    upstreams = await Promise.all(['monolith', 'auth', 'payments'].map((name) => startUpstream({ name })));
    const [monolith, auth, payments] = upstreams as [TestUpstream, TestUpstream, TestUpstream];
    monolith.handle(servesDocument(() => documentOf('monolith', MONOLITH_PATHS)));
    payments.handle(servesDocument(() => documentOf('payments', PAYMENTS_PATHS)));
    auth.handle(servesDocument(() => undefined));
    edge = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url }) });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
    await Promise.all((upstreams ?? []).map((upstream) => upstream.stop()));
  });

  it('renders every operation of the aggregated document from the edge alone', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(`${edge.url}/docs`);
    expect(response?.status()).toBe(200);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    const operations = await page.locator('.opblock-summary-path').allTextContents();
    const expected = [...new Set([...MONOLITH_PATHS, ...PAYMENTS_PATHS].map(([method, path]) => `${method} ${path}`))];
    expect(operations.length).toBe(expected.length);
    for (const [, path] of MONOLITH_PATHS) expect(operations.map((text) => text.replace(/\u200b/g, ''))).toContain(path);
    expect(await page.locator('.information-container').textContent()).toMatch(/Public API/);
    expect(requested.filter((url) => !url.startsWith(`${edge.url}/`))).toEqual([]);
    expect(requested).toContain(`${edge.url}/openapi.json`);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
