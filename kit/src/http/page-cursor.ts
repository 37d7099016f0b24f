import { z } from 'zod';

/**
 * Keyset pagination as every list of the public API does it: newest first by (created_at, id), an
 * opaque cursor naming the last item of a page, and one `?limit=&cursor=` query schema, so that every
 * list (and every side serving it) pages and rejects bad input the same way.
 */

/** Where a keyset page ends: the (created_at, id) of its last item. */
export interface PagePosition {
  createdAt: Date;
  id: string;
}

const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;
const ID = /^[0-9a-f-]{1,36}$/;

/** Opaque to clients: base64url of `[epochMs, id]`. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.getTime(), position.id]), 'utf8').toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this API issued. */
export function decodeCursor(cursor: string): PagePosition | undefined {
  if (!BASE64URL.test(cursor)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) return undefined;
  const [epochMs, id] = decoded as [unknown, unknown];
  if (typeof epochMs !== 'number' || !Number.isSafeInteger(epochMs) || epochMs < 0) return undefined;
  if (typeof id !== 'string' || !ID.test(id)) return undefined;
  return { createdAt: new Date(epochMs), id };
}

const LIMIT_RULE = 'must be an integer from 1 to 100';
const CURSOR_RULE = 'must be a cursor from a previous page';

/** `?limit=` (1 to 100, default 20) and `?cursor=` (from a previous page's `nextCursor`). A repeated
 * parameter arrives as an array and is refused like any other non-string. */
export const pageQuery = z.object({
  limit: z
    .string({ error: LIMIT_RULE })
    .refine((text) => /^\d{1,3}$/.test(text) && Number(text) >= 1 && Number(text) <= 100, LIMIT_RULE)
    .transform(Number)
    .optional()
    .transform((limit) => limit ?? 20),
  cursor: z
    .string({ error: CURSOR_RULE })
    .transform((text, ctx) => {
      const position = decodeCursor(text);
      if (position) return position;
      ctx.addIssue({ code: 'custom', message: CURSOR_RULE });
      return z.NEVER;
    })
    .optional(),
});
