/**
 * Protocol edges a local docker-registry does not produce: retries on 503,
 * blob redirects to another origin (credentials must not follow), schema 1
 * manifests, a lying Docker-Content-Digest, registry error JSON. A node http
 * stub speaks just enough of the Distribution API for each.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createContext, CustomsError, type ErrorCode } from '../../core/index.js';
import { openImage } from '../open-image.js';
import { buildImage, listTar, readAll } from '../test-fixtures.js';
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
