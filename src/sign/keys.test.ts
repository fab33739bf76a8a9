import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { CustomsError, type ErrorCode } from '../core/index.js';
import {
  decryptPrivateKey,
  encryptPrivateKey,
  generateKeyPair,
  loadPrivateKey,
  loadPublicKey,
  signBytes,
  verifyBytesSignature,
} from './keys.js';

/**
 * A key cosign made (sigstore/cosign pkg/cosign/keys_test.go, `pemsigstorekey`,
 * password "hello"; Apache-2.0): decrypting it is the test that customs reads
 * cosign's format, not only its own.
 */
const COSIGN_KEY = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----
eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6
OCwicCI6MX0sInNhbHQiOiI3T3VGd2VsbWZZNXVId2NoaURSc210anNwZ2ZlZjFG
Mk5lOGFDTjVLYVpZPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94
Iiwibm9uY2UiOiJQNHk4OGhCb3ZTa09MbXN0bFVBaGJwdDJ0K2xTNUxQSCJ9LCJj
aXBoZXJ0ZXh0IjoiMnB1QzdyZldJOWh3bnJlQ2s4aUZDRlVwQlRrSzRJNlIvbFBF
cnBDekpXUGpJWXl4eGVIL1A2VW52cFJHdVhla1NNb3JMdGhLamdoQ1JlNy82NDVH
QWtoVm1LRC92eEF0S2EvbE1abENSQ3FlekJGUFd1dzNpeFRtZ2xhb2J1ZFVSbUVs
bmNGOGlZbzBTMVl6Y1ZOMVFwY2J2c0dNcUlYRzVlbmdteGp5dCtBcXlyZTF0Q0Y0
V01tU1BlaEljNlBqd2h1Q2xHaVpJUWRvTGc9PSJ9
-----END ENCRYPTED SIGSTORE PRIVATE KEY-----
`;

function code(c: ErrorCode, re?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CustomsError, String(e));
    assert.equal(e.code, c, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

describe("cosign's encrypted private key", () => {
  test('a key cosign generated decrypts with its password to an ECDSA P-256 key; a wrong password is SIGN_KEY_PASSWORD', () => {
    const key = loadPrivateKey(COSIGN_KEY, 'hello', 'cosign.key');
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.throws(() => loadPrivateKey(COSIGN_KEY, 'hell0', 'cosign.key'), code('SIGN_KEY_PASSWORD', /cosign\.key/));
  });

  test('generate-key-pair: cosign PEM types, JSON with scrypt N=32768 r=8 p=1 and nacl/secretbox; sign and verify round trip', () => {
    const pair = generateKeyPair('pw');
    assert.match(pair.privateKey, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    assert.match(pair.publicKey, /^-----BEGIN PUBLIC KEY-----\n/);
    const body = Buffer.from(pair.privateKey.split('\n').slice(1, -2).join(''), 'base64');
    const doc = JSON.parse(body.toString('utf8'));
    assert.deepEqual(doc.kdf.params, { N: 32768, r: 8, p: 1 });
    assert.equal(doc.kdf.name, 'scrypt');
    assert.equal(Buffer.from(doc.kdf.salt, 'base64').length, 32);
    assert.equal(doc.cipher.name, 'nacl/secretbox');
    assert.equal(Buffer.from(doc.cipher.nonce, 'base64').length, 24);
    const priv = loadPrivateKey(pair.privateKey, 'pw', 'k');
    const pub = loadPublicKey(pair.publicKey, 'p');
    const sig = signBytes(priv, Buffer.from('payload'));
    assert.ok(verifyBytesSignature(pub, Buffer.from('payload'), sig));
    assert.equal(verifyBytesSignature(pub, Buffer.from('payloaD'), sig), false);
    assert.equal(verifyBytesSignature(pub, Buffer.from('payload'), Buffer.from('not der')), false);
  });

  test('a flipped ciphertext byte fails authentication (secretbox), not with garbage', () => {
    const pkcs8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      format: 'der',
      type: 'pkcs8',
    });
    const doc = JSON.parse(encryptPrivateKey(pkcs8, 'pw').toString('utf8'));
    const ct = Buffer.from(doc.ciphertext, 'base64');
    ct[ct.length - 1] = (ct[ct.length - 1] ?? 0) ^ 1;
    doc.ciphertext = ct.toString('base64');
    assert.throws(() => decryptPrivateKey(Buffer.from(JSON.stringify(doc)), 'pw', 'k'), code('SIGN_KEY_PASSWORD'));
    const ok = decryptPrivateKey(encryptPrivateKey(pkcs8, 'pw'), 'pw', 'k');
    assert.ok(createPrivateKey({ key: ok, format: 'der', type: 'pkcs8' }));
  });

  test('hostile scrypt parameters are refused before any work (N too large, not a power of two, r/p out of range)', () => {
    const base = JSON.parse(encryptPrivateKey(Buffer.from('x'), 'pw').toString('utf8'));
    for (const params of [
      { N: 2 ** 30, r: 8, p: 1 },
      { N: 1000, r: 8, p: 1 },
      { N: 1024, r: 0, p: 1 },
      { N: 1024, r: 8, p: 1000 },
    ]) {
      const doc = Buffer.from(JSON.stringify({ ...base, kdf: { ...base.kdf, params } }));
      assert.throws(() => decryptPrivateKey(doc, 'pw', 'k'), code('SIGN_KEY_INVALID', /out of range/));
    }
    const other = Buffer.from(JSON.stringify({ ...base, cipher: { name: 'aes', nonce: base.cipher.nonce } }));
    assert.throws(() => decryptPrivateKey(other, 'pw', 'k'), code('SIGN_KEY_INVALID', /not nacl\/secretbox/));
    assert.throws(() => decryptPrivateKey(Buffer.from('{'), 'pw', 'k'), code('SIGN_KEY_INVALID'));
  });

  test('keys other than ECDSA P-256 are refused; a public key is not a private key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    assert.throws(
      () => loadPublicKey(rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString(), 'rsa.pub'),
      code('SIGN_KEY_INVALID', /rsa key; customs signs and verifies with ECDSA P-256/),
    );
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    assert.throws(
      () => loadPrivateKey(p384.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), '', 'p384.key'),
      code('SIGN_KEY_INVALID', /secp384r1/),
    );
    assert.throws(
      () => loadPrivateKey(generateKeyPair('x').publicKey, '', 'x.pub'),
      code('SIGN_KEY_INVALID', /"PUBLIC KEY"/),
    );
    assert.throws(() => loadPrivateKey('nothing here', '', 'empty'), code('SIGN_KEY_INVALID', /no PEM block/));
  });
});
