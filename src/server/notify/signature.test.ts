import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { signBody, verifySignature } from './signature.js';

test('the signature is what `openssl dgst -sha256 -hmac` gives over the same bytes (the shell recipe in docs/notifications.md)', () => {
  const secret = randomBytes(20).toString('hex');
  const body = JSON.stringify({ summary: `CVE ✓ ${randomBytes(8).toString('base64')}`, n: Math.random() });
  const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret, '-r'], { input: body }).toString();
  assert.equal(signBody(secret, body), `sha256=${out.split(' ')[0]}`);
});

test('verification refuses malformed headers, other bodies and other secrets', () => {
  const body = Buffer.from('{"a":1}');
  const sig = signBody('k', body);
  assert.equal(verifySignature('k', body, sig), true);
  assert.equal(verifySignature('k', body, sig.toUpperCase()), false);
  assert.equal(verifySignature('k', body, sig.slice(7)), false);
  assert.equal(verifySignature('k', body, undefined), false);
  assert.equal(verifySignature('k', Buffer.from('{"a":2}'), sig), false);
  assert.equal(verifySignature('K', body, sig), false);
});
