import { Redis } from 'ioredis';
import type { Logger } from '@strangler/kit';

/**
 * The Redis client of the login throttle, connected before the service listens: an unreachable
 * server at start stops the process. Later outages fail fast (no offline queue) so the throttle's
 * in-memory insurance answers meanwhile, while ioredis reconnects in the background.
 */
export async function connectThrottleRedis(url: string, logger: Logger): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  let reported = false;
  client.on('error', (error: Error) => {
    // Once per outage, not once per reconnection attempt.
    if (!reported) logger.warn({ err: error }, 'login throttle: Redis unreachable, counting in memory until it is back');
    reported = true;
  });
  client.on('ready', () => {
    if (reported) logger.info('login throttle: Redis is back');
    reported = false;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`cannot reach the login throttle's Redis (AUTH_THROTTLE_REDIS_URL): ${(error as Error).message}`);
  }
  return client;
}
