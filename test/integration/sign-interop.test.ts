/**
 * cosign-layout interoperability with Debian's skopeo and a docker-registry on
 * loopback: skopeo (use-sigstore-attachments) reads the signature manifest
 * customs pushed and writes it at another repository, where customs reads it
 * back. Debian builds skopeo with its sigstore signing and verification
 * disabled ("Debian-local change: sigstore disabled"), so the signatures
 * skopeo and cosign make are checked from containers/image's own fixtures
 * instead (cosign-fixtures.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../src/core/index.js';
import { getManifest, parseNormalizedReference, repositoryClient } from '../../src/image/index.js';
import { writeOciLayout } from '../../src/image/test-support/image-fixtures.js';
import { attachmentTag } from '../../src/sign/index.js';
import { REPO_ROOT, run, runCustoms } from '../support/images.js';
import { pushLayout, startRegistry, type TestRegistry } from '../support/registry.js';

const work = mkdtempSync(join(tmpdir(), 'customs-sign-interop-'));
const password = 'interop password';
let reg: TestRegistry;
const env = { COSIGN_PASSWORD: password, CUSTOMS_CACHE_DIR: join(work, 'cache') };

function layout(marker: string): string {
  const dir = mkdtempSync(join(work, 'layout-'));
  writeOciLayout(dir, [
    { image: { layers: [{ files: [{ path: 'etc/motd', data: `${marker}\n` }], compression: 'gzip' }] } },
  ]);
  return dir;
}

/** skopeo's configuration: sigstore attachments on for the test registry, and a policy. */
function skopeoConfig(policy: unknown): string[] {
  const dir = mkdtempSync(join(work, 'skopeo-'));
  writeFileSync(join(dir, 'registries.yaml'), `docker:\n  ${reg.host}:\n    use-sigstore-attachments: true\n`);
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy));
  return ['--registries.d', dir, '--policy', join(dir, 'policy.json')];
}

before(async () => {
  reg = await startRegistry();
  const gen = await runCustoms(['sign', 'generate-key-pair', '--output-key-prefix', join(work, 'customs')], env);
  assert.equal(gen.code, 0, gen.stderr);
  const gen2 = await runCustoms(['sign', 'generate-key-pair', '--output-key-prefix', join(work, 'other')], env);
  assert.equal(gen2.code, 0, gen2.stderr);
});
after(async () => {
  await reg?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('skopeo carries customs signatures', () => {
  test("skopeo copy (use-sigstore-attachments) reads customs' .sig manifest and writes it at the destination; customs reads it there", async () => {
    await pushLayout(reg, layout('carried'), 'interop/carried:1');
    const signed = await runCustoms(
      ['sign', `${reg.host}/interop/carried:1`, '--key', join(work, 'customs.key'), '--json'],
      env,
    );
    assert.equal(signed.code, 0, signed.stderr);
    const { digest } = JSON.parse(signed.stdout) as { digest: `sha256:${string}` };
    const insecure = { default: [{ type: 'insecureAcceptAnything' }] };
    await run('skopeo', [
      ...skopeoConfig(insecure),
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${reg.host}/interop/carried:1`,
      `docker://${reg.host}/mirror/carried:1`,
    ]);
    const ctx = createContext({ config: { dockerConfig: join(work, 'none.json'), cacheDir: join(work, 'cache') } });
    const layersAt = async (repo: string): Promise<unknown> => {
      const client = repositoryClient(parseNormalizedReference(`${reg.host}/${repo}`), ctx);
      try {
        const m = await getManifest(client, attachmentTag(digest, 'sig'));
        assert.ok(m, `no signature manifest in ${repo}`);
        return JSON.parse(m.bytes.toString('utf8')).layers;
      } finally {
        await client.close();
      }
    };
    // The same payload blob and signature annotation: skopeo parsed customs' layout as its own.
    assert.deepEqual(await layersAt('mirror/carried'), await layersAt('interop/carried'));
    const pub = join(work, 'customs.pub');
    const atSource = await runCustoms(['verify', `${reg.host}/interop/carried:1`, '--key', pub], env);
    assert.equal(atSource.code, 0, atSource.stderr);
    // At the mirror the signature verifies but names the source repository: it is no statement about the mirror.
    const atMirror = await runCustoms(['verify', `${reg.host}/mirror/carried:1`, '--key', pub, '-f', 'json'], env);
    assert.equal(atMirror.code, 1);
    const v = JSON.parse(atMirror.stdout);
    assert.equal(v.status, 'unverified');
    assert.equal(v.signatures[0].signer, pub);
    assert.match(v.signatures[0].reason, /signed for .*interop\/carried:1, not for .*mirror\/carried/);
  });
});

describe('customs verify on the command line', () => {
  test('exit 0 with the key that signed; exit 1 naming the reason with another key, or for an unsigned image', async () => {
    await pushLayout(reg, layout('cli-signed'), 'interop/cli:1');
    await pushLayout(reg, layout('cli-unsigned'), 'interop/cli:unsigned');
    const signed = await runCustoms(['sign', `${reg.host}/interop/cli:1`, '--key', join(work, 'customs.key')], env);
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(signed.stdout, /^Signed .*interop\/cli:1@sha256:[a-f0-9]{64} \(sha256-[a-f0-9]{64}\.sig\)/);
    const ok = await runCustoms(['verify', `${reg.host}/interop/cli:1`, '--key', join(work, 'customs.pub')], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /: verified \(rule "command line"\)\n {2}signed by /);
    const other = await runCustoms(['verify', `${reg.host}/interop/cli:1`, '--key', join(work, 'other.pub')], env);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /is unverified: 0 of the 1 required trusted signer/);
    const unsigned = await runCustoms(
      ['verify', `${reg.host}/interop/cli:unsigned`, '--key', join(work, 'customs.pub')],
      env,
    );
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stderr, /no signatures found/);
    const wrongPassword = await runCustoms(['sign', `${reg.host}/interop/cli:1`, '--key', join(work, 'customs.key')], {
      ...env,
      COSIGN_PASSWORD: 'wrong',
    });
    assert.equal(wrongPassword.code, 3);
    assert.match(wrongPassword.stderr, /the password does not decrypt this key\n.*\[SIGN_KEY_PASSWORD\]/);
    const noTrust = await runCustoms(['verify', `${reg.host}/interop/cli:1`], env);
    assert.equal(noTrust.code, 2);
    // Keyless flags: the trusted root alone is a usage error; a root that is not JSON an input error;
    // a key-signed image checked for a keyless identity is unverified.
    const rootOnly = await runCustoms(
      ['verify', `${reg.host}/interop/cli:1`, '--trusted-root', join(work, 'none.json')],
      env,
    );
    assert.equal(rootOnly.code, 2);
    assert.match(rootOnly.stderr, /--trusted-root needs the identity to trust/);
    const keyless = ['--certificate-identity', 'a@example.com', '--certificate-oidc-issuer', 'https://issuer.example'];
    writeFileSync(join(work, 'not-json.json'), '{');
    const badRoot = await runCustoms(
      ['verify', `${reg.host}/interop/cli:1`, ...keyless, '--trusted-root', join(work, 'not-json.json')],
      env,
    );
    assert.equal(badRoot.code, 3);
    assert.match(badRoot.stderr, /TRUSTED_ROOT_INVALID/);
    const root = join(
      REPO_ROOT,
      'test',
      'fixtures',
      'sigstore-conformance',
      'intoto-with-custom-trust-root',
      'trusted_root.json',
    );
    const notKeyless = await runCustoms(
      ['verify', `${reg.host}/interop/cli:1`, ...keyless, '--trusted-root', root],
      env,
    );
    assert.equal(notKeyless.code, 1);
    assert.match(notKeyless.stdout, /unverified/);
  });
});

