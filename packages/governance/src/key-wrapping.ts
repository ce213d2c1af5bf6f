import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { QuantaError } from '@quanta/model';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A fresh 256-bit data key. */
export function generateDataKey(): Buffer {
  return randomBytes(32);
}

/** A key's public identifier: the first 16 hex digits of its SHA-256 (never the key itself). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * Wraps (encrypts) a data key under a key-encryption key with AES-256-GCM, bound to `context`
 * (the domain) so a wrapped key cannot be swapped to another domain. Text form: base64 of
 * iv | tag | ciphertext.
 */
export function wrapKey(dataKey: Buffer, options: { wrappingKey: Buffer; context: string }): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, options.wrappingKey, iv);
  cipher.setAAD(Buffer.from(options.context));
  const sealed = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
}

/** Unwraps a key wrapped by {@link wrapKey}; a wrong wrapping key or context fails, never guesses. */
export function unwrapKey(wrapped: string, options: { wrappingKey: Buffer; context: string }): Buffer {
  const bytes = Buffer.from(wrapped, 'base64');
  try {
    const decipher = createDecipheriv(ALGORITHM, options.wrappingKey, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(options.context));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (error) {
    throw new QuantaError(
      'QUANTA_CONFLICT',
      `the key of ${options.context} does not unwrap with this master key`,
      {
        cause: error,
        fix: 'use the master key the domain keys were wrapped with (QUANTA_MASTER_KEY or .quanta/keys/master.key)',
      },
    );
  }
}
