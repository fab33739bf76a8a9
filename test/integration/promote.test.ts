/**
 * `customs promote` across two real docker-registry instances, each with its
 * own htpasswd credentials (one docker config holds both logins): the demo
 * image is gated with the DB imported from test/feeds; a failing gate refuses
 * (exit 1, the rule named, nothing written); a passing one copies by digest
 * (streamed across registries, mounted within one), signs the destination and
 * attaches the SBOM and the verdict, which `customs verify` and
 * `customs verify-attestation` accept there.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildDemoImage } from '../../demo/build-demo-image.js';
import { createContext } from '../../src/core/index.js';
import { getManifest, parseNormalizedReference, repositoryClient } from '../../src/image/index.js';
import { attachmentTag, readAttachments } from '../../src/sign/index.js';
import { freshDir, REPO_ROOT, runCustoms } from '../support/images.js';
import { pushLayout, startRegistry, type TestRegistry } from '../support/registry.js';

let work = '';
let env: NodeJS.ProcessEnv = {};
let staging: TestRegistry;
let prod: TestRegistry;

const FAIL_CRITICAL = `apiVersion: customs/v1
kind: Policy
rules:
  - id: no-critical
    action: fail
    message: No critical vulnerabilities.
    vulnerabilities: {minSeverity: critical}
`;
const PASS_KEV = `apiVersion: customs/v1
kind: Policy
rules:
  - id: no-kev
    action: fail
    message: Nothing known to be exploited.
    vulnerabilities: {kev: true, minSeverity: critical, packageTypes: [os]}
`;

before(async () => {
  work = await freshDir('promote');
  [staging, prod] = await Promise.all([startRegistry({ auth: 'htpasswd' }), startRegistry({ auth: 'htpasswd' })]);
  assert.notEqual(staging.password, prod.password);
  const docker = join(work, 'docker');
  mkdirSync(docker, { recursive: true });
  const auth = (r: TestRegistry) => ({ auth: Buffer.from(`${r.username}:${r.password}`).toString('base64') });
  writeFileSync(
    join(docker, 'config.json'),
    JSON.stringify({ auths: { [staging.host]: auth(staging), [prod.host]: auth(prod) } }),
  );
  env = {
    DOCKER_CONFIG: docker,
    CUSTOMS_CACHE_DIR: join(work, 'cache'),
    CUSTOMS_DB_DIR: join(work, 'db'),
    COSIGN_PASSWORD: 'promote',
  };
  const db = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '-q'], env);
  assert.equal(db.code, 0, db.stderr);
  await buildDemoImage(join(REPO_ROOT, 'demo', 'rootfs-layers'), join(work, 'image'));
  await pushLayout(staging, join(work, 'image'), 'team/app:1.0');
  const keys = await runCustoms(['sign', 'generate-key-pair', '--output-key-prefix', join(work, 'release')], env);
  assert.equal(keys.code, 0, keys.stderr);
  writeFileSync(join(work, 'fail.yaml'), FAIL_CRITICAL);
  writeFileSync(join(work, 'pass.yaml'), PASS_KEV);
});
after(async () => {
  await Promise.all([staging?.stop(), prod?.stop()]);
});

function ctx() {
  return createContext({
    config: { dockerConfig: join(work, 'docker', 'config.json'), cacheDir: join(work, 'cache') },
  });
}

async function tags(reg: TestRegistry, repo: string, tag: string) {
  const client = repositoryClient(parseNormalizedReference(`${reg.host}/${repo}`), ctx());
  try {
    return await getManifest(client, tag);
  } finally {
    await client.close();
  }
}

describe('customs promote', () => {
  test('a failing gate refuses with exit 1 and the rule; nothing reaches the destination', async () => {
    const r = await runCustoms(
      [
        'promote',
        `${staging.host}/team/app:1.0`,
        `${prod.host}/prod/app:1.0`,
        '--policy',
        join(work, 'fail.yaml'),
        '--key',
        join(work, 'release.key'),
        '-q',
      ],
      env,
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /promotion refused: gate failed: no-critical \(\d+ findings?\)/);
    assert.equal(await tags(prod, 'prod/app', '1.0'), undefined);
  });

  test('a passing gate copies across registries by digest, signs, and attaches the SBOM and the verdict', async () => {
    const r = await runCustoms(
      [
        'promote',
        `${staging.host}/team/app:1.0`,
        `${prod.host}/prod/app:1.0`,
        '--policy',
        join(work, 'pass.yaml'),
        '--key',
        join(work, 'release.key'),
        '-q',
        '-f',
        'json',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.status, 'promoted');
    assert.equal(out.verdict.status, 'pass');
    // Different registries: every blob streamed (config + layers), none mounted.
    assert.equal(out.copy.blobs.mounted, 0);
    assert.ok(out.copy.blobs.streamed >= 2);
    const src = await tags(staging, 'team/app', '1.0');
    const dst = await tags(prod, 'prod/app', '1.0');
    assert.ok(src && dst);
    assert.equal(dst.digest, src.digest, 'same bytes, same digest');
    assert.ok(dst.bytes.equals(src.bytes));
    const pub = join(work, 'release.pub');
    const v = await runCustoms(['verify', `${prod.host}/prod/app:1.0`, '--key', pub], env);
    assert.equal(v.code, 0, v.stderr);
    const a = await runCustoms(
      [
        'verify-attestation',
        `${prod.host}/prod/app:1.0`,
        '--key',
        pub,
        '--type',
        'cyclonedx',
        '--type',
        'customs-verdict',
        '-f',
        'json',
      ],
      env,
    );
    assert.equal(a.code, 0, a.stderr + a.stdout);
    const client = repositoryClient(parseNormalizedReference(`${prod.host}/prod/app`), ctx());
    try {
      const atts = await readAttachments(client, dst.digest, 'att');
      const types = atts.map((x) => x.annotations.predicateType).sort();
      assert.deepEqual(types, ['https://customs.dev/attestation/verdict/v1', 'https://cyclonedx.org/bom']);
      const verdictEnv = JSON.parse(
        atts.find((x) => x.annotations.predicateType?.includes('verdict'))?.payload.toString() ?? '{}',
      );
      const statement = JSON.parse(Buffer.from(verdictEnv.payload, 'base64').toString());
      assert.equal(statement.predicate.verdict.status, 'pass');
      assert.equal(statement.subject[0].digest.sha256, dst.digest.slice('sha256:'.length));
      assert.ok(await getManifest(client, attachmentTag(dst.digest, 'sig')));
    } finally {
      await client.close();
    }
    // The source is untouched: no signature was written there.
    assert.equal(await tags(staging, 'team/app', attachmentTag(dst.digest, 'sig')), undefined);
  });

  test('within one registry the blobs are mounted across repositories, not copied', async () => {
    const r = await runCustoms(
      [
        'promote',
        `${staging.host}/team/app:1.0`,
        `${staging.host}/released/app:1.0`,
        '--policy',
        join(work, 'pass.yaml'),
        '--key',
        join(work, 'release.key'),
        '-q',
        '-f',
        'json',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.copy.blobs.streamed, 0);
    assert.ok(out.copy.blobs.mounted >= 2);
  });

  test('with a trust policy, an unsigned source is refused before the gate', async () => {
    writeFileSync(
      join(work, 'trust.yaml'),
      `version: 1\nrules:\n  - name: staging\n    images: ["${staging.host}/**"]\n    signatures:\n      keys: [release.pub]\n`,
    );
    const r = await runCustoms(
      [
        'promote',
        `${staging.host}/team/app:1.0`,
        `${prod.host}/prod/other:1.0`,
        '--policy',
        join(work, 'pass.yaml'),
        '--trust-policy',
        join(work, 'trust.yaml'),
        '--key',
        join(work, 'release.key'),
        '-q',
      ],
      env,
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /promotion refused: .* is unverified under the trust policy; no signatures found/);
    assert.equal(await tags(prod, 'prod/other', '1.0'), undefined);
  });
});
