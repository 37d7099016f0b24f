import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { authErrors, RetryLaterError } from '../auth-errors';
import { ChecksInFlight } from './checks-in-flight';
import { clientAddressKey } from './client-address-key';

export interface LoginThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  /** Failures are counted over this window; a key whose failures reach the limit is then blocked this long. */
  windowMs: number;
}

/** What one side tells the others about a login it checked, when they do not share one store. */
export type ThrottleEvent = { kind: 'failure'; account: string; addressKey: string } | { kind: 'success'; account: string };

/** Carries this side's throttle events to the other sides (see PeerThrottleSharing). */
export interface ThrottleSharing {
  share(event: ThrottleEvent): Promise<void>;
}

export const DEFAULT_LOGIN_THROTTLE_LIMITS: LoginThrottleLimits = Object.freeze({
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 20,
  windowMs: 15 * 60 * 1000,
});

/**
 * Login throttling the way rate-limiter-flexible documents it for login endpoints: before the password
 * is checked, read (never consume) whether the account or the client address has used up its failures
 * (429 then); only a failed check consumes a point from each; a successful one clears the account's
 * failures. So any number of logins with the right password, at once or in a row, all succeed.
 *
 * Keys: the account is the normalised email alone (known or not, from any address), not the docs'
 * email + address, so that many addresses cannot share out the guesses on one account; the address is
 * `clientAddressKey` (an IPv6 /64 is one key). A success does not touch the address's failures: with
 * an account of their own, an attacker could otherwise wipe them between guesses at others.
 *
 * A read-then-check alone would let a burst of concurrent guesses all be checked before the first
 * failure is counted, so per account at most as many checks run at once on this instance as it has
 * failures left (`ChecksInFlight`); the rest wait. Across instances sharing Redis, each instance can
 * overtake by that much at most; a failure that finds the limit already reached answers 429.
 *
 * Both sides of the auth migration run it (decision 0029): with Redis they share the counts; in
 * memory, `sharing` tells the other sides of every failure and success, which they apply to their
 * own counts (`apply`), so an account locked on one side is locked on the other.
 */
export class LoginThrottle {
  private readonly inFlight = new ChecksInFlight();
  private readonly blockSeconds: number;
  private sharing: ThrottleSharing | undefined;

  constructor(
    private readonly perAccount: RateLimiterAbstract,
    private readonly perAddress: RateLimiterAbstract,
    private readonly limits: LoginThrottleLimits,
  ) {
    this.blockSeconds = limits.windowMs / 1000;
  }

  /** Shares this instance's failures and successes with the other sides (memory stores only). */
  shareWith(sharing: ThrottleSharing): this {
    this.sharing = sharing;
    return this;
  }

  /** Counts in this process only: for one instance (the default). */
  static inMemory(limits: LoginThrottleLimits = DEFAULT_LOGIN_THROTTLE_LIMITS): LoginThrottle {
    return new LoginThrottle(
      new RateLimiterMemory(limiterOptions('login-account', limits.maxFailuresPerAccount, limits)),
      new RateLimiterMemory(limiterOptions('login-address', limits.maxFailuresPerAddress, limits)),
      limits,
    );
  }

