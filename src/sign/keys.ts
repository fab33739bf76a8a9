/**
 * Signing keys in cosign's formats (sigstore/cosign pkg/cosign/keys.go):
 * an ECDSA P-256 private key as PKCS #8 DER, encrypted the way
 * secure-systems-lab/go-securesystemslib `encrypted` does it — scrypt
 * (N=32768, r=8, p=1, 32-byte salt) derives a 32-byte key for NaCl secretbox
 * (XSalsa20-Poly1305, 24-byte nonce) — in a JSON document
 *   {"kdf":{"name":"scrypt","params":{"N","r","p"},"salt"},
 *    "cipher":{"name":"nacl/secretbox","nonce"},"ciphertext"}
 * (byte fields base64) inside a PEM block "ENCRYPTED SIGSTORE PRIVATE KEY"
 * (older cosign: "ENCRYPTED COSIGN PRIVATE KEY"); the public key is a PKIX
 * "PUBLIC KEY" PEM. Signatures are ECDSA over SHA-256, ASN.1 DER.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  scryptSync,
  sign,
  verify,
} from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { CustomsError } from '../core/index.js';

export const SIGSTORE_PRIVATE_KEY_PEM = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_PRIVATE_KEY_PEM = 'ENCRYPTED COSIGN PRIVATE KEY';

/** go-securesystemslib encrypted: the "standard" scrypt cost. */
const SCRYPT = { N: 32768, r: 8, p: 1 } as const;
/** Largest scrypt cost accepted from a key file (a hostile file must not pin the CPU or memory). */
const MAX_SCRYPT_N = 1 << 20;

function pemBlocks(text: string): { type: string; der: Buffer }[] {
  const out: { type: string; der: Buffer }[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ type: m[1] ?? '', der: Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64') });
  }
  return out;
}

