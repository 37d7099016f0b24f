import path from 'node:path';
import { Router, type Response } from 'express';
import { httpErrors } from '@strangler/kit';
import type { PublicDocument } from './upstream-documents';

/** swagger-ui-dist's files the page loads; nothing else of the package is served. */
const ASSETS = ['swagger-ui.css', 'index.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png', 'favicon-16x16.png'];

const ASSET_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/** Everything the page needs comes from the edge itself: no CDN, no inline script. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>API documentation</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="stylesheet" href="/docs/index.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/docs-initializer.js"></script>
</body>
</html>
`;

// swagger-ui-dist's own initializer points at the petstore on the internet: ours reads the edge's document.
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

/**
 * The edge's own API documentation on the public listener: `GET /openapi.json` (the aggregated
 * public API, upstream-documents.ts) and `GET /docs`, Swagger UI served from the swagger-ui-dist
 * package.
 */
export function docsRoutes(document: PublicDocument): Router {
  const router = Router();
  router.get('/openapi.json', async (_req, res) => {
    const current = await document.current();
    if (!current) {
      res.set('retry-after', '5');
      throw httpErrors.serviceUnavailable('No upstream has answered GET /openapi.json yet.');
    }
    res.type('application/json').set('cache-control', 'no-cache').send(JSON.stringify(current));
  });
  const page = (res: Response, type: string, body: string) =>
    res.type(type).set({ 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' }).send(body);
  router.get(['/docs', '/docs/'], (_req, res) => page(res, 'html', PAGE));
  router.get('/docs/docs-initializer.js', (_req, res) => page(res, 'js', INITIALIZER));
  for (const asset of ASSETS) {
    router.get(`/docs/${asset}`, (_req, res) => {
      res.set({ 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=3600' }).sendFile(path.join(ASSET_DIR, asset));
    });
  }
  return router;
}
