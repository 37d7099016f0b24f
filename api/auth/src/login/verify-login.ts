import { authErrors } from '../auth-errors';
import type { LoginInput } from '../auth-schemas';
import type { Credential } from '../passwords/credential';
import type { PasswordHashing } from '../passwords/password-hasher';
import type { LoginThrottle } from '../throttling/login-throttle';
import type { User } from '../user';

/** A user with the credential to check at login (none if the row is missing). */
export interface LoginAccount {
  user: User;
  credential: Credential | undefined;
}

/** A login whose password was right; `upgrade` replaces `credential` when it is outdated. */
export interface VerifiedLogin {
  user: User;
  credential: Credential;
  upgrade: Credential | undefined;
}

/**
 * The login check both sides run: the throttle around one password check, then `open` (the write that
 * opens the session) for a login that passed; the throttle forgets the account's failures only once
 * `open` is done. Unknown email, legacy credential and wrong password are indistinguishable: same
 * error, same hashing cost, same counting. Throws 401 AUTH_INVALID_CREDENTIALS, 429
 * AUTH_TOO_MANY_ATTEMPTS or 503 AUTH_BUSY, or what `open` throws.
 */
export async function verifyLogin<R>(
  deps: { throttle: LoginThrottle; passwords: PasswordHashing },
  input: LoginInput,
  client: { address: string; signal?: AbortSignal | undefined },
  findAccount: (email: string) => Promise<LoginAccount | undefined>,
  open: (verified: VerifiedLogin) => Promise<R>,
): Promise<R> {
  const opened = await deps.throttle.guard(
    input.email,
    client.address,
    async (): Promise<VerifiedLogin | undefined> => {
      const account = await findAccount(input.email);
      const credential = account?.credential;
      const check = await deps.passwords.check(input.password, credential, client.signal);
      return account && credential && check.ok ? { user: account.user, credential, upgrade: check.upgrade } : undefined;
    },
    open,
  );
  if (opened === undefined) throw authErrors.invalidCredentials();
  return opened;
}
