import { Router } from 'express';
import type { OpenApiDocument } from './api-document';

/** `GET /openapi.json`: the deployable's document, serialized once. */
export function openApiRoute(document: OpenApiDocument): Router {
  const body = JSON.stringify(document);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').set('cache-control', 'no-cache').send(body);
  });
  return router;
}
