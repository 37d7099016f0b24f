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
