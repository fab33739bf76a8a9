/**
 * Against the real thing: Debian's docker-registry (CNCF distribution 2.8)
 * started on loopback, populated with skopeo. Missing tools fail the tests.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Context, CustomsError, createContext, type ErrorCode } from '../../core/index.js';
import { openImage } from '../open-image.js';
import { listTar, readAll, writeOciLayout } from '../test-support/image-fixtures.js';
import { pushLayout, startRegistry, type TestRegistry } from '../test-support/test-registry.js';
import type { Image } from '../types.js';

const work = mkdtempSync(join(tmpdir(), 'customs-registry-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const noConfig = join(work, 'no-docker-config.json');

function ctx(
  config: Parameters<typeof createContext>[0] extends infer T
    ? T extends { config?: infer C }
      ? C
      : never
    : never = {},
): Context {
  return createContext({ config: { cacheDir: join(work, 'cache'), dockerConfig: noConfig, ...config } });
}

function isCode(code: ErrorCode, re?: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    if (!(e instanceof CustomsError)) return false;
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

async function fileOf(img: Image, path: string): Promise<string | undefined> {
  for (const l of img.layers) {
    const hit = listTar(await readAll(await l.open())).find((e) => e.name === path);
    if (hit) return hit.data.toString('utf8');
  }
  return undefined;
}

const single = join(work, 'single');
const multi = join(work, 'multi');
before(() => {
  writeOciLayout(single, [
    {
      image: {
        layers: [
          { files: [{ path: 'etc/os-release', data: 'ID=debian\n' }], compression: 'gzip' },
          { files: [{ path: 'app/z', data: 'zstd layer' }], compression: 'zstd' },
        ],
      },
    },
  ]);
  writeOciLayout(
    multi,
    [
      { image: { architecture: 'amd64', layers: [{ files: [{ path: 'arch', data: 'amd64' }] }] } },
      { image: { architecture: 'arm64', variant: 'v8', layers: [{ files: [{ path: 'arch', data: 'arm64' }] }] } },
    ],
    { nested: true },
  );
});

describe('registry: anonymous, plain HTTP on loopback', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry();
    await pushLayout(reg, single, 'team/app:1');
    await pushLayout(reg, multi, 'multi:1', { all: true });
  });
  after(async () => reg.stop());

  test('pulls a single-platform image by tag, verified, with zstd and gzip layers', async () => {
    const img = await openImage(`registry:${reg.host}/team/app:1`, ctx());
    try {
      assert.equal(img.transport, 'registry');
      assert.equal(img.name, `${reg.host}/team/app:1`);
      assert.deepEqual(img.repoTags, [`${reg.host}/team/app:1`]);
      assert.match(img.repoDigests[0] ?? '', new RegExp(`^${reg.host}/team/app@sha256:[a-f0-9]{64}$`));
      assert.equal(await fileOf(img, 'etc/os-release'), 'ID=debian\n');
      assert.equal(await fileOf(img, 'app/z'), 'zstd layer');
    } finally {
      await img.close();
    }
  });

  test('pulls by digest, and docker:// and bare references resolve to the registry', async () => {
    const byTag = await openImage(`docker://${reg.host}/team/app:1`, ctx());
    const digest = byTag.manifestDigest;
    assert.ok(digest);
    const byDigest = await openImage(
      `${reg.host}/team/app@${digest}`,
      ctx({ dockerHost: `unix://${join(work, 'no-docker.sock')}` }),
    );
    assert.equal(byDigest.configDigest, byTag.configDigest);
    assert.equal(byDigest.name, `${reg.host}/team/app@${digest}`);
    await byTag.close();
    await byDigest.close();
  });

  test('a digest that does not match the manifest is refused', async () => {
    const wrong = `sha256:${'0'.repeat(64)}`;
    await assert.rejects(openImage(`registry:${reg.host}/team/app@${wrong}`, ctx()), isCode('IMAGE_NOT_FOUND'));
  });

  test('manifest list pushed with skopeo --all: host platform by default, --platform, error listing platforms', async () => {
    const amd = await openImage(`registry:${reg.host}/multi:1`, ctx({ platform: 'linux/amd64' }));
    assert.equal(await fileOf(amd, 'arch'), 'amd64');
    const arm = await openImage(`registry:${reg.host}/multi:1`, ctx({ platform: 'linux/arm64' }));
    assert.equal(await fileOf(arm, 'arch'), 'arm64');
    assert.notEqual(amd.manifestDigest, arm.manifestDigest);
    assert.equal(amd.repoDigests[0], arm.repoDigests[0]); // the index digest
    await assert.rejects(
      openImage(`registry:${reg.host}/multi:1`, ctx({ platform: 'linux/ppc64le' })),
      isCode('IMAGE_PLATFORM_NOT_FOUND', /linux\/amd64, linux\/arm64\/v8/),
    );
    await amd.close();
    await arm.close();
  });

  test('unknown tag and unknown repository are IMAGE_NOT_FOUND quoting the registry', async () => {
    await assert.rejects(
      openImage(`registry:${reg.host}/team/app:nope`, ctx()),
      isCode('IMAGE_NOT_FOUND', /MANIFEST_UNKNOWN/),
    );
    await assert.rejects(
      openImage(`registry:${reg.host}/nobody/here:1`, ctx()),
      isCode('IMAGE_NOT_FOUND', /NAME_UNKNOWN|MANIFEST_UNKNOWN/),
    );
  });

  test('nothing listening is REGISTRY_UNREACHABLE', async () => {
    const port = reg.port === 1 ? 2 : 1;
    await assert.rejects(
      openImage(`registry:127.0.0.1:${port}/x:1`, ctx()),
      isCode('REGISTRY_UNREACHABLE', /127\.0\.0\.1/),
    );
  });
});

describe('registry: htpasswd basic auth', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry({ auth: 'htpasswd' });
    await pushLayout(reg, single, 'private/app:1');
  });
  after(async () => reg.stop());

  test('credentials from the docker config auths (base64 auth)', async () => {
    const cfg = join(work, 'basic-config.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        auths: { [reg.host]: { auth: Buffer.from(`${reg.username}:${reg.password}`).toString('base64') } },
      }),
    );
    const img = await openImage(`registry:${reg.host}/private/app:1`, ctx({ dockerConfig: cfg }));
    assert.equal(await fileOf(img, 'etc/os-release'), 'ID=debian\n');
    await img.close();
  });

  test('credentials from the docker config auths (username/password, http:// key)', async () => {
    const cfg = join(work, 'basic-config2.json');
    writeFileSync(
      cfg,
      JSON.stringify({ auths: { [`http://${reg.host}/v2/`]: { username: reg.username, password: reg.password } } }),
    );
    const img = await openImage(`registry:${reg.host}/private/app:1`, ctx({ dockerConfig: cfg }));
    assert.ok(img.layers.length === 2);
    await img.close();
  });

  test('credentials from a credential helper (docker-credential-NAME get)', async () => {
    const bin = join(work, 'bin');
    const { mkdirSync, chmodSync } = await import('node:fs');
    mkdirSync(bin, { recursive: true });
    const helper = join(bin, 'docker-credential-customstest');
    writeFileSync(
      helper,
      `#!/bin/sh\nread server\n[ "$1" = get ] && [ "$server" = "${reg.host}" ] && echo '{"ServerURL":"${reg.host}","Username":"${reg.username}","Secret":"${reg.password}"}' && exit 0\necho "credentials not found in native keychain"; exit 1\n`,
    );
    chmodSync(helper, 0o755);
    const cfg = join(work, 'helper-config.json');
    writeFileSync(cfg, JSON.stringify({ credHelpers: { [reg.host]: 'customstest' } }));
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath ?? ''}`;
    try {
      const img = await openImage(`registry:${reg.host}/private/app:1`, ctx({ dockerConfig: cfg }));
      assert.equal(await fileOf(img, 'app/z'), 'zstd layer');
      await img.close();
    } finally {
      process.env.PATH = oldPath;
    }
  });

  test('no credentials or a wrong password is REGISTRY_AUTH_FAILED naming registry and repository', async () => {
    await assert.rejects(
      openImage(`registry:${reg.host}/private/app:1`, ctx()),
      isCode('REGISTRY_AUTH_FAILED', new RegExp(`${reg.host}.*private/app`)),
    );
    const cfg = join(work, 'wrong-config.json');
    writeFileSync(cfg, JSON.stringify({ auths: { [reg.host]: { username: reg.username, password: 'wrong' } } }));
    await assert.rejects(
      openImage(`registry:${reg.host}/private/app:1`, ctx({ dockerConfig: cfg })),
      isCode('REGISTRY_AUTH_FAILED', new RegExp(`${reg.host}.*private/app`)),
    );
  });
});

describe('registry: bearer token flow (token server in the test, ES256 JWT)', () => {
  for (const tokenField of ['token', 'access_token'] as const) {
    test(`pulls with a token from the realm (answer field "${tokenField}"), using basic credentials from the env`, async () => {
      const reg = await startRegistry({ auth: 'token', tokenField });
      try {
        await pushLayout(reg, single, 'tok/app:1');
        const before = reg.tokenRequests.length;
        process.env.CUSTOMS_REGISTRY_HOST = reg.host;
        process.env.CUSTOMS_REGISTRY_USERNAME = reg.username;
        process.env.CUSTOMS_REGISTRY_PASSWORD = reg.password;
        const img = await openImage(`registry:${reg.host}/tok/app:1`, ctx());
        assert.equal(await fileOf(img, 'etc/os-release'), 'ID=debian\n');
        await img.close();
        const mine = reg.tokenRequests.slice(before);
        assert.ok(mine.length >= 1);
        assert.equal(mine[0]?.scope, 'repository:tok/app:pull');
        assert.equal(mine[0]?.service, 'customs-test-registry');
        process.env.CUSTOMS_REGISTRY_PASSWORD = 'wrong';
        await assert.rejects(
          openImage(`registry:${reg.host}/tok/app:1`, ctx()),
          isCode('REGISTRY_AUTH_FAILED', /tok\/app/),
        );
      } finally {
        delete process.env.CUSTOMS_REGISTRY_HOST;
        delete process.env.CUSTOMS_REGISTRY_USERNAME;
        delete process.env.CUSTOMS_REGISTRY_PASSWORD;
        await reg.stop();
      }
    });
  }

  test('environment credentials bound to another host are not sent to this registry or its realm', async () => {
    const reg = await startRegistry({ auth: 'token' });
    try {
      await pushLayout(reg, single, 'tok/app:1');
      const before = reg.tokenRequests.length;
      process.env.CUSTOMS_REGISTRY_HOST = 'registry.example.com';
      process.env.CUSTOMS_REGISTRY_USERNAME = reg.username;
      process.env.CUSTOMS_REGISTRY_PASSWORD = reg.password;
      await assert.rejects(
        openImage(`registry:${reg.host}/tok/app:1`, ctx()),
        isCode('REGISTRY_AUTH_FAILED', /anonymous access/),
      );
      const mine = reg.tokenRequests.slice(before);
      assert.ok(mine.length >= 1);
      assert.deepEqual(
        mine.map((r) => r.authorization),
        mine.map(() => undefined),
      );
    } finally {
      delete process.env.CUSTOMS_REGISTRY_HOST;
      delete process.env.CUSTOMS_REGISTRY_USERNAME;
      delete process.env.CUSTOMS_REGISTRY_PASSWORD;
      await reg.stop();
    }
  });
});

describe('registry: TLS with a bearer token realm', () => {
  const creds = (reg: TestRegistry): string => {
    const cfg = join(work, `token-tls-${reg.port}.json`);
    writeFileSync(cfg, JSON.stringify({ auths: { [reg.host]: { username: reg.username, password: reg.password } } }));
    return cfg;
  };

  test('a plain-HTTP realm is refused before any credentials go to it, naming the realm and --insecure', async () => {
    const reg = await startRegistry({ tls: true, auth: 'token' });
    try {
      await pushLayout(reg, single, 'tok/app:1');
      assert.ok(reg.caFile);
      const before = reg.tokenRequests.length;
      await assert.rejects(
        openImage(`registry:${reg.host}/tok/app:1`, ctx({ caFile: reg.caFile, dockerConfig: creds(reg) })),
        isCode('REGISTRY_TARGET_REFUSED', /realm http:\/\/127\.0\.0\.1:\d+\/token.*plain HTTP.*--insecure/),
      );
      assert.equal(reg.tokenRequests.length, before, 'the token server was asked');
      // --insecure is the way out.
      const img = await openImage(`registry:${reg.host}/tok/app:1`, ctx({ insecure: true, dockerConfig: creds(reg) }));
      assert.equal(await fileOf(img, 'etc/os-release'), 'ID=debian\n');
      await img.close();
    } finally {
      await reg.stop();
    }
  });

  test('an https realm gets the credentials', async () => {
    const reg = await startRegistry({ tls: true, auth: 'token', realmTls: true });
    try {
      await pushLayout(reg, single, 'tok/app:1');
      assert.ok(reg.caFile);
      const before = reg.tokenRequests.length;
      const img = await openImage(
        `registry:${reg.host}/tok/app:1`,
        ctx({ caFile: reg.caFile, dockerConfig: creds(reg) }),
      );
      assert.equal(await fileOf(img, 'app/z'), 'zstd layer');
      await img.close();
      const mine = reg.tokenRequests.slice(before);
      assert.ok(mine.length >= 1);
      assert.equal(
        mine[0]?.authorization,
        `Basic ${Buffer.from(`${reg.username}:${reg.password}`).toString('base64')}`,
      );
    } finally {
      await reg.stop();
    }
  });
});

describe('registry: TLS', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry({ tls: true });
    await pushLayout(reg, single, 'tls/app:1');
  });
  after(async () => reg.stop());

  test('with --ca-file the certificate is verified and the pull works', async () => {
    assert.ok(reg.caFile);
    const img = await openImage(`registry:${reg.host}/tls/app:1`, ctx({ caFile: reg.caFile }));
    assert.equal(await fileOf(img, 'etc/os-release'), 'ID=debian\n');
    await img.close();
  });

  test('with --insecure the certificate is not verified', async () => {
    const img = await openImage(`registry:${reg.host}/tls/app:1`, ctx({ insecure: true }));
    assert.equal(img.layers.length, 2);
    await img.close();
  });

  test('without either, an untrusted certificate is REGISTRY_TLS', async () => {
    await assert.rejects(openImage(`registry:${reg.host}/tls/app:1`, ctx()), isCode('REGISTRY_TLS', /--ca-file/));
  });
});
