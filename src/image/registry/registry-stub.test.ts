/**
 * Protocol edges a local docker-registry does not produce: retries on 503,
 * blob redirects to another origin (credentials must not follow), schema 1
 * manifests, a lying Docker-Content-Digest, registry error JSON. A node http
 * stub speaks just enough of the Distribution API for each.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createContext, CustomsError, type ErrorCode } from '../../core/index.js';
import { openImage } from '../open-image.js';
import { buildImage, listTar, readAll } from '../test-support/image-fixtures.js';
import { selfSigned } from '../test-support/test-registry.js';
import { parseChallenges } from './auth-challenge.js';

const work = mkdtempSync(join(tmpdir(), 'customs-stub-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const ctx = () => createContext({ config: { cacheDir: join(work, 'cache'), dockerConfig: join(work, 'none.json') } });

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
async function serve(handler: Handler): Promise<{ server: Server; host: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { server, host: `127.0.0.1:${port}` };
}

function isCode(code: ErrorCode, re?: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    if (!(e instanceof CustomsError)) return false;
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

const img = buildImage({ layers: [{ files: [{ path: 'etc/os-release', data: 'ID=stub\n' }], compression: 'gzip' }] });
const layer = img.layers[0];
assert.ok(layer);

test('retries 503s, follows a cross-origin blob redirect without the Authorization header', async () => {
  const storageAuth: (string | undefined)[] = [];
  const storage = await serve((req, res) => {
    storageAuth.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(layer.blob);
  });
  let manifestHits = 0;
  const reg = await serve((req, res) => {
    const url = req.url ?? '';
    if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="stub"' });
      return res.end();
    }
    if (url === '/v2/') return res.end('{}');
    if (url === '/v2/app/manifests/1') {
      if (manifestHits++ < 2) {
        res.writeHead(503, { 'retry-after': '0' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': img.manifestMediaType });
      return res.end(img.manifest);
    }
    if (url === `/v2/app/blobs/${img.configDigest}`) return res.end(img.config);
    if (url === `/v2/app/blobs/${layer.digest}`) {
      res.writeHead(307, { location: `http://${storage.host}/bucket/${layer.digest}?sig=1` });
      return res.end();
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }));
  });
  process.env.CUSTOMS_REGISTRY_HOST = reg.host;
  process.env.CUSTOMS_REGISTRY_USERNAME = 'u';
  process.env.CUSTOMS_REGISTRY_PASSWORD = 'p';
  try {
    const image = await openImage(`registry:${reg.host}/app:1`, ctx());
    assert.equal(manifestHits, 3);
    const entries = listTar(await readAll(await (image.layers[0] as NonNullable<(typeof image.layers)[0]>).open()));
    assert.equal(entries[0]?.data.toString(), 'ID=stub\n');
    assert.deepEqual(storageAuth, [undefined]);
    await image.close();
  } finally {
    delete process.env.CUSTOMS_REGISTRY_HOST;
    delete process.env.CUSTOMS_REGISTRY_USERNAME;
    delete process.env.CUSTOMS_REGISTRY_PASSWORD;
    reg.server.close();
    storage.server.close();
  }
});

test('schema 1 manifests are refused with a clear message; a lying Docker-Content-Digest is a mismatch; 500 quotes the error JSON', async () => {
  const reg = await serve((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') return res.end('{}');
    if (url === '/v2/old/manifests/1') {
      res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
      return res.end(JSON.stringify({ schemaVersion: 1, name: 'old', tag: '1', fsLayers: [] }));
    }
    if (url === '/v2/liar/manifests/1') {
      res.writeHead(200, {
        'content-type': img.manifestMediaType,
        'docker-content-digest': `sha256:${'a'.repeat(64)}`,
      });
      return res.end(img.manifest);
    }
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'storage backend exploded' }] }));
  });
  try {
    await assert.rejects(
      openImage(`registry:${reg.host}/old:1`, ctx()),
      isCode('IMAGE_MEDIA_TYPE_UNSUPPORTED', /schema 1/),
    );
    await assert.rejects(openImage(`registry:${reg.host}/liar:1`, ctx()), isCode('IMAGE_DIGEST_MISMATCH', /aaaa/));
    await assert.rejects(
      openImage(`registry:${reg.host}/boom:1`, ctx()),
      isCode('REGISTRY_ERROR', /storage backend exploded/),
    );
  } finally {
    reg.server.close();
  }
});

test('parseChallenges reads Bearer and Basic challenges', () => {
  assert.deepEqual(
    parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
    ),
    [
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull',
        },
      },
    ],
  );
  assert.deepEqual(parseChallenges(['Basic realm="Registry Realm"']), [
    { scheme: 'basic', params: { realm: 'Registry Realm' } },
  ]);
});

/** A registry stub that serves `img` with the blob of `layer` answered by `blob`; Basic auth u:p when `auth`. */
function registryHandler(opts: {
  blob: (res: ServerResponse) => void;
  auth?: boolean;
  seen?: (string | undefined)[];
}): Handler {
  return (req, res) => {
    const url = req.url ?? '';
    opts.seen?.push(req.headers.authorization);
    if (opts.auth && req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="stub"' });
      return res.end();
    }
    if (url === '/v2/') return res.end('{}');
    if (url === '/v2/app/manifests/1') {
      res.writeHead(200, { 'content-type': img.manifestMediaType });
      return res.end(img.manifest);
    }
    if (url === `/v2/app/blobs/${img.configDigest}`) return res.end(img.config);
    if (url === `/v2/app/blobs/${layer?.digest}`) return opts.blob(res);
    res.writeHead(404);
    res.end();
  };
}

