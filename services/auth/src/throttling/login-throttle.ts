import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { clientAddressKey } from './client-address-key';
import { TooManyAttemptsError } from './too-many-attempts-error';

export interface LoginThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  /** Failures are counted over this window; a throttled key then stays blocked this long. */
  windowMs: number;
}

export const DEFAULT_LOGIN_THROTTLE_LIMITS: LoginThrottleLimits = Object.freeze({
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 20,
  windowMs: 15 * 60 * 1000,
});

export interface LoginAttempt {
  /** The password was right: forget the account's failures and give the address its point back. */
  succeeded(): Promise<void>;
}

/**
 * Throttles failed logins per account (the normalised email, whether or not it exists) and per client
 * address. A point is taken before the password is checked and handed back on success, so concurrent
 * guesses cannot overtake the count. The limiters are injected: the in-memory store suits one
 * instance; several instances must share a store (RateLimiterRedis, same API) or each would allow
 * its own quota.
 */
export class LoginThrottle {
  constructor(
    private readonly perAccount: RateLimiterAbstract,
    private readonly perAddress: RateLimiterAbstract,
  ) {}

  static inMemory(limits: LoginThrottleLimits = DEFAULT_LOGIN_THROTTLE_LIMITS): LoginThrottle {
    const seconds = limits.windowMs / 1000;
    const limiter = (keyPrefix: string, points: number) =>
      new RateLimiterMemory({ keyPrefix, points, duration: seconds, blockDuration: seconds });
    return new LoginThrottle(limiter('login-account', limits.maxFailuresPerAccount), limiter('login-address', limits.maxFailuresPerAddress));
  }

  /** Throws TooManyAttemptsError when the account or the address is throttled. */
  async begin(account: string, address: string): Promise<LoginAttempt> {
    const addressKey = clientAddressKey(address);
    await take(this.perAddress, addressKey);
    try {
      await take(this.perAccount, account);
    } catch (error) {
      // Only checked passwords count against an address: a locked account is not its failure.
      await this.perAddress.reward(addressKey);
      throw error;
    }
    return {
      // Only the one point goes back to the address: a success must not wipe the failures an
      // attacker made there against other accounts.
      succeeded: async () => {
        await Promise.all([this.perAccount.delete(account), this.perAddress.reward(addressKey)]);
      },
    };
  }
}

async function take(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) throw new TooManyAttemptsError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    throw rejection;
  }
}
