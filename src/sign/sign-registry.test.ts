/**
 * Signing and verifying against a real docker-registry (loopback, htpasswd):
 * the cosign tag layout written and read back, appended to, and what
 * verification says when the signature, the payload or the tag is tampered with.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Context, CustomsError } from '../core/index.js';
import {
  getBlob,
  getManifest,
  listReferrers,
  parseNormalizedReference,
  pushBlob,
  pushReferrer,
  putManifest,
  repositoryClient,
  RepositoryClients,
} from '../image/index.js';
import { BUNDLE_V03_MEDIA_TYPE, keyBundle } from './bundle.js';
import { imageStatement } from './dsse.js';
import { startRegistry, type TestRegistry } from '../image/test-support/test-registry.js';
import { appendAttachment, attachmentTag, readAttachments, SIGNATURE_ANNOTATION } from './cosign-layout.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from './keys.js';
import { SIMPLE_SIGNING_MEDIA_TYPE, simpleSigningPayload } from './simple-signing.js';
import { attestImage, signImage } from './sign-image.js';
import { dockerConfigFor, pushImage, registryContext, tempDir } from './test-support/registry-image.js';
import { openPolicyVerifier } from './policy-verifier.js';
import { parseTrustPolicy } from './trust-policy.js';
import { adHocRule, COSIGN_SIGN_PREDICATE, verifyImageAgainstPolicy, verifyImageWithRule } from './verify-image.js';

const work = tempDir('customs-sign-test-');
let reg: TestRegistry;
let ctx: Context;
const pw = 'correct horse';
const pairA = generateKeyPair(pw);
const pairB = generateKeyPair(pw);
const privA = loadPrivateKey(pairA.privateKey, pw, 'a.key');
const privB = loadPrivateKey(pairB.privateKey, pw, 'b.key');
const pubA = { name: 'a.pub', key: loadPublicKey(pairA.publicKey, 'a.pub') };
const pubB = { name: 'b.pub', key: loadPublicKey(pairB.publicKey, 'b.pub') };

before(async () => {
  reg = await startRegistry({ auth: 'htpasswd' });
  ctx = registryContext(work, dockerConfigFor(work, [reg]));
});
after(async () => {
  await reg?.stop();
  rmSync(work, { recursive: true, force: true });
});

const ruleA = adHocRule({ keys: [pubA], identities: [] });

describe('sign and verify with keys', () => {
  test('a signed image verifies with its key; not with another key (unverified)', async () => {
    await pushImage(reg, work, 'app/one:1', 'one');
    const image = `${reg.host}/app/one:1`;
    const signed = await signImage(image, privA, ctx);
    assert.match(signed.tag, /^sha256-[a-f0-9]{64}\.sig$/);
    const ok = await verifyImageWithRule(image, ruleA, { ctx });
    assert.equal(ok.status, 'verified', ok.reasons.join('; '));
    assert.equal(ok.digest, signed.digest);
    assert.deepEqual(
      ok.signatures.map((s) => [s.status, s.signer]),
      [['valid', 'a.pub']],
    );
    const other = await verifyImageWithRule(image, adHocRule({ keys: [pubB], identities: [] }), { ctx });
    assert.equal(other.status, 'unverified');
    assert.match(other.reasons.join('\n'), /0 of the 1 required trusted signer/);
    assert.match(other.reasons.join('\n'), /does not verify with any trusted key/);
  });

  test('an unsigned image is unverified: no signatures found', async () => {
    await pushImage(reg, work, 'app/unsigned:1', 'unsigned');
    const r = await verifyImageWithRule(`${reg.host}/app/unsigned:1`, ruleA, { ctx });
    assert.equal(r.status, 'unverified');
    assert.match(r.reasons[0] ?? '', /no signatures found/);
  });

  test('a second signature is appended to the same .sig manifest; minimum 2 needs both signers', async () => {
    await pushImage(reg, work, 'app/two:1', 'two');
    const image = `${reg.host}/app/two:1`;
    const s1 = await signImage(image, privA, ctx);
    const two = adHocRule({ keys: [pubA, pubB], identities: [] }, [], 2);
    assert.equal((await verifyImageWithRule(image, two, { ctx })).status, 'unverified');
    await signImage(image, privB, ctx);
    // Signing again with the same key adds nothing.
    await signImage(image, privB, ctx);
    const client = repositoryClient(parseNormalizedReference(image), ctx);
    try {
      const layers = await readAttachments(client, s1.digest, 'sig');
      assert.equal(layers.length, 2);
    } finally {
      await client.close();
    }
    const r = await verifyImageWithRule(image, two, { ctx });
    assert.equal(r.status, 'verified', r.reasons.join('; '));
  });

  test('a re-pushed tag (another digest) is unverified; a digest-pinned reference of the signed one still verifies', async () => {
    await pushImage(reg, work, 'app/moved:1', 'before');
    const image = `${reg.host}/app/moved:1`;
    const { digest } = await signImage(image, privA, ctx);
    await pushImage(reg, work, 'app/moved:1', 'after');
    const moved = await verifyImageWithRule(image, ruleA, { ctx });
    assert.notEqual(moved.digest, digest);
    assert.equal(moved.status, 'unverified');
    const pinned = await verifyImageWithRule(`${reg.host}/app/moved@${digest}`, ruleA, { ctx });
    assert.equal(pinned.status, 'verified', pinned.reasons.join('; '));
  });

  test('a valid signature over a payload naming another digest is invalid', async () => {
    await pushImage(reg, work, 'app/swap:1', 'swap-a');
    await pushImage(reg, work, 'app/swap:2', 'swap-b');
    const a = `${reg.host}/app/swap:1`;
    const b = `${reg.host}/app/swap:2`;
    const sa = await signImage(a, privA, ctx);
    const client = repositoryClient(parseNormalizedReference(b), ctx);
    try {
      const mb = await getManifest(client, '2');
      assert.ok(mb);
      // Copy image 1's signature manifest under image 2's .sig tag: a replayed signature.
      const sigManifest = await getManifest(client, attachmentTag(sa.digest, 'sig'));
      assert.ok(sigManifest);
      await putManifest(
        client,
        attachmentTag(mb.digest, 'sig'),
        sigManifest.bytes,
        'application/vnd.oci.image.manifest.v1+json',
      );
    } finally {
      await client.close();
    }
    const r = await verifyImageWithRule(b, ruleA, { ctx });
    assert.equal(r.status, 'invalid');
    assert.match(r.reasons.join('\n'), /names sha256:[a-f0-9]{64}, not this image's/);
  });

  test('a payload altered after signing fails the signature check; one made for another repository does not count', async () => {
    await pushImage(reg, work, 'app/alter:1', 'alter');
    const image = `${reg.host}/app/alter:1`;
    const { digest } = await signImage(image, privA, ctx);
    const client = repositoryClient(parseNormalizedReference(image), ctx);
    try {
      const [layer] = await readAttachments(client, digest, 'sig');
      assert.ok(layer);
      const altered = Buffer.from(layer.payload.toString('utf8').replace('app/alter:1', 'app/alter:2'));
      // Replace the manifest with one whose layer is the altered payload and the original signature.
      const blob = await pushBlob(client, altered);
      const m = await getManifest(client, attachmentTag(digest, 'sig'));
      assert.ok(m);
      const json = JSON.parse(m.bytes.toString('utf8'));
      json.layers[0] = { ...json.layers[0], digest: blob.digest, size: blob.size };
      await putManifest(client, attachmentTag(digest, 'sig'), Buffer.from(JSON.stringify(json)), json.mediaType);
      const r = await verifyImageWithRule(image, ruleA, { ctx });
      assert.equal(r.status, 'unverified');
      assert.match(r.reasons.join('\n'), /made with another key, or the payload was altered/);
      // A genuine signature by the trusted key, but for another repository.
      const elsewhere = simpleSigningPayload(`${reg.host}/other/repo:1`, digest);
      const { signBytes } = await import('./keys.js');
      await appendAttachment(client, digest, 'sig', {
        mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
        payload: elsewhere,
        annotations: { [SIGNATURE_ANNOTATION]: signBytes(privA, elsewhere).toString('base64') },
      });
      const r2 = await verifyImageWithRule(image, ruleA, { ctx });
      assert.equal(r2.status, 'unverified');
      assert.match(r2.reasons.join('\n'), /signed for .*other\/repo:1, not for /);
      assert.ok(await getBlob(client, blob));
    } finally {
      await client.close();
    }
  });
});

describe('attestations', () => {
  test('a cyclonedx attestation verifies for its type; another required type is missing', async () => {
    await pushImage(reg, work, 'app/att:1', 'att');
    const image = `${reg.host}/app/att:1`;
    await signImage(image, privA, ctx);
    await attestImage(image, privA, 'https://cyclonedx.org/bom', { bomFormat: 'CycloneDX', specVersion: '1.6' }, ctx);
    const cdx = adHocRule({ keys: [pubA], identities: [] }, [
      { type: 'cyclonedx', predicateType: 'https://cyclonedx.org/bom', minimum: 1 },
    ]);
    const r = await verifyImageWithRule(image, cdx, { ctx });
    assert.equal(r.status, 'verified', r.reasons.join('; '));
    assert.equal(r.attestations[0]?.predicateType, 'https://cyclonedx.org/bom');
    const verdict = adHocRule({ keys: [pubA], identities: [] }, [
      { type: 'customs-verdict', predicateType: 'https://customs.dev/attestation/verdict/v1', minimum: 1 },
    ]);
    const r2 = await verifyImageWithRule(image, verdict, { ctx });
    assert.equal(r2.status, 'unverified');
    assert.match(r2.reasons.join('\n'), /attestation customs-verdict .*0 verified, 1 required/);
    const wrongKey = adHocRule(
      { keys: [pubB], identities: [] },
      [{ type: 'cyclonedx', predicateType: 'https://cyclonedx.org/bom', minimum: 1 }],
      0,
    );
    assert.equal((await verifyImageWithRule(image, wrongKey, { ctx })).status, 'unverified');
  });
});

describe('sigstore bundles among the referrers', () => {
  test('sign --bundle pushes a bundle referrer (the referrers tag where the registry has no API) that verifies on its own', async () => {
    await pushImage(reg, work, 'app/bundle:1', 'bundle');
    const image = `${reg.host}/app/bundle:1`;
    const out = await signImage(image, privA, ctx, { bundle: true });
    assert.match(out.referrer ?? '', /^sha256:/);
    const client = repositoryClient(parseNormalizedReference(image), ctx);
    try {
      const refs = await listReferrers(client, out.digest, BUNDLE_V03_MEDIA_TYPE);
      assert.deepEqual(
        refs.map((r) => r.digest),
        [out.referrer],
      );
      // Drop the tag-layout signature: the bundle alone must carry the verification.
      const emptied = await getManifest(client, attachmentTag(out.digest, 'sig'));
      assert.ok(emptied);
      const json = JSON.parse(emptied.bytes.toString('utf8'));
      json.layers = [];
      await putManifest(client, attachmentTag(out.digest, 'sig'), Buffer.from(JSON.stringify(json)), json.mediaType);
    } finally {
      await client.close();
    }
    const r = await verifyImageWithRule(image, ruleA, { ctx });
    assert.equal(r.status, 'verified', r.reasons.join('; '));
    assert.deepEqual(
      r.signatures.map((s) => [s.format, s.status, s.signer]),
      [['sigstore-bundle', 'valid', 'a.pub']],
    );
    const other = await verifyImageWithRule(image, adHocRule({ keys: [pubB], identities: [] }), { ctx });
    assert.equal(other.status, 'unverified');
    assert.match(other.reasons.join('\n'), /a key that is not trusted/);
  });

  test('a bundle by the trusted key about another digest is invalid; a keyless bundle needs trusted identities', async () => {
    await pushImage(reg, work, 'app/bundle-bad:1', 'bundle-bad');
    const image = `${reg.host}/app/bundle-bad:1`;
    const client = repositoryClient(parseNormalizedReference(image), ctx);
    try {
      const m = await getManifest(client, '1');
      assert.ok(m);
      const subject = { digest: m.digest, mediaType: m.mediaType ?? '', size: m.bytes.length };
      const elsewhere = imageStatement(
        `${reg.host}/app/bundle-bad`,
        `sha256:${'0'.repeat(64)}`,
        COSIGN_SIGN_PREDICATE,
        {},
      );
      const bundle = Buffer.from(JSON.stringify(keyBundle(privA, pubA.key, elsewhere)));
      await pushReferrer(client, subject, BUNDLE_V03_MEDIA_TYPE, { bytes: bundle, mediaType: BUNDLE_V03_MEDIA_TYPE });
    } finally {
      await client.close();
    }
    const r = await verifyImageWithRule(image, ruleA, { ctx });
    assert.equal(r.status, 'invalid');
    assert.match(r.reasons.join('\n'), /subjects do not include/);
  });

  test('a keyless bundle (sigstore conformance data) among the referrers: checked against the trusted root and identities', async () => {
    await pushImage(reg, work, 'app/keyless:1', 'keyless');
    const image = `${reg.host}/app/keyless:1`;
    const fixture = new URL('../../test/fixtures/sigstore-conformance/intoto-with-custom-trust-root/', import.meta.url);
    const client = repositoryClient(parseNormalizedReference(image), ctx);
    try {
      const m = await getManifest(client, '1');
      assert.ok(m);
      const bundle = readFileSync(new URL('bundle.sigstore.json', fixture));
      await pushReferrer(
        client,
        { digest: m.digest, mediaType: m.mediaType ?? '', size: m.bytes.length },
        BUNDLE_V03_MEDIA_TYPE,
        {
          bytes: bundle,
          mediaType: BUNDLE_V03_MEDIA_TYPE,
        },
      );
    } finally {
      await client.close();
    }
    const keysOnly = await verifyImageWithRule(image, ruleA, { ctx });
    assert.equal(keysOnly.status, 'unverified');
    assert.match(keysOnly.reasons.join('\n'), /a keyless bundle, and no identities are trusted/);
    const keyless = adHocRule({
      keys: [],
      identities: [{ issuer: 'https://token.actions.githubusercontent.com', subjectRegExp: /.*/u }],
      trustedRoot: {
        path: 'trusted_root.json',
        json: JSON.parse(readFileSync(new URL('trusted_root.json', fixture), 'utf8')),
      },
    });
    // The bundle is genuine but its statement is about another artifact, not this image.
    const r = await verifyImageWithRule(image, keyless, { ctx });
    assert.equal(r.status, 'invalid');
    assert.match(r.reasons.join('\n'), /subjects do not include sha256:/);
  });
});

