/**
 * Keyless verification against the sigstore conformance suite's bundles
 * (test/fixtures/sigstore-conformance/README.md): every `_fail` case must fail
 * and every other must pass, offline against the case's trusted root; then the
 * identity checks customs adds (exact subject, whole-string regexp, issuer).
 */
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CustomsError } from '../../src/core/index.js';
import { parseTrustedRoot, type TrustedIdentity, verifyBundle } from '../../src/sign/index.js';
import { REPO_ROOT } from '../support/images.js';

const DIR = join(REPO_ROOT, 'test', 'fixtures', 'sigstore-conformance');
const SUBJECT =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const cases = readdirSync(DIR).filter((d) => existsSync(join(DIR, d, 'bundle.sigstore.json')));

function load(name: string) {
  const at = (f: string): string => join(DIR, name, f);
  const read = (f: string): string | undefined => (existsSync(at(f)) ? readFileSync(at(f), 'utf8') : undefined);
  return {
    root: parseTrustedRoot(JSON.parse(readFileSync(at('trusted_root.json'), 'utf8')), `${name}/trusted_root.json`),
    bundle: JSON.parse(readFileSync(at('bundle.sigstore.json'), 'utf8')) as unknown,
    artifact: existsSync(at('artifact')) ? readFileSync(at('artifact')) : readFileSync(join(DIR, 'a.txt')),
    key: read('key.pub') === undefined ? undefined : createPublicKey(read('key.pub') ?? ''),
    identity: { issuer: read('issuer')?.trim() ?? ISSUER, subject: read('identity')?.trim() ?? SUBJECT },
  };
}

describe('sigstore conformance bundles', () => {
  test('the fixtures hold passing and failing cases', () => {
    assert.ok(cases.filter((c) => c.endsWith('_fail')).length >= 4);
    assert.ok(cases.filter((c) => !c.endsWith('_fail')).length >= 3);
  });
  for (const name of cases) {
    const mustFail = name.endsWith('_fail');
    test(`${name} ${mustFail ? 'fails' : 'verifies'}`, () => {
      const c = load(name);
      const out = verifyBundle(c.bundle, c.root, {
        artifact: { bytes: c.artifact },
        ...(c.key ? { key: c.key } : { identities: [c.identity] }),
      });
      if (mustFail) {
        assert.equal(out.ok, false, `${name} verified but must fail`);
        assert.notEqual(out.failure, 'identity', 'a failing case must fail on its own defect, not on the identity');
        assert.ok(out.reason);
      } else {
        assert.equal(out.ok, true, out.reason);
        if (!c.key) {
          assert.equal(out.subject, SUBJECT);
          assert.equal(out.issuer, ISSUER);
        }
      }
    });
  }
});

describe('keyless identity checks', () => {
  const happy = cases.find((c) => c === 'intoto-with-custom-trust-root') ?? '';
  const verify = (ids: TrustedIdentity[]) => {
    const c = load(happy);
    return verifyBundle(c.bundle, c.root, { artifact: { bytes: c.artifact }, identities: ids });
  };

  test('another subject, a subject prefix, or another issuer is an untrusted signer', () => {
    const other = verify([
      { issuer: ISSUER, subject: 'https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main' },
    ]);
    assert.equal(other.ok, false);
    assert.equal(other.failure, 'identity');
    assert.match(other.reason ?? '', /not by a trusted identity/);
    // The sigstore library's own check is an unanchored regexp: customs anchors it.
    assert.equal(verify([{ issuer: ISSUER, subjectRegExp: /https:\/\/github\.com\/sigstore-conformance/u }]).ok, false);
    assert.equal(verify([{ issuer: 'https://accounts.google.com', subject: SUBJECT }]).failure, 'identity');
  });

  test('an anchored regular expression over the whole subject, or one of several identities, verifies', () => {
    assert.equal(
      verify([{ issuer: ISSUER, subjectRegExp: /https:\/\/github\.com\/sigstore-conformance\/.*@refs\/heads\/main/u }])
        .ok,
      true,
    );
    assert.equal(
      verify([
        { issuer: ISSUER, subject: 'nobody' },
        { issuer: ISSUER, subject: SUBJECT },
      ]).ok,
      true,
    );
  });

  test('a DSSE bundle checked against another subject digest fails', () => {
    const c = load(happy);
    const out = verifyBundle(c.bundle, c.root, {
      artifact: { digest: `sha256:${'0'.repeat(64)}` },
      identities: [c.identity],
    });
    assert.equal(out.ok, false);
    assert.equal(out.failure, 'subject');
  });

  test('a trusted root from another instance does not verify the bundle; a file that is no trusted root is an input error', () => {
    const c = load(happy);
    const otherRoot = load('managed-key-and-trusted-root').root;
    const out = verifyBundle(c.bundle, otherRoot, { artifact: { bytes: c.artifact }, identities: [c.identity] });
    assert.equal(out.ok, false);
    assert.throws(
      () => parseTrustedRoot({ mediaType: 'x' }, 'empty.json'),
      (e: unknown) => e instanceof CustomsError && e.code === 'TRUSTED_ROOT_INVALID',
    );
  });
});
