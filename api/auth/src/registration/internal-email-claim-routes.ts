import { Router } from 'express';
import { z } from 'zod';
import { AppError, parseInput, requireInternalToken } from '@strangler/kit';
import type { EmailClaimRepository } from './email-claim-repository';

const claimSchema = z.object({
  email: z.string().min(3).max(254),
  claimId: z.uuid(),
});

/**
 * `POST /internal/email-claims {email, claimId}`: a peer about to register `email` asks this side to
 * hold it (204), or learns that a user has it here (409 EMAIL_CLAIM_TAKEN) or that another
 * registration of it is in flight (409 EMAIL_CLAIM_CONTENDED). `DELETE /internal/email-claims/:id`
 * gives a claim back. Only with the internal token configured (decision 0028).
 */
export function internalEmailClaimRoutes(claims: EmailClaimRepository, claimTtlMs: number, internalToken: string | undefined): Router {
  const router = Router();
  if (!internalToken) return router;
  const guard = requireInternalToken(internalToken);
  router.post('/internal/email-claims', guard, async (req, res) => {
    const { email, claimId } = parseInput(claimSchema, req.body);
    const outcome = await claims.claim(email, claimId, 'peer', claimTtlMs);
    if (outcome === 'taken') throw new AppError('EMAIL_CLAIM_TAKEN', 409, 'Email taken', 'A user with this email exists on this side.');
    if (outcome === 'contended') throw new AppError('EMAIL_CLAIM_CONTENDED', 409, 'Email claimed', 'Another registration of this email is in flight.');
    res.status(204).end();
  });
  router.delete('/internal/email-claims/:claimId', guard, async (req, res) => {
    await claims.releaseById(String(req.params.claimId));
    res.status(204).end();
  });
  return router;
}
