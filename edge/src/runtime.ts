import { stageOfDefinition } from '@strangler/cutover-model';
import type { Logger } from '@strangler/kit';
import { EmergencyStops } from './emergency/emergency-stops';
import { buildEdge, type Edge, type EdgeDeps } from './app';
import type { EdgeConfig } from './config';
import { createFlagSource, type FlagSource } from './flags';
import { createEdgeMetrics } from './metrics/edge-metrics';
import { watchRoutes, type RoutesProvider } from './routing/routes-source';
import { recheckRoutesOnFlagChanges } from './routing/refused-routes-recheck';
import { rateLimitRedis } from './rate-limits/rate-limit-redis';

export interface EdgeRuntime {
  edge: Edge;
  routes: RoutesProvider;
  flags: FlagSource;
  close(): Promise<void>;
}

export interface EdgeRuntimeOptions {
  /** What `${VAR:-default}` in the routes file resolves against. */
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** Test seams (clock, agents, peers, shadow). */
  overrides?: Pick<EdgeDeps, 'now' | 'agents' | 'peers' | 'shadow'>;
}

/** How long a start waits for its flags before rechecking the routes it started on (it rechecks only once they load). */
const FLAGS_RECHECK_WAIT_MS = 60_000;

/**
 * The edge wired from configuration: the watched routes file and capability manifests (bad ones stop
 * the start with FileLoadError), the flag source (Unleash or the local file), metrics they all report to, and the app.
 */
export async function createEdgeRuntime(config: EdgeConfig, options: EdgeRuntimeOptions): Promise<EdgeRuntime> {
  const { logger } = options;
  const metrics = createEdgeMetrics();
  // Created after the routes (a bad routes file stops the start first); until then nothing is live here.
  let flagSource: FlagSource | undefined;
  const routes = await watchRoutes({
    filePath: config.ROUTES_FILE,
    manifestsDir: config.MANIFESTS_DIR,
    backupPath: config.ROUTES_BACKUP_FILE ?? `${config.ROUTES_FILE}.last-good`,
    env: options.env,
    debounceMs: config.FILE_WATCH_DEBOUNCE_MS,
    logger: logger.child({ component: 'routes' }),
    onReload: (outcome) => metrics.fileReloads.inc({ file: 'routes', outcome }),
    stageOf: (flag) => {
      const client = flagSource?.client();
      return client ? stageOfDefinition(client.getFeatureToggleDefinition(flag)) : undefined;
    },
  });
  let stops: EmergencyStops;
  try {
    stops = new EmergencyStops(config.EDGE_EMERGENCY_FILE, logger.child({ component: 'emergency' }));
  } catch (error) {
    await routes.close();
    throw error;
  }
  if (!config.EDGE_FENCE_FILE) logger.warn('EDGE_FENCE_FILE is not set: write fences, and the writes this edge gave up on that an upstream may still do, would not survive a restart of this edge (decisions 0038, 0039)');
  if (!config.EDGE_EMERGENCY_FILE) logger.warn('EDGE_EMERGENCY_FILE is not set: an emergency stop would not survive a restart of this edge');
  let flags: FlagSource;
  try {
    flags = await createFlagSource(config, { logger, observer: metrics.flagObserver });
    flagSource = flags;
    // A start on the last good routes (an invalid input, or one that would retire a capability whose
    // stage is not known yet: routes-source.ts), or an edit refused before the flags loaded, reads the
    // inputs again once the flags can say (asked then: an edit may be refused while they load).
    const routesSeen = routes;
    void flags
      .whenReady(FLAGS_RECHECK_WAIT_MS)
      .then((ready) => (ready && routesSeen.status()?.lastError !== undefined ? routesSeen.recheck() : undefined))
      .catch((error: unknown) => logger.error({ err: error }, 'rechecking the routes once the flags loaded failed'));
  } catch (error) {
    await routes.close();
    throw error;
  }
  const rechecks = recheckRoutesOnFlagChanges(routes, flags, logger.child({ component: 'routes' }));
  const redis = config.RATE_LIMIT_REDIS_URL ? rateLimitRedis(config.RATE_LIMIT_REDIS_URL, config.RATE_LIMIT_REDIS_TIMEOUT_MS, logger.child({ component: 'rate-limits' })) : undefined;
  let edge: Edge;
  try {
    // An unreadable fence file (FenceFileError) stops the start here.
    edge = buildEdge({ config, routes, flags, stops, logger, metrics, ...(redis ? { rateLimitRedis: redis } : {}), ...options.overrides });
  } catch (error) {
    rechecks.stop();
    redis?.disconnect();
    await flags.close();
    await routes.close();
    throw error;
  }
  return {
    edge,
    routes,
    flags,
    async close() {
      rechecks.stop();
      await edge.close();
      await flags.close();
      await routes.close();
      redis?.disconnect();
    },
  };
}
