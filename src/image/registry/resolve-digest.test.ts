import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createContext, CustomsError, sha256 } from '../../core/index.js';
import { parseNormalizedReference } from '../reference.js';
import { buildImage } from '../test-support/image-fixtures.js';
import { resolveDigest } from './resolve-digest.js';

const work = mkdtempSync(join(tmpdir(), 'customs-resolve-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const ctx = () => createContext({ config: { cacheDir: join(work, 'cache'), dockerConfig: join(work, 'none.json') } });
const img = buildImage({ layers: [{ files: [{ path: 'a', data: 'a' }] }] });

async function registry(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ host: string; methods: string[]; close: () => void }> {
  const methods: string[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/v2/') return res.end('{}');
    methods.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { host: `127.0.0.1:${port}`, methods, close: () => server.close() };
}

test('a tag resolves with one HEAD, from Docker-Content-Digest', async () => {
  const reg = await registry((req, res) => {
    res.writeHead(200, { 'docker-content-digest': img.manifestDigest, 'content-type': img.manifestMediaType });
    res.end(req.method === 'HEAD' ? undefined : img.manifest);
  });
  try {
    assert.equal(await resolveDigest(parseNormalizedReference(`${reg.host}/acme/app:1`), ctx()), img.manifestDigest);
    assert.deepEqual(reg.methods, ['HEAD /v2/acme/app/manifests/1']);
  } finally {
    reg.close();
  }
});

test('without the header, a GET and the SHA-256 of the bytes; a digest reference asks nothing', async () => {
  const reg = await registry((req, res) => {
    res.writeHead(200, { 'content-type': img.manifestMediaType });
    res.end(req.method === 'HEAD' ? undefined : img.manifest);
  });
  try {
    assert.equal(await resolveDigest(parseNormalizedReference(`${reg.host}/acme/app`), ctx()), sha256(img.manifest));
    assert.deepEqual(reg.methods, ['HEAD /v2/acme/app/manifests/latest', 'GET /v2/acme/app/manifests/latest']);
    const pinned = parseNormalizedReference(`${reg.host}/acme/app@${img.manifestDigest}`);
    assert.equal(await resolveDigest(pinned, ctx()), img.manifestDigest);
    assert.equal(reg.methods.length, 2);
  } finally {
    reg.close();
  }
});

test('an unknown tag is IMAGE_NOT_FOUND', async () => {
  const reg = await registry((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end();
  });
  try {
    await assert.rejects(resolveDigest(parseNormalizedReference(`${reg.host}/acme/app:nope`), ctx()), (e: unknown) => {
      assert.ok(e instanceof CustomsError);
      assert.equal(e.code, 'IMAGE_NOT_FOUND');
      return true;
    });
  } finally {
    reg.close();
  }
});
