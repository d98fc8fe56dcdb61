import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  sub: string;
  iat: number;
  exp: number;
  /** Unique per token. */
  jti?: string;
  /** The session family (sign-in) the token belongs to: it dies when that session is revoked. */
  sid?: string;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Compact HMAC-SHA256 bearer tokens (JWT-shaped: header.payload.signature). */
export function signToken(secret: string, userid: string, nowMs: number, ttlSeconds: number, sid?: string): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const iat = Math.floor(nowMs / 1000);
  const jti = randomBytes(9).toString('base64url');
  const payload = b64url(JSON.stringify({ sub: userid, iat, exp: iat + ttlSeconds, jti, sid } satisfies TokenClaims));
  const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

/** The claims of a valid, unexpired token; null for anything else. */
export function verifyToken(secret: string, token: string, nowMs: number): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [header, payload, sig] = parts;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  let given: Buffer;
  try {
    given = Buffer.from(sig, 'base64url');
  } catch {
    return null;
  }
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
    if (claims.exp * 1000 <= nowMs) return null;
    return claims;
  } catch {
    return null;
  }
}
