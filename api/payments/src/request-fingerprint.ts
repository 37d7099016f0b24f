import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so key order never makes two bodies differ. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 of method, path and canonical body. An absent body counts as `{}`. */
function fingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method}\n${path}\n${canonicalJson(body ?? {})}`, 'utf8')
    .digest('hex');
}

/** The requests an Idempotency-Key can guard, fingerprinted the same way whoever sends them
 * (the HTTP routes or the in-process port), so a retry through either replays. */
export const requestFingerprints = {
  createPayment: (body: unknown) => fingerprint('POST', '/api/payments', body),
  capture: (paymentId: string, body: unknown) => fingerprint('POST', `/api/payments/${paymentId}/capture`, body),
  void: (paymentId: string, body: unknown) => fingerprint('POST', `/api/payments/${paymentId}/void`, body),
  refund: (paymentId: string, body: unknown) => fingerprint('POST', `/api/payments/${paymentId}/refunds`, body),
};
