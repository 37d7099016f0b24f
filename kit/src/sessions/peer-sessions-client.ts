import type { Logger } from '../logging/logger';
import type { SessionLookup, SessionUser } from './session-lookup';

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';

export interface PeerSessionsOptions {
  /** Base URLs of the other sides that issue sessions (the monolith, the auth service); a function
   * when they are only known after this side started (tests on port 0). */
  peers: string[] | (() => string[]);
  internalToken: string | undefined;
  timeoutMs: number;
  logger: Logger;
}

export type PeerAnswer = SessionLookup | { state: 'unreachable' };

/** Asks the other sides about a session through their internal endpoints. */
export class PeerSessionsClient {
  constructor(private readonly options: PeerSessionsOptions) {}

  private get peers(): string[] {
    const { peers } = this.options;
    return typeof peers === 'function' ? peers() : peers;
  }

  get enabled(): boolean {
    return this.peers.length > 0 && Boolean(this.options.internalToken);
  }

  /** The first definite answer (active or ended) wins; 'unreachable' if a peer failed and none knew. */
  async lookup(tokenHash: string): Promise<PeerAnswer> {
    let unreachable = false;
    for (const peer of this.peers) {
      try {
        const response = await this.call('GET', `${peer}/internal/sessions/${tokenHash}`);
        if (response.status === 200) {
          const body = (await response.json()) as { user: SessionUser; expiresAt: string };
          return { state: 'active', user: body.user, expiresAt: body.expiresAt };
        }
        await response.body?.cancel();
        if (response.status === 410) return { state: 'ended' };
        if (response.status !== 404) {
          unreachable = true;
          this.options.logger.warn({ peer, status: response.status }, 'peer session lookup failed');
        }
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
          await response.body?.cancel();
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

  private call(method: string, url: string): Promise<Response> {
    return fetch(url, {
      method,
      headers: { [INTERNAL_TOKEN_HEADER]: this.options.internalToken ?? '' },
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
  }
}