describe('attest, verify-attestation and verify --policy on the command line', () => {
  test('an attested SBOM verifies by type; a missing type exits 1 naming it; a trust policy decides by its rule', async () => {
    await pushLayout(reg, layout('attested'), 'interop/attested:1');
    const image = `${reg.host}/interop/attested:1`;
    const predicate = join(work, 'sbom.cdx.json');
    writeFileSync(
      predicate,
      JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] }),
    );
    const att = await runCustoms(
      ['attest', image, '--predicate', predicate, '--type', 'cyclonedx', '--key', join(work, 'customs.key')],
      env,
    );
    assert.equal(att.code, 0, att.stderr);
    assert.match(att.stdout, /^Attested .*: https:\/\/cyclonedx\.org\/bom \(sha256-[a-f0-9]{64}\.att\)/);
    const pub = join(work, 'customs.pub');
    const ok = await runCustoms(['verify-attestation', image, '--key', pub, '--type', 'cyclonedx'], env);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const missing = await runCustoms(
      ['verify-attestation', image, '--key', pub, '--type', 'cyclonedx', '--type', 'customs-verdict'],
      env,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /attestation customs-verdict .*0 verified, 1 required/);
    const badType = await runCustoms(
      ['attest', image, '--predicate', predicate, '--type', 'sbom', '--key', join(work, 'customs.key')],
      env,
    );
    assert.equal(badType.code, 2);
    const policy = join(work, 'trust.yaml');
    writeFileSync(
      policy,
      `version: 1\nrules:\n  - name: interop\n    images: ["${reg.host}/interop/*"]\n    signatures: {keys: [customs.pub]}\n    attestations: [{type: cyclonedx}]\n`,
    );
    // Attested but not signed: the rule wants both.
    const unsigned = await runCustoms(['verify', image, '--policy', policy, '-f', 'json'], env);
    assert.equal(unsigned.code, 1);
    assert.equal(JSON.parse(unsigned.stdout).rule, 'interop');
    assert.equal((await runCustoms(['sign', image, '--key', join(work, 'customs.key')], env)).code, 0);
    const signed = await runCustoms(['verify', image, '--policy', policy], env);
    assert.equal(signed.code, 0, signed.stderr + signed.stdout);
    assert.match(signed.stdout, /verified \(rule "interop"\)/);
  });
});
