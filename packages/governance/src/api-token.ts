import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The prefix of every Quanta token, so that secret scanners and people recognise one. */
export const TOKEN_PREFIX = 'qt_';

/** A freshly issued token: the text shown once, and what the store keeps. */
export interface IssuedToken {
  /** `qt_<id>_<secret>`: shown to its owner once, never stored. */
  readonly token: string;
  /** The public lookup id. */
  readonly id: string;
  readonly salt: string;
  /** SHA-256 of salt and secret (hex). */
  readonly hash: string;
}

/** The two parts of a token's text. */
export interface TokenParts {
  readonly id: string;
  readonly secret: string;
}

const TOKEN_PATTERN = /^qt_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/**
 * Issues a token: a 12-character public id (to find it in the store) and a 256-bit random
 * secret. Only a salted SHA-256 of the secret is kept: the secret has full entropy, so a slow
 * password hash would add nothing, and a leaked store does not yield usable tokens (ADR 011).
 */
export function issueToken(): IssuedToken {
  const id = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16).toString('hex');
  return { token: `${TOKEN_PREFIX}${id}_${secret}`, id, salt, hash: hashTokenSecret(secret, salt) };
}

/** The id and secret of a token's text, or undefined when it is not a Quanta token. */
export function parseToken(text: string): TokenParts | undefined {
  const match = TOKEN_PATTERN.exec(text.trim());
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : undefined;
}

/** Whether a secret matches a stored salt and hash (constant-time comparison). */
export function isTokenSecret(secret: string, stored: { salt: string; hash: string }): boolean {
  const expected = Buffer.from(stored.hash, 'hex');
  const actual = Buffer.from(hashTokenSecret(secret, stored.salt), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function hashTokenSecret(secret: string, salt: string): string {
  return createHash('sha256').update(salt).update(':').update(secret).digest('hex');
}
