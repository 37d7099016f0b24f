import type { Logger } from '@strangler/kit';
import type { AuthConfig } from './auth-config';
import { HashingGate } from './passwords/hashing-gate';
import { PasswordHasher } from './passwords/password-hasher';
import { LoginThrottle, type LoginThrottleLimits } from './throttling/login-throttle';
import { PeerThrottleSharing } from './throttling/peer-throttle-sharing';
import { connectThrottleRedis } from './throttling/throttle-redis';

/** Password hashing and login throttling as a side's server wires them from its configuration. */
export interface AuthSecurity {
  passwords: PasswordHasher;
  throttle: LoginThrottle;
  /** Where login failures are counted: shared 'redis', or this process's 'memory' (told to peers). */
  throttleStore: 'redis' | 'memory';
  close(): Promise<void>;
}

/**
 * Builds them the same way on both sides. With AUTH_THROTTLE_REDIS_URL every instance of every side
 * counts in that Redis (connected before listening: unreachable at start = the process stops); without
 * it each process counts in memory and tells its AUTH_PEERS of every login outcome (decision 0029).
 */
export async function buildAuthSecurity(
  config: AuthConfig,
  peers: { urls: string[]; internalToken: string | undefined; timeoutMs: number },
  logger: Logger,
): Promise<AuthSecurity> {
  const limits: LoginThrottleLimits = {
    maxFailuresPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    maxFailuresPerAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
    windowMs: config.LOGIN_THROTTLE_WINDOW_MS,
  };
  const passwords = new PasswordHasher({
    gate: new HashingGate({ concurrency: config.PASSWORD_HASH_CONCURRENCY, maxQueue: config.PASSWORD_HASH_QUEUE }),
  });
  const throttleLogger = logger.child({ component: 'login-throttle' });
  if (config.AUTH_THROTTLE_REDIS_URL) {
    const redis = await connectThrottleRedis(config.AUTH_THROTTLE_REDIS_URL, throttleLogger);
    return { passwords, throttle: LoginThrottle.redis(redis, limits), throttleStore: 'redis', close: async () => void (await redis.quit()) };
  }
  const throttle = LoginThrottle.inMemory(limits).shareWith(
    new PeerThrottleSharing({ peers: peers.urls, internalToken: peers.internalToken, timeoutMs: peers.timeoutMs, logger: throttleLogger }),
  );
  return { passwords, throttle, throttleStore: 'memory', close: async () => undefined };
}
