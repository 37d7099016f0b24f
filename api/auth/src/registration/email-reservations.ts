import { randomUUID } from 'node:crypto';
import { authErrors } from '../auth-errors';
import type { EmailClaimRepository } from './email-claim-repository';
import type { PeerEmailClaims } from './peer-email-claims';

/**
 * How long a claim holds (on this side and on the peers that granted it). Short: a registration that
 * died between claiming and committing (a killed process) blocks its email until then, answered 503
 * with Retry-After. A live one needs milliseconds between asking the peers and committing, and gives
 * up (503) if it gets within COMMIT_MARGIN_MS of the claim's end (a very loaded box).
 */
export const EMAIL_CLAIM_TTL_MS = 10_000;
const COMMIT_MARGIN_MS = 2_000;

/** A registration's hold on its email on every side, until it commits or gives up. */
export interface EmailReservation {
  /**
   * In the transaction that inserts the user: removes this side's claim, or throws 503 (retry) if
   * another registration took it over meanwhile or the peers' claims may have expired.
   */
  confirm(claims: EmailClaimRepository): Promise<void>;
  /** After commit or failure: gives back whatever is still held (best effort; claims expire anyway). */
  release(): Promise<void>;
}

const retryLater = () => authErrors.registrationUnavailable(1);
/** Tries of a contended claim before answering 503 (about 0.3 s of waiting in all). */
const CONTENDED_ATTEMPTS = 4;

/**
 * One email, one account across both sides while auth is in transition (decision 0028): before a
 * side creates a user it claims the email in its own `email_claims`, then asks every peer to hold it
 * for this registration. A user with the email on any side is 409 AUTH_EMAIL_TAKEN; another
 * registration of it in flight anywhere, or a peer that does not answer, is 503
 * AUTH_REGISTRATION_UNAVAILABLE with Retry-After (fail closed: retry, and learn which it was).
 */
export class EmailReservations {
  constructor(
    private readonly claims: EmailClaimRepository,
    private readonly peers: PeerEmailClaims,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Another registration of the email in flight usually ends within milliseconds: wait for it a few
   * times (short, jittered) so the answer is the usual 409 or 201, and only then say 503 (retry).
   */
  async reserve(email: string): Promise<EmailReservation> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.tryReserve(email);
      if (outcome !== 'contended') return outcome;
      if (attempt >= CONTENDED_ATTEMPTS) throw retryLater();
      await new Promise((resolve) => setTimeout(resolve, attempt * 50 * (0.5 + Math.random())));
    }
  }

  private async tryReserve(email: string): Promise<EmailReservation | 'contended'> {
    const claimId = randomUUID();
    const local = await this.claims.claim(email, claimId, 'local', EMAIL_CLAIM_TTL_MS);
    if (local === 'taken') throw authErrors.emailTaken();
    if (local === 'contended') return 'contended';
    const asked = this.now();
    const peers = this.peers.peers;
    const answers = await Promise.all(peers.map((peer) => this.peers.claim(peer, email, claimId)));
    const release = async () => {
      await Promise.all([this.claims.release(email, claimId), ...peers.map((peer) => this.peers.release(peer, claimId))]);
    };
    if (answers.some((answer) => answer !== 'granted')) {
      await release();
      if (answers.includes('taken')) throw authErrors.emailTaken();
      if (answers.includes('unreachable')) throw retryLater();
      return 'contended';
    }
    return {
      confirm: async (claims) => {
        // A peer's claim began after `asked`: well before its end, it still holds.
        if (this.now() - asked > EMAIL_CLAIM_TTL_MS - COMMIT_MARGIN_MS) throw retryLater();
        // Taken over by a peer's registration (the smaller claim id wins a tie): it will most likely
        // commit, and the retry will say so.
        if (!(await claims.confirm(email, claimId))) throw retryLater();
      },
      release,
    };
  }
}
