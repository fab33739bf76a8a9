/**
 * Signatures made by cosign and by upstream skopeo, as containers/image keeps
 * them for its own interoperability tests (test/fixtures/cosign-signatures/README.md),
 * checked by customs' verification of one signature layer.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sha256 } from '../../src/core/index.js';
import { parseNormalizedReference } from '../../src/image/index.js';
import { type Attachment, generateKeyPair, loadPublicKey, verifyCosignSignature } from '../../src/sign/index.js';
import { REPO_ROOT } from '../support/images.js';

const DIR = join(REPO_ROOT, 'test', 'fixtures', 'cosign-signatures');
const MAGIC = '\0sigstore-json\n';

/** containers/image's on-disk signature: the magic, then {mimeType, payload, annotations}. */
function attachment(file: string): Attachment {
  const text = readFileSync(join(DIR, file), 'utf8');
  assert.ok(text.startsWith(MAGIC), `${file} is not a sigstore-json signature`);
  const j = JSON.parse(text.slice(MAGIC.length)) as {
    mimeType: string;
    payload: string;
    annotations: Record<string, string>;
  };
  const payload = Buffer.from(j.payload, 'base64');
  return { mediaType: j.mimeType, digest: sha256(payload), payload, annotations: j.annotations };
}

const key = { name: 'cosign.pub', key: loadPublicKey(readFileSync(join(DIR, 'cosign.pub'), 'utf8'), 'cosign.pub') };
const digestOf = (dir: string) => sha256(readFileSync(join(DIR, dir, 'manifest.json')));

describe('cosign- and skopeo-made signatures', () => {
  test('a cosign signature verifies for its repository and manifest', () => {
    const r = verifyCosignSignature(
      attachment('dir-img-cosign-valid/signature-1'),
      [key],
      parseNormalizedReference('192.168.64.2:5000/cosign-signed-single-sample'),
      digestOf('dir-img-cosign-valid'),
      'fixture',
    );
    assert.equal(r.status, 'valid', r.reason);
    assert.equal(r.dockerReference, '192.168.64.2:5000/cosign-signed-single-sample');
  });

  test('a skopeo signature (docker-reference with a tag) verifies', () => {
    const r = verifyCosignSignature(
      attachment('dir-img-cosign-valid-with-tag/signature-1'),
      [key],
      parseNormalizedReference('192.168.64.2:5000/skopeo-signed:tag'),
      digestOf('dir-img-cosign-valid-with-tag'),
      'fixture',
    );
    assert.equal(r.status, 'valid', r.reason);
    assert.equal(r.dockerReference, '192.168.64.2:5000/skopeo-signed:tag');
  });

  test('the same signature over another manifest is invalid; for another repository it does not count', () => {
    const sig = attachment('dir-img-cosign-valid/signature-1');
    const modified = verifyCosignSignature(
      sig,
      [key],
      parseNormalizedReference('192.168.64.2:5000/cosign-signed-single-sample'),
      digestOf('dir-img-cosign-modified-manifest'),
      'fixture',
    );
    assert.equal(modified.status, 'invalid');
    assert.match(modified.reason ?? '', /names sha256:[a-f0-9]{64}, not this image's/);
    const elsewhere = verifyCosignSignature(
      sig,
      [key],
      parseNormalizedReference('192.168.64.2:5000/other'),
      digestOf('dir-img-cosign-valid'),
      'fixture',
    );
    assert.equal(elsewhere.status, 'untrusted');
  });

  test('another key does not verify it', () => {
    const other = { name: 'other.pub', key: loadPublicKey(generateKeyPair('x').publicKey, 'other.pub') };
    const r = verifyCosignSignature(
      attachment('dir-img-cosign-valid/signature-1'),
      [other],
      parseNormalizedReference('192.168.64.2:5000/cosign-signed-single-sample'),
      digestOf('dir-img-cosign-valid'),
      'fixture',
    );
    assert.equal(r.status, 'untrusted');
  });
});
