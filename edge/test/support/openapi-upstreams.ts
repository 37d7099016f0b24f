import { z } from 'zod';
import { jsonContent, openApiDocument, type ApiRegistry, type OpenApiDocument } from '@strangler/kit';
import type { UpstreamHandler } from '../../src/testing';

const operation = (api: ApiRegistry, method: 'get' | 'post', path: string, said: string) =>
  api.operation({ method, path, summary: said, responses: { 200: { description: said, content: jsonContent(z.object({ ok: z.boolean() })) } } });

/** A document of `paths` whose summaries say which upstream wrote them. */
export function documentOf(upstream: string, paths: Array<['get' | 'post', string]>): OpenApiDocument {
  return openApiDocument({ title: upstream, version: '1' }, [(api) => paths.forEach(([method, path]) => operation(api, method, path, `from ${upstream}`))]);
}

export const MONOLITH_PATHS: Array<['get' | 'post', string]> = [
  ['post', '/api/auth/login'],
  ['get', '/api/auth/me'],
  ['get', '/api/payments'],
  ['get', '/api/payments/{id}'],
  ['post', '/api/orders'],
];
export const PAYMENTS_PATHS: Array<['get' | 'post', string]> = [
  ['get', '/api/payments'],
  ['get', '/api/payments/{id}'],
];
export const AUTH_PATHS: Array<['get' | 'post', string]> = [
  ['post', '/api/auth/login'],
  ['get', '/api/auth/me'],
];

/** An upstream handler answering `GET /openapi.json` with `document` (and echoing nothing else). */
export const servesDocument =
  (document: () => OpenApiDocument | undefined): UpstreamHandler =>
  (req, res) => {
    const current = document();
    if (req.url === '/openapi.json' && current) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(current));
      return;
    }
    res.statusCode = req.url === '/openapi.json' ? 503 : 404;
    res.end();
  };
