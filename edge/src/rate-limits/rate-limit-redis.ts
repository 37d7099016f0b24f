import { Redis } from 'ioredis';
import type { Logger } from '@strangler/kit';

/**
 * The Redis client of the per-client rate limits. The edge starts without waiting for it (it is the
 * front door: a Redis outage must not keep it down) and never queues commands: while Redis is not
 * ready, or slower than `commandTimeoutMs`, requests are counted in memory instead (client-limiter.ts).
 */
export function rateLimitRedis(url: string, commandTimeoutMs: number, logger: Logger): Redis {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: commandTimeoutMs, connectTimeout: 2_000 });
  let reported = false;
  client.on('error', (error: Error) => {
    // Once per outage, not once per reconnection attempt.
    if (!reported) logger.warn({ err: error }, 'rate limits: Redis unreachable, each edge counts in memory until it is back');
    reported = true;
  });
  client.on('ready', () => {
    if (reported) logger.info('rate limits: Redis is back');
    reported = false;
  });
  return client;
}
