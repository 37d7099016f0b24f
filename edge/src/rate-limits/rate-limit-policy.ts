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

/** Problems with route classes that name no class (reported with the routes file's other problems). */
export function unknownClassProblems(classes: ReadonlySet<string> | undefined, routes: Array<{ where: string; rateLimit?: string | undefined }>): string[] {
  return routes
    .filter((route) => route.rateLimit !== undefined)
    .flatMap((route) =>
      classes === undefined
        ? [`${route.where}.rateLimit: there is no rateLimits section to name a class of`]
        : classes.has(route.rateLimit as string)
          ? []
          : [`${route.where}.rateLimit: no class "${route.rateLimit}" in rateLimits.classes`],
    );
}