async function readLayer(ref: string, c = ctx()): Promise<string | undefined> {
  const image = await openImage(ref, c);
  try {
    const first = image.layers[0];
    assert.ok(first);
    return listTar(await readAll(await first.open()))[0]?.data.toString();
  } finally {
    await image.close();
  }
}

const withEnv = async (env: Record<string, string>, body: () => Promise<void>): Promise<void> => {
  const keys = ['CUSTOMS_REGISTRY_HOST', 'CUSTOMS_REGISTRY_USERNAME', 'CUSTOMS_REGISTRY_PASSWORD'];
  const old = keys.map((k) => process.env[k]);
  for (const k of keys) delete process.env[k];
  Object.assign(process.env, env);
  try {
    await body();
  } finally {
    keys.forEach((k, i) => {
      const v = old[i];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    });
  }
};

test('environment credentials go only to CUSTOMS_REGISTRY_HOST; without it they are an error, not a default', async () => {
  const seen: (string | undefined)[] = [];
  const reg = await serve(registryHandler({ auth: true, seen, blob: (res) => res.end(layer.blob) }));
  try {
    // Bound to another registry: this one never sees them.
    await withEnv(
      { CUSTOMS_REGISTRY_HOST: 'ghcr.io', CUSTOMS_REGISTRY_USERNAME: 'u', CUSTOMS_REGISTRY_PASSWORD: 'p' },
      () =>
        assert.rejects(
          openImage(`registry:${reg.host}/app:1`, ctx()),
          isCode('REGISTRY_AUTH_FAILED', /no credentials/),
        ),
    );
    assert.ok(seen.length > 0);
    assert.deepEqual(
      seen,
      seen.map(() => undefined),
    );
    // Unbound: refused with the variable to set.
    await withEnv({ CUSTOMS_REGISTRY_USERNAME: 'u', CUSTOMS_REGISTRY_PASSWORD: 'p' }, () =>
      assert.rejects(
        openImage(`registry:${reg.host}/app:1`, ctx()),
        isCode('REGISTRY_AUTH_FAILED', /CUSTOMS_REGISTRY_HOST is not/),
      ),
    );
    assert.ok(seen.every((a) => a === undefined));
    // Bound to this registry (docker-config style spelling): used.
    await withEnv(
      {
        CUSTOMS_REGISTRY_HOST: `http://${reg.host}/v2/`,
        CUSTOMS_REGISTRY_USERNAME: 'u',
        CUSTOMS_REGISTRY_PASSWORD: 'p',
      },
      async () => assert.equal(await readLayer(`registry:${reg.host}/app:1`), 'ID=stub\n'),
    );
  } finally {
    reg.server.close();
  }
});

