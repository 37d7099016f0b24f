import { createHash, randomBytes } from 'node:crypto';

/** Opaque bearer tokens: 256 random bits, base64url. Only their SHA-256 is stored. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

export function bearerTokenFrom(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  return BEARER.exec(authorization.trim())?.[1];
}
