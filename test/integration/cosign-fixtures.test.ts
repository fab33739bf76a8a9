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
import {
  type Attachment,
  generateKeyPair,
  loadPublicKey,
  parseTrustedRoot,
  verifyCosignSignature,
} from '../../src/sign/index.js';
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

describe("cosign's older keyless layout (certificate and Rekor entry in annotations)", () => {
  const sig = () => attachment('dir-img-cosign-fulcio-rekor-valid/signature-1');
  const ref = parseNormalizedReference('192.168.64.2:5000/cosign-signed/fulcio-rekor-1');
  const digest = digestOf('dir-img-cosign-fulcio-rekor-valid');
  const root = parseTrustedRoot(
    JSON.parse(readFileSync(join(DIR, 'sigstore-public-good-trusted-root.json'), 'utf8')),
    'root',
  );
  const who = { issuer: 'https://github.com/login/oauth', subject: 'mitr@redhat.com' };

  test('a public-good keyless signature verifies offline: Fulcio chain, SCT, Rekor SET, identity and issuer', () => {
    const r = verifyCosignSignature(sig(), [], ref, digest, 'fixture', { identities: [who], root });
    assert.equal(r.status, 'valid', r.reason);
    assert.equal(r.signer, 'mitr@redhat.com');
    assert.equal(r.issuer, 'https://github.com/login/oauth');
  });

  test('another identity or issuer is untrusted; no identities or no root is untrusted, with the reason', () => {
    const other = verifyCosignSignature(sig(), [], ref, digest, 'fixture', {
      identities: [{ ...who, subject: 'someone@redhat.com' }],
      root,
    });
    assert.equal(other.status, 'untrusted');
    const issuer = verifyCosignSignature(sig(), [], ref, digest, 'fixture', {
      identities: [{ ...who, issuer: 'https://accounts.google.com' }],
      root,
    });
    assert.equal(issuer.status, 'untrusted');
    assert.match(verifyCosignSignature(sig(), [key], ref, digest, 'fixture').reason ?? '', /no identities are trusted/);
    assert.match(
      verifyCosignSignature(sig(), [], ref, digest, 'fixture', { identities: [who], root: undefined }).reason ?? '',
      /no trusted root/,
    );
  });

  test('an altered signed entry timestamp, another trusted root, or another manifest is invalid', () => {
    const a = sig();
    const rekor = JSON.parse(a.annotations['dev.sigstore.cosign/bundle'] ?? '{}');
    const set = Buffer.from(rekor.SignedEntryTimestamp, 'base64');
    set[set.length - 3] = (set[set.length - 3] ?? 0) ^ 0xff;
    rekor.SignedEntryTimestamp = set.toString('base64');
    const forged = { ...a, annotations: { ...a.annotations, 'dev.sigstore.cosign/bundle': JSON.stringify(rekor) } };
    assert.equal(
      verifyCosignSignature(forged, [], ref, digest, 'fixture', { identities: [who], root }).status,
      'invalid',
    );
    const otherRoot = parseTrustedRoot(
      JSON.parse(
        readFileSync(
          join(
            REPO_ROOT,
            'test',
            'fixtures',
            'sigstore-conformance',
            'intoto-with-custom-trust-root',
            'trusted_root.json',
          ),
          'utf8',
        ),
      ),
      'other',
    );
    assert.equal(
      verifyCosignSignature(sig(), [], ref, digest, 'fixture', { identities: [who], root: otherRoot }).status,
      'invalid',
    );
    const elsewhere = verifyCosignSignature(sig(), [], ref, digestOf('dir-img-cosign-valid'), 'fixture', {
      identities: [who],
      root,
    });
    assert.equal(elsewhere.status, 'invalid');
    assert.match(elsewhere.reason ?? '', /names sha256:[a-f0-9]{64}, not this image's/);
  });
});
