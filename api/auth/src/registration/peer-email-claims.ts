import { callInternal, type Logger } from '@strangler/kit';

export type PeerClaimAnswer = 'granted' | 'taken' | 'contended' | 'unreachable';

export interface PeerEmailClaimsOptions {
  /** The other sides that register users (AUTH_PEERS); a function when known only later (tests). */
  peers: string[] | (() => string[]);
  internalToken: string | undefined;
  timeoutMs: number;
  logger: Logger;
}

/** Asks the other sides to hold an email for a registration running here (decision 0028). */
export class PeerEmailClaims {
  constructor(private readonly options: PeerEmailClaimsOptions) {}

  get peers(): string[] {
    const { peers } = this.options;
    return this.options.internalToken ? (typeof peers === 'function' ? peers() : peers) : [];
  }

  async claim(peer: string, email: string, claimId: string): Promise<PeerClaimAnswer> {
    try {
      const response = await this.call('POST', `${peer}/internal/email-claims`, { email, claimId });
      if (response.status === 409) return ((await response.json()) as { code?: string }).code === 'EMAIL_CLAIM_TAKEN' ? 'taken' : 'contended';
      await response.body?.cancel();
      if (response.status === 204) return 'granted';
      this.options.logger.warn({ peer, status: response.status }, 'peer email claim failed');
    } catch (error) {
      this.options.logger.warn({ peer, err: error }, 'peer email claim failed');
    }
    return 'unreachable';
  }

  /** Best effort: an unreleased claim expires by itself. */
  async release(peer: string, claimId: string): Promise<void> {
    try {
      const response = await this.call('DELETE', `${peer}/internal/email-claims/${encodeURIComponent(claimId)}`);
      await response.body?.cancel();
    } catch {
      // It expires.
    }
  }

  private call(method: string, url: string, body?: unknown): Promise<Response> {
    return callInternal(url, { method, internalToken: this.options.internalToken, timeoutMs: this.options.timeoutMs, body });
  }
}
