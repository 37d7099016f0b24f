import type { Logger } from '../logging/logger';
import { callInternal } from './internal-api';
import { SESSION_PROTOCOL_HEADER } from './internal-session-routes';
import type { SessionLookup, SessionUser } from './session-lookup';

export { INTERNAL_TOKEN_HEADER } from './internal-api';

export interface PeerSessionsOptions {
  /** Base URLs of the other sides that issue sessions (the monolith, the auth service); a function
   * when they are only known after this side started (tests on port 0). */
  peers: string[] | (() => string[]);
  internalToken: string | undefined;
  timeoutMs: number;
  logger: Logger;
}

export type PeerAnswer = SessionLookup | { state: 'unreachable' };

/** One peer's revocation feed, read once: `now` is the peer's clock, for the next read's cursor. */
export interface PeerRevocations {
  now: number;
  revoked: string[];
  truncated: boolean;
}

const PROTOCOL = { [SESSION_PROTOCOL_HEADER]: '2' };

/** Asks the other sides about a session through their internal endpoints. */
export class PeerSessionsClient {
  constructor(private readonly options: PeerSessionsOptions) {}

  get peers(): string[] {
    const { peers } = this.options;
    return typeof peers === 'function' ? peers() : peers;
  }

  get enabled(): boolean {
    return this.peers.length > 0 && Boolean(this.options.internalToken);
  }

  /**
   * The first definite answer (active or ended) wins; 'unreachable' if a peer failed and none knew.
   * "Unknown to me" is the routine answer of a side asked about the other side's token: not logged.
   */
  async lookup(tokenHash: string): Promise<PeerAnswer> {
    let unreachable = false;
    for (const peer of this.peers) {
      try {
        const answer = await this.lookupAt(peer, tokenHash);
        if (answer.state === 'active' || answer.state === 'ended') return answer;
      } catch (error) {
        unreachable = true;
        this.options.logger.warn({ peer, err: error }, 'peer session lookup failed');
      }
    }
    return unreachable ? { state: 'unreachable' } : { state: 'unknown' };
  }

  /** Revokes the session wherever it lives. Returns how many peers held it, and whether all answered. */
  async revoke(tokenHash: string): Promise<{ revokedOn: number; allAnswered: boolean }> {
    const results = await Promise.all(
      this.peers.map(async (peer) => {
        try {
          const response = await this.call('POST', `${peer}/internal/sessions/${tokenHash}/revoke`);
          if (response.status === 200) return ((await response.json()) as { revoked?: unknown }).revoked === true ? ('revoked' as const) : ('unknown' as const);
          await response.body?.cancel();
          // The first protocol's answers (a peer not upgraded yet).
          if (response.status === 204) return 'revoked' as const;
          if (response.status === 404) return 'unknown' as const;
          this.options.logger.warn({ peer, status: response.status }, 'peer session revoke failed');
          return 'failed' as const;
        } catch (error) {
          this.options.logger.warn({ peer, err: error }, 'peer session revoke failed');
          return 'failed' as const;
        }
      }),
    );
    return { revokedOn: results.filter((r) => r === 'revoked').length, allAnswered: !results.includes('failed') };
  }

  /** Reads `peer`'s revocation feed from `since` (its clock); throws when it cannot be read. */
  async revocations(peer: string, since: number | undefined): Promise<PeerRevocations> {
    const query = since === undefined ? '' : `?since=${Math.max(0, Math.floor(since))}`;
    const response = await this.call('GET', `${peer}/internal/sessions/revocations${query}`);
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`revocation feed answered ${response.status}`);
    }
    const body = (await response.json()) as PeerRevocations;
    if (typeof body.now !== 'number' || !Array.isArray(body.revoked)) throw new Error('revocation feed answered an unexpected body');
    return body;
  }

  /** Throws when the peer cannot answer (network, timeout, an unexpected status). */
  private async lookupAt(peer: string, tokenHash: string): Promise<SessionLookup> {
    const response = await this.call('GET', `${peer}/internal/sessions/${tokenHash}`);
    if (response.status === 200) {
      const body = (await response.json()) as Partial<SessionLookup> & { user?: SessionUser; expiresAt?: string };
      // Protocol 2 names the state; the first protocol's 200 is an active session.
      if (body.state === 'ended' || body.state === 'unknown') return { state: body.state };
      return { state: 'active', user: body.user as SessionUser, expiresAt: body.expiresAt as string };
    }
    await response.body?.cancel();
    if (response.status === 410) return { state: 'ended' };
    if (response.status === 404) return { state: 'unknown' };
    throw new Error(`peer session lookup answered ${response.status}`);
  }

  private call(method: string, url: string): Promise<Response> {
    return callInternal(url, { method, internalToken: this.options.internalToken, timeoutMs: this.options.timeoutMs, headers: PROTOCOL });
  }
}
