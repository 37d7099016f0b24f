import { standardRoutes, type RoutesFileShape } from '../../src/testing';

/** The standard routes with rate limits: `default` and `credentials` (login, register), per minute. */
export function limitedRoutes(urls: { monolith: string; auth: string; payments: string }, limits = { default: 3, credentials: 2 }): RoutesFileShape & { rateLimits: unknown } {
  const routes = standardRoutes(urls);
  for (const route of routes.capabilities.auth!.routes) if (route.path === '/api/auth/login' || route.path === '/api/auth/register') (route as { rateLimit?: string }).rateLimit = 'credentials';
  return {
    ...routes,
    rateLimits: { classes: { default: { limit: limits.default, windowSeconds: 60 }, credentials: { limit: limits.credentials, windowSeconds: 60 } } },
  };
}
