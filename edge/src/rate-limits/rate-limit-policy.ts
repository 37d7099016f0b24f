/** One route class's limit: `limit` requests per client per `windowSeconds`. */
export interface RateLimitClass {
  name: string;
  limit: number;
  windowSeconds: number;
}

/** The rate limits of a routes snapshot: by class name, `default` always present (plain JSON: `GET /_edge/routes` shows it). */
export interface RateLimitPolicies {
  classes: Readonly<Record<string, RateLimitClass>>;
}

export const DEFAULT_CLASS = 'default';

/** The class a request is limited by: its route's, else `default`. */
export function classFor(policies: RateLimitPolicies, routeClass: string | undefined): RateLimitClass {
  const name = routeClass !== undefined && Object.hasOwn(policies.classes, routeClass) ? routeClass : DEFAULT_CLASS;
  return policies.classes[name] as RateLimitClass;
}

/** Routes naming a class the routes file's `rateLimits` does not have (reported with the manifests' other problems). */
export function unknownClassProblems(classes: ReadonlySet<string> | undefined, routes: Array<{ where: string; rateLimit?: string | undefined }>): Array<{ where: string; message: string }> {
  return routes
    .filter((route) => route.rateLimit !== undefined)
    .flatMap((route) =>
      classes === undefined
        ? [{ where: `${route.where}.rateLimit`, message: 'the routes file has no rateLimits section to name a class of' }]
        : classes.has(route.rateLimit as string)
          ? []
          : [{ where: `${route.where}.rateLimit`, message: `no class "${route.rateLimit}" in the routes file's rateLimits.classes` }],
    );
}