test('a Bearer realm on another host over plain HTTP is refused without --insecure; nothing is sent to it', async () => {
  const tokenAuth: (string | undefined)[] = [];
  const tokens = await serve((req, res) => {
    tokenAuth.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: 'tok' }));
  });
  const tokenPort = tokens.host.split(':')[1];
  const realm = `http://localhost:${tokenPort}/token`;
  const reg = await serve((req, res) => {
    if (req.headers.authorization !== 'Bearer tok') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="stub"` });
      return res.end();
    }
    registryHandler({ blob: (r) => r.end(layer.blob) })(req, res);
  });
  try {
    await withEnv(
      { CUSTOMS_REGISTRY_HOST: reg.host, CUSTOMS_REGISTRY_USERNAME: 'u', CUSTOMS_REGISTRY_PASSWORD: 'p' },
      async () => {
        await assert.rejects(
          openImage(`registry:${reg.host}/app:1`, ctx()),
          isCode('REGISTRY_TARGET_REFUSED', new RegExp(`realm http://localhost:${tokenPort}/token.*--insecure`)),
        );
        assert.deepEqual(tokenAuth, []);
        // The spec sends the credentials to the realm: with --insecure, over HTTP too.
        const c = createContext({ config: { ...ctx().config, insecure: true } });
        assert.equal(await readLayer(`registry:${reg.host}/app:1`, c), 'ID=stub\n');
        assert.deepEqual(tokenAuth, [`Basic ${Buffer.from('u:p').toString('base64')}`]);
      },
    );
  } finally {
    reg.server.close();
    tokens.server.close();
  }
});

test('an https realm on loopback or link-local addresses of another host is refused (literal and resolved)', async () => {
  for (const realm of [
    'https://169.254.169.254/token',
    'https://[::ffff:127.0.0.1]:9/token',
    'https://localhost:9/t',
  ]) {
    const reg = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}"` });
      res.end();
    });
    try {
      await assert.rejects(
        openImage(`registry:${reg.host}/app:1`, ctx()),
        isCode('REGISTRY_TARGET_REFUSED', /token realm https:.*(loopback|link-local) address.*--insecure/),
      );
    } finally {
      reg.server.close();
    }
  }
});

test('redirects to loopback or link-local addresses of another host, and https→http, are refused unless --insecure', async () => {
  const storageHits: (string | undefined)[] = [];
  const storage = await serve((req, res) => {
    storageHits.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(layer.blob);
  });
  const storagePort = storage.host.split(':')[1];
  let target = '';
  const reg = await serve(
    registryHandler({
      auth: true,
      blob: (res) => {
        res.writeHead(307, { location: target });
        res.end();
      },
    }),
  );
  try {
    await withEnv(
      { CUSTOMS_REGISTRY_HOST: reg.host, CUSTOMS_REGISTRY_USERNAME: 'u', CUSTOMS_REGISTRY_PASSWORD: 'p' },
      async () => {
        for (const t of [
          `http://localhost:${storagePort}/b`, // a name that resolves to loopback
          'http://169.254.169.254/latest/meta-data/', // cloud metadata
          `http://[::ffff:127.0.0.1]:${storagePort}/b`, // IPv4-mapped loopback
          `http://0.0.0.0:${storagePort}/b`,
        ]) {
          target = t;
          await assert.rejects(
            readLayer(`registry:${reg.host}/app:1`),
            isCode('REGISTRY_TARGET_REFUSED', /redirected to http:.*(loopback|link-local) address.*--insecure/),
          );
        }
        assert.deepEqual(storageHits, []);
        // With --insecure the redirect is followed, still without the registry's credentials.
        target = `http://localhost:${storagePort}/b`;
        const c = createContext({ config: { ...ctx().config, insecure: true } });
        assert.equal(await readLayer(`registry:${reg.host}/app:1`, c), 'ID=stub\n');
        assert.deepEqual(storageHits, [undefined]);
      },
    );
  } finally {
    reg.server.close();
    storage.server.close();
  }
});

