import { Router } from 'express';
import { z } from 'zod';
import { callInternal, parseInput, requireInternalToken, type Logger } from '@strangler/kit';
import type { LoginThrottle, ThrottleEvent, ThrottleSharing } from './login-throttle';

export interface PeerThrottleSharingOptions {
  peers: string[] | (() => string[]);
  internalToken: string | undefined;
  timeoutMs: number;
  logger: Logger;
}

/**
 * Tells every other side of each login failure and success checked here (decision 0029), awaited so
 * that a guess answered 401 here is already counted there. A side that cannot be told is logged once
 * per outage: while it is down it answers no logins, and a restarted in-memory throttle forgets its
 * counts anyway (production shares one Redis instead, and needs none of this).
 */
export class PeerThrottleSharing implements ThrottleSharing {
  private readonly failing = new Set<string>();

  constructor(private readonly options: PeerThrottleSharingOptions) {}

  private get peers(): string[] {
    const { peers } = this.options;
    return this.options.internalToken ? (typeof peers === 'function' ? peers() : peers) : [];
  }

  async share(event: ThrottleEvent): Promise<void> {
    await Promise.all(this.peers.map((peer) => this.tell(peer, event)));
  }

  private async tell(peer: string, event: ThrottleEvent): Promise<void> {
    try {
      const response = await callInternal(`${peer}/internal/login-throttle/events`, {
        method: 'POST',
        internalToken: this.options.internalToken,
        timeoutMs: this.options.timeoutMs,
        body: event,
      });
      await response.body?.cancel();
      if (response.status !== 204) throw new Error(`answered ${response.status}`);
      if (this.failing.delete(peer)) this.options.logger.info({ peer }, 'login throttle: peer reachable again');
    } catch (error) {
      if (!this.failing.has(peer)) this.options.logger.warn({ peer, err: error }, 'login throttle: cannot tell a peer about logins');
      this.failing.add(peer);
    }
  }
}

const eventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('failure'), account: z.string().min(1).max(254), addressKey: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('success'), account: z.string().min(1).max(254) }),
]);

/** `POST /internal/login-throttle/events`: another side's login outcome, counted here. */
export function internalThrottleRoutes(throttle: LoginThrottle, internalToken: string | undefined): Router {
  const router = Router();
  if (!internalToken) return router;
  router.post('/internal/login-throttle/events', requireInternalToken(internalToken), async (req, res) => {
    await throttle.apply(parseInput(eventSchema, req.body));
    res.status(204).end();
  });
  return router;
}