function toPem(type: string, der: Buffer): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${type}-----\n${b64}\n-----END ${type}-----\n`;
}

function keyError(what: string, why: string, cause?: unknown): CustomsError {
  return new CustomsError('SIGN_KEY_INVALID', `${what}: ${why}`, cause);
}

function scryptKey(password: string, salt: Buffer, p: { N: number; r: number; p: number }): Buffer {
  // scrypt needs 128·N·r bytes; allow what the parameters need.
  const maxmem = 256 * p.N * p.r + 1024 * 1024;
  return scryptSync(Buffer.from(password, 'utf8'), salt, 32, { N: p.N, r: p.r, p: p.p, maxmem });
}

/** Encrypt PKCS #8 DER bytes into cosign's JSON document. */
export function encryptPrivateKey(pkcs8: Buffer, password: string): Buffer {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = scryptKey(password, salt, SCRYPT);
  const ciphertext = Buffer.from(xsalsa20poly1305(key, nonce).encrypt(pkcs8));
  return Buffer.from(
    JSON.stringify({
      kdf: { name: 'scrypt', params: SCRYPT, salt: salt.toString('base64') },
      cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
      ciphertext: ciphertext.toString('base64'),
    }),
  );
}

function b64Field(v: unknown, what: string, field: string): Buffer {
  if (typeof v !== 'string') throw keyError(what, `${field} is missing`);
  return Buffer.from(v, 'base64');
}

/** Decrypt cosign's JSON document back to PKCS #8 DER. A wrong password is SIGN_KEY_PASSWORD. */
export function decryptPrivateKey(doc: Buffer, password: string, what: string): Buffer {
  let j: {
    kdf?: { name?: unknown; params?: Record<string, unknown>; salt?: unknown };
    cipher?: { name?: unknown; nonce?: unknown };
    ciphertext?: unknown;
  };
  try {
    j = JSON.parse(doc.toString('utf8')) as typeof j;
  } catch (e) {
    throw keyError(what, 'the encrypted key is not the JSON document cosign writes', e);
  }
  if (j.kdf?.name !== 'scrypt') throw keyError(what, `key derivation "${String(j.kdf?.name)}" is not scrypt`);
  if (j.cipher?.name !== 'nacl/secretbox')
    throw keyError(what, `cipher "${String(j.cipher?.name)}" is not nacl/secretbox`);
  const params = j.kdf.params ?? {};
  const N = Number(params.N);
  const r = Number(params.r);
  const p = Number(params.p);
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (
    !powerOfTwo ||
    N > MAX_SCRYPT_N ||
    !Number.isInteger(r) ||
    r < 1 ||
    r > 32 ||
    !Number.isInteger(p) ||
    p < 1 ||
    p > 16
  ) {
    throw keyError(
      what,
      `scrypt parameters N=${String(params.N)} r=${String(params.r)} p=${String(params.p)} are out of range`,
    );
  }
  const salt = b64Field(j.kdf.salt, what, 'kdf.salt');
  const nonce = b64Field(j.cipher.nonce, what, 'cipher.nonce');
  if (nonce.length !== 24) throw keyError(what, `the secretbox nonce is ${nonce.length} bytes, not 24`);
  const ciphertext = b64Field(j.ciphertext, what, 'ciphertext');
  const key = scryptKey(password, salt, { N, r, p });
  try {
    return Buffer.from(xsalsa20poly1305(key, nonce).decrypt(ciphertext));
  } catch (e) {
    throw new CustomsError('SIGN_KEY_PASSWORD', `${what}: the password does not decrypt this key`, e);
  }
}

export interface KeyPairPem {
  readonly privateKey: string;
  readonly publicKey: string;
}

/** A new ECDSA P-256 key pair: the encrypted private key PEM and the public key PEM. */
export function generateKeyPair(password: string): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    privateKey: toPem(SIGSTORE_PRIVATE_KEY_PEM, encryptPrivateKey(pkcs8, password)),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** The private key of a cosign key file (encrypted), or of a plain PKCS #8 / SEC1 PEM. */
export function loadPrivateKey(pemText: string, password: string | (() => string), what: string): KeyObject {
  const block = pemBlocks(pemText)[0];
  if (!block)
    throw keyError(what, 'no PEM block found; expected a cosign private key (customs sign generate-key-pair)');
  let key: KeyObject;
  try {
    if (block.type === SIGSTORE_PRIVATE_KEY_PEM || block.type === COSIGN_PRIVATE_KEY_PEM) {
      const pw = typeof password === 'function' ? password() : password;
      key = createPrivateKey({ key: decryptPrivateKey(block.der, pw, what), format: 'der', type: 'pkcs8' });
    } else if (block.type === 'PRIVATE KEY' || block.type === 'EC PRIVATE KEY') {
      key = createPrivateKey(pemText);
    } else {
      throw keyError(what, `a "${block.type}" PEM block is not a private key customs reads`);
    }
  } catch (e) {
    if (e instanceof CustomsError) throw e;
    throw keyError(what, `not a valid private key (${(e as Error).message})`, e);
  }
  checkP256(key, what);
  return key;
}

function checkP256(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw keyError(
      what,
      `is a ${key.asymmetricKeyType ?? 'unknown'} key${key.asymmetricKeyDetails?.namedCurve ? ` on ${key.asymmetricKeyDetails.namedCurve}` : ''}; customs signs and verifies with ECDSA P-256`,
    );
  }
}

/** A PKIX "PUBLIC KEY" PEM (ECDSA P-256). */
export function loadPublicKey(pemText: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pemText);
  } catch (e) {
    throw keyError(what, `not a PEM public key (${(e as Error).message})`, e);
  }
  checkP256(key, what);
  return key;
}

/** ECDSA P-256 / SHA-256, ASN.1 DER (what cosign and containers/image produce and expect). */
export function signBytes(key: KeyObject, data: Buffer): Buffer {
  return sign('sha256', data, key);
}

export function verifyBytesSignature(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return verify('sha256', data, key, signature);
  } catch {
    return false;
  }
}

/** The public key's PEM, for reports ("which key verified it"). */
export function publicKeyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'spki' }).toString();
}