test('an https registry redirecting to plain http is refused, even on its own host', async () => {
  const dir = mkdtempSync(join(work, 'tls-'));
  const { cert, key } = selfSigned(dir, 'stub', '/CN=127.0.0.1', false);
  const plainHits: string[] = [];
  const plain = await serve((req, res) => {
    plainHits.push(req.url ?? '');
    res.end(layer.blob);
  });
  const handler = registryHandler({
    blob: (res) => {
      res.writeHead(302, { location: `http://${plain.host}/blob` });
      res.end();
    },
  });
  const server = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const host = `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  try {
    await assert.rejects(
      readLayer(`registry:${host}/app:1`, createContext({ config: { ...ctx().config, caFile: cert } })),
      isCode('REGISTRY_TARGET_REFUSED', /from https to plain http.*--insecure/),
    );
    assert.deepEqual(plainHits, []);
  } finally {
    server.close();
    plain.server.close();
  }
});

test("another host's error body is never quoted; the registry's own is clipped and stripped of control characters", async () => {
  const storage = await serve((_req, res) => {
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('ami-id=SECRET-INSTANCE-DATA');
  });
  const hostile = `\u001b[2J\u001b]0;owned\u0007{"errors":[{"code":"DENIED","message":"go away\r\n\u001b[31mred${'x'.repeat(5000)}"}]}`;
  const reg = await serve(
    registryHandler({
      blob: (res) => {
        res.writeHead(307, { location: `http://${storage.host}/blob` });
        res.end();
      },
    }),
  );
  const loud = await serve((req, res) => {
    if (req.url === '/v2/') return res.end('{}');
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(`\u001b[31mstorage backend exploded\u0000\u202e${'y'.repeat(5000)}`);
  });
  try {
    await assert.rejects(readLayer(`registry:${reg.host}/app:1`), (e: unknown) => {
      assert.ok(e instanceof CustomsError);
      assert.equal(e.code, 'REGISTRY_ERROR', e.message);
      assert.match(e.message, new RegExp(`${storage.host}.*HTTP 403`));
      assert.doesNotMatch(e.message, /SECRET/);
      return true;
    });
    await assert.rejects(openImage(`registry:${loud.host}/app:1`, ctx()), (e: unknown) => {
      assert.ok(e instanceof CustomsError);
      assert.match(e.message, /storage backend exploded/);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting they are gone
      assert.doesNotMatch(e.message, /[\u0000-\u001f\u007f\u202e]/);
      assert.ok(e.message.length < 600, `${e.message.length} characters`);
      return true;
    });
    const { describeErrorBody } = await import('./registry-client.js');
    const quoted = describeErrorBody(hostile).text;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting they are gone
    assert.doesNotMatch(quoted, /[\u0000-\u001f]/);
    assert.ok(quoted.length <= 301);
  } finally {
    reg.server.close();
    storage.server.close();
    loud.server.close();
  }
});

test('a layer download cut short, framed wrongly or sent chunked: the error names the registry and the cause', async () => {
  const reg = await serve((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') return res.end('{}');
    if (url.startsWith('/v2/') && url.endsWith('/manifests/1')) {
      res.writeHead(200, { 'content-type': img.manifestMediaType });
      return res.end(img.manifest);
    }
    if (url.endsWith(`/blobs/${img.configDigest}`)) return res.end(img.config);
    if (url === `/v2/short/blobs/${layer.digest}`) {
      // Half the blob, then the connection goes.
      res.writeHead(200, { 'content-length': layer.blob.length });
      res.write(layer.blob.subarray(0, 10));
      return setTimeout(() => res.socket?.destroy(), 20);
    }
    if (url === `/v2/framed/blobs/${layer.digest}`) {
      res.socket?.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n');
      return;
    }
    // Chunked, in small writes: read whole, verified as any blob.
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    for (let at = 0; at < layer.blob.length; at += 7) res.write(layer.blob.subarray(at, at + 7));
    res.end();
  });
  const firstLayer = async (repo: string): Promise<Buffer> => {
    const image = await openImage(`registry:${reg.host}/${repo}:1`, ctx());
    try {
      return await readAll(await (image.layers[0] as NonNullable<(typeof image.layers)[0]>).open());
    } finally {
      await image.close();
    }
  };
  try {
    assert.equal(listTar(await firstLayer('chunked'))[0]?.data.toString(), 'ID=stub\n');
    await assert.rejects(
      firstLayer('short'),
      isCode(
        'REGISTRY_UNREACHABLE',
        new RegExp(`closed the connection ${layer.blob.length - 10} bytes before the end`),
      ),
    );
    await assert.rejects(firstLayer('framed'), isCode('REGISTRY_ERROR', /not valid HTTP\/1\.1 .*not a hex digit/));
  } finally {
    reg.server.close();
  }
});
