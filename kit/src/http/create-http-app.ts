import express, { type Express, type Router } from 'express';
import type { Logger } from '../logging/logger';
import { createHttpMetrics, type HttpMetrics } from '../metrics/http-metrics';
import { healthRoutes, type ReadinessCheck } from '../health/health-routes';
import { requestIdMiddleware } from './request-id';
import { accessLogMiddleware } from './access-log';
import { jsonBody } from './json-body';
import { writeDeadlineMiddleware } from './write-deadline';
import { errorHandler, notFoundHandler } from './error-handler';
import { openApiRoute } from '../openapi/openapi-route';
import type { OpenApiDocument } from '../openapi/api-document';

export const DEFAULT_BODY_LIMIT = '100kb';

export interface HttpAppOptions {
  service: string;
  logger: Logger;
  readiness: ReadinessCheck[];
  routes: Router[];
  bodyLimit?: string;
  metrics?: HttpMetrics;
  /** The deployable's public API, served as `GET /openapi.json`. */
  openApi?: OpenApiDocument;
}

/** The shared shape of every deployable's HTTP app: request ids, access logs, metrics, strict JSON
 * bodies, health endpoints, the deployable's routes, then 404 and the problem+json error handler. */
export function createHttpApp(options: HttpAppOptions): { app: Express; metrics: HttpMetrics } {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const metrics = options.metrics ?? createHttpMetrics({ service: options.service });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.use(requestIdMiddleware());
  app.use(accessLogMiddleware(options.logger));
  app.use(metrics.middleware);
  app.use(healthRoutes({ checks: options.readiness, registry: metrics.registry, logger: options.logger }));
  if (options.openApi) app.use(openApiRoute(options.openApi));
  app.use(jsonBody(bodyLimit));
  // Once the body is in: a write the edge already gave up on is refused, not done late (decision 0038).
  app.use(writeDeadlineMiddleware());
  for (const router of options.routes) app.use(router);
  app.use(notFoundHandler());
  app.use(errorHandler(options.logger, bodyLimit));
  return { app, metrics };
}
