/**
 * Sealed secrets (registry credentials) at rest: AES-256-GCM (NIST SP 800-38D)
 * with a 96-bit random nonce per seal and a 128-bit tag. The sealed form is
 *
 *   version (1 byte = 1) · nonce (12 bytes) · tag (16 bytes) · ciphertext
 *
 * The associated data binds a blob to the row it belongs to (for example
 * "registry:<name>"), so a blob copied onto another row does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CustomsError } from '../core/index.js';

const FORMAT_VERSION = 1;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

/** A 32-byte AES-256 key, checked once where it enters. */
export type SecretKey = Buffer & { readonly __secretKey: true };

/** Accept a key given as 32 raw bytes, 64 hex digits or base64 (standard or URL-safe) of 32 bytes. */
export function parseSecretKey(input: string | Uint8Array): SecretKey {
  let bytes: Buffer;
  if (typeof input !== 'string') bytes = Buffer.from(input);
  else {
    const text = input.trim();
    if (/^[0-9a-fA-F]{64}$/.test(text)) bytes = Buffer.from(text, 'hex');
    else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) bytes = Buffer.from(text, 'base64');
    else bytes = Buffer.alloc(0);
  }
  if (bytes.length !== KEY_BYTES) {
    throw new CustomsError(
      'STORE_SECRET_INVALID',
      `the store key must be ${KEY_BYTES} bytes (64 hex digits or base64); got ${typeof input === 'string' ? `${input.trim().length} characters` : `${input.length} bytes`}`,
    );
  }
  return bytes as SecretKey;
}

/** Encrypt `plaintext` under `key`; `context` must be given again to open it. */
export function sealSecret(key: SecretKey, plaintext: string | Uint8Array, context: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), nonce, cipher.getAuthTag(), body]);
}

/** Decrypt a sealed blob; a wrong key, another context or any altered byte is STORE_SECRET_INVALID. */
export function openSecret(key: SecretKey, sealed: Uint8Array, context: string): Buffer {
  const blob = Buffer.from(sealed);
  if (blob.length < HEADER_BYTES || blob[0] !== FORMAT_VERSION) {
    throw new CustomsError(
      'STORE_SECRET_INVALID',
      `sealed secret for ${context} is not in format ${FORMAT_VERSION} (${blob.length} bytes)`,
    );
  }
  const nonce = blob.subarray(1, 1 + NONCE_BYTES);
  const tag = blob.subarray(1 + NONCE_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES)), decipher.final()]);
  } catch (e) {
    throw new CustomsError(
      'STORE_SECRET_INVALID',
      `sealed secret for ${context} does not open with this store key (wrong key, or the data was altered)`,
      e,
    );
  }
}