  /**
   * Counts in Redis, shared by every instance using the same server and prefix. Redis keeps whole
   * seconds, so the window must be a whole number of seconds (the config checks). While Redis cannot
   * be reached, each instance counts in its own memory rather than failing logins.
   */
  static redis(client: Redis, limits: LoginThrottleLimits = DEFAULT_LOGIN_THROTTLE_LIMITS, keyPrefix = 'strangler:auth'): LoginThrottle {
    if (!Number.isInteger(limits.windowMs / 1000)) throw new Error('a Redis login throttle needs a window of whole seconds');
    const limiter = (name: string, points: number) => {
      const options = limiterOptions(`${keyPrefix}:${name}`, points, limits);
      return new RateLimiterRedis({ ...options, storeClient: client, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) });
    };
    return new LoginThrottle(limiter('login-account', limits.maxFailuresPerAccount), limiter('login-address', limits.maxFailuresPerAddress), limits);
  }

  /**
   * Runs `verify` (the password check) unless the account or the address is throttled, which throws
   * AUTH_TOO_MANY_ATTEMPTS (429). `verify` answers undefined for a failed check, which is then counted.
   * A passed check runs `open` (the write that opens the session), and only once it is done are the
   * account's failures cleared: a login whose write was refused (the write fence, a database error)
   * changes nothing, so a guesser does not get a fresh count from a login that never happened.
   */
  async guard<T, R>(account: string, address: string, verify: () => Promise<T | undefined>, open: (verified: T) => Promise<R>): Promise<R | undefined> {
    const addressKey = clientAddressKey(address);
    let accountFailures = 0;
    return this.inFlight.admit(
      account,
      async () => {
        const [byAccount, byAddress] = await Promise.all([this.perAccount.get(account), this.perAddress.get(addressKey)]);
        accountFailures = byAccount?.consumedPoints ?? 0;
        const exhausted = [
          [byAccount, this.limits.maxFailuresPerAccount],
          [byAddress, this.limits.maxFailuresPerAddress],
        ] as const;
        const waits = exhausted.flatMap(([res, max]) => (res && res.consumedPoints >= max ? [res.msBeforeNext] : []));
        if (waits.length > 0) throw tooManyAttempts(Math.max(...waits));
        return this.limits.maxFailuresPerAccount - accountFailures;
      },
      async () => {
        const verified = await verify();
        if (verified === undefined) {
          await this.sharing?.share({ kind: 'failure', account, addressKey });
          await this.countFailure(account, addressKey);
          return undefined;
        }
        const opened = await open(verified);
        // Peers hear of every failure, so an account with none here has none there either: a
        // routine login costs no hop.
        if (accountFailures > 0) await this.sharing?.share({ kind: 'success', account });
        await this.perAccount.delete(account);
        return opened;
      },
    );
  }

  /** Another side's failure or success, counted here as if it had happened here (never shared on). */
  async apply(event: ThrottleEvent): Promise<void> {
    if (event.kind === 'success') {
      await this.perAccount.delete(event.account);
      return;
    }
    try {
      await this.countFailure(event.account, event.addressKey);
    } catch (error) {
      // Already over the limit here: nothing more to count.
      if (!(error instanceof RetryLaterError)) throw error;
    }
  }

  private async countFailure(account: string, addressKey: string): Promise<void> {
    const counted = await Promise.allSettled([this.countOn(this.perAccount, account), this.countOn(this.perAddress, addressKey)]);
    const rejections = counted.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    const error = rejections.find((reason) => !(reason instanceof RateLimiterRes));
    if (error !== undefined) throw error instanceof Error ? error : new Error('the login throttle store failed', { cause: error });
    // Only when another instance's failures got there first: the limit was already reached.
    const overLimit = rejections as RateLimiterRes[];
    if (overLimit.length > 0) throw tooManyAttempts(Math.max(...overLimit.map((res) => res.msBeforeNext)));
  }

  /** One failure; the one that uses up the limit blocks the key for a whole window from now. */
  private async countOn(limiter: RateLimiterAbstract, key: string): Promise<void> {
    const res = await limiter.consume(key);
    if (res.remainingPoints === 0) await limiter.block(key, this.blockSeconds);
  }
}

function limiterOptions(keyPrefix: string, points: number, limits: LoginThrottleLimits) {
  const seconds = limits.windowMs / 1000;
  // blockDuration covers a consume past the limit (failures racing on several instances).
  return { keyPrefix, points, duration: seconds, blockDuration: seconds };
}

const tooManyAttempts = (msBeforeNext: number) => authErrors.tooManyAttempts(Math.max(1, Math.ceil(msBeforeNext / 1000)));
