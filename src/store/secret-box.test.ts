import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { openSecret, parseSecretKey, sealSecret } from './secret-box.js';

const isSecretError = (e: unknown): boolean => e instanceof CustomsError && e.code === 'STORE_SECRET_INVALID';

test('a sealed secret opens with the same key and context, and hides the plaintext', () => {
  const key = parseSecretKey(randomBytes(32));
  const plaintext = JSON.stringify({ username: 'robot$ci', password: 'hunter2-hunter2-hunter2' });
  const sealed = sealSecret(key, plaintext, 'registry:ghcr');
  assert.equal(openSecret(key, sealed, 'registry:ghcr').toString('utf8'), plaintext);
  assert.equal(sealed.includes(Buffer.from('hunter2')), false);
  // A fresh nonce per seal: the same input never seals to the same bytes.
  assert.notDeepEqual(sealSecret(key, plaintext, 'registry:ghcr'), sealed);
});

test('a wrong key, another context or any altered byte is refused', () => {
  const key = parseSecretKey(randomBytes(32));
  const sealed = sealSecret(key, 'password', 'registry:a');
  assert.throws(() => openSecret(parseSecretKey(randomBytes(32)), sealed, 'registry:a'), isSecretError);
  assert.throws(() => openSecret(key, sealed, 'registry:b'), isSecretError);
  for (let i = 0; i < sealed.length; i++) {
    const altered = Buffer.from(sealed);
    altered[i] = (altered[i] ?? 0) ^ 0x01;
    assert.throws(() => openSecret(key, altered, 'registry:a'), isSecretError, `byte ${i} altered`);
  }
  assert.throws(() => openSecret(key, sealed.subarray(0, 20), 'registry:a'), isSecretError);
});

test('store keys are 32 bytes given raw, as hex or as base64', () => {
  const raw = randomBytes(32);
  assert.deepEqual(parseSecretKey(raw.toString('hex')), raw);
  assert.deepEqual(parseSecretKey(raw.toString('base64')), raw);
  assert.deepEqual(parseSecretKey(`${raw.toString('base64url')}\n`), raw);
  for (const bad of [randomBytes(16), randomBytes(31).toString('hex'), 'x'.repeat(64), '']) {
    assert.throws(() => parseSecretKey(bad), isSecretError);
  }
});