describe('trust policy and hostile signature manifests', () => {
  test('verifyImageAgainstPolicy: the first matching rule decides; an image no rule covers is unverified without a registry request', async () => {
    await pushImage(reg, work, 'prod/app:1', 'policy');
    const image = `${reg.host}/prod/app:1`;
    await signImage(image, privA, ctx);
    const keyFile = join(work, 'a.pub');
    writeFileSync(keyFile, pairA.publicKey);
    writeFileSync(join(work, 'b.pub'), pairB.publicKey);
    const policy = parseTrustPolicy(
      `version: 1\nrules:\n  - name: prod\n    images: ["${reg.host}/prod/*"]\n    signatures: {keys: [a.pub]}\n  - name: rest\n    images: ["${reg.host}/**"]\n    signatures: {keys: [b.pub]}\n`,
      'trust.yaml',
      work,
      (p) => readFileSync(p, 'utf8'),
    );
    const ok = await verifyImageAgainstPolicy(image, policy, { ctx });
    assert.equal(ok.status, 'verified', ok.reasons.join('; '));
    assert.equal(ok.rule, 'prod');
    // Clients the caller keeps are reused, not closed, across calls.
    const clients = new RepositoryClients(ctx);
    try {
      for (let i = 0; i < 2; i++) {
        const again = await verifyImageAgainstPolicy(image, policy, {
          ctx,
          clients,
          ...(ok.digest ? { digest: ok.digest } : {}),
        });
        assert.equal(again.status, 'verified');
      }
    } finally {
      await clients.close();
    }
    await pushImage(reg, work, 'dev/app:1', 'policy-dev');
    await signImage(`${reg.host}/dev/app:1`, privA, ctx);
    const dev = await verifyImageAgainstPolicy(`${reg.host}/dev/app:1`, policy, { ctx });
    assert.equal(dev.rule, 'rest');
    assert.equal(dev.status, 'unverified');
    const none = await verifyImageAgainstPolicy('unreachable.invalid/x/y:1', policy, { ctx });
    assert.equal(none.status, 'unverified');
    assert.equal(none.rule, undefined);
    assert.match(none.reasons[0] ?? '', /no rule of the trust policy trust\.yaml matches unreachable\.invalid\/x\/y/);
  });

  test('garbage layers in a .sig manifest are reported, never thrown; at most 64 layers are read', async () => {
    await pushImage(reg, work, 'app/hostile:1', 'hostile');
    const image = `${reg.host}/app/hostile:1`;
    const { digest } = await signImage(image, privA, ctx);
    const client = repositoryClient(parseNormalizedReference(image), ctx);
    try {
      const layer = async (mediaType: string, payload: Buffer, annotations: Record<string, string>) => ({
        mediaType,
        ...(await pushBlob(client, payload)),
        annotations,
      });
      const m = await getManifest(client, attachmentTag(digest, 'sig'));
      assert.ok(m);
      const json = JSON.parse(m.bytes.toString('utf8'));
      const junk = [
        await layer(SIMPLE_SIGNING_MEDIA_TYPE, Buffer.from('{"critical":'), {
          [SIGNATURE_ANNOTATION]: '!!!not base64',
        }),
        await layer(SIMPLE_SIGNING_MEDIA_TYPE, Buffer.from('x'.repeat(1000)), {}),
        await layer('application/octet-stream', Buffer.from('\u0000\u0001'), { [SIGNATURE_ANNOTATION]: 'AAAA' }),
      ];
      // Junk first, the genuine signature after 70 of them: past the cap it is not read.
      const many = Array.from({ length: 70 }, (_, i) => junk[i % junk.length]);
      json.layers = [...many, ...json.layers];
      await putManifest(client, attachmentTag(digest, 'sig'), Buffer.from(JSON.stringify(json)), json.mediaType);
    } finally {
      await client.close();
    }
    const r = await verifyImageWithRule(image, ruleA, { ctx });
    assert.equal(r.signatures.length, 64);
    assert.ok(r.signatures.every((s) => s.status !== 'valid'));
    assert.ok(
      r.signatures.some(
        (s) => s.status === 'invalid' && /no dev\.cosignproject\.cosign\/signature annotation/.test(s.reason ?? ''),
      ),
    );
    assert.ok(
      r.signatures.some((s) => s.status === 'untrusted' && /not a simple-signing payload/.test(s.reason ?? '')),
    );
    assert.equal(r.status, 'invalid');
  });
});

describe('openPolicyVerifier', () => {
  test('verifies with the file in force, reloads it (a broken file keeps the old policy), honours a per-call abort', async () => {
    await pushImage(reg, work, 'svc/app:1', 'service');
    const image = `${reg.host}/svc/app:1`;
    const { digest } = await signImage(image, privA, ctx);
    writeFileSync(join(work, 'a.pub'), pairA.publicKey);
    writeFileSync(join(work, 'b.pub'), pairB.publicKey);
    const file = join(work, 'svc-trust.yaml');
    const policyWith = (key: string) =>
      `version: 1\nrules:\n  - name: svc\n    images: ["**"]\n    signatures: {keys: [${key}]}\n`;
    writeFileSync(file, policyWith('a.pub'));
    const v = await openPolicyVerifier(file, ctx);
    try {
      assert.equal((await v.verify(image, digest)).status, 'verified');
      writeFileSync(file, policyWith('b.pub'));
      await v.reload();
      assert.equal((await v.verify(image, digest)).status, 'unverified');
      writeFileSync(file, 'version: 2');
      await assert.rejects(v.reload(), (e: unknown) => e instanceof CustomsError && e.code === 'TRUST_POLICY_INVALID');
      assert.equal(v.policy.rules[0]?.signers.keys[0]?.name, 'b.pub');
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(
        v.verify(image, digest, aborted.signal),
        (e: unknown) => e instanceof CustomsError && e.code === 'ABORTED',
      );
    } finally {
      await v.close();
    }
  });
});
