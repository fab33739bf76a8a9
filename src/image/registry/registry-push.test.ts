/**
 * Registry writes: what a stub registry can make go wrong (an upload Location
 * on another origin, a source serving bytes that are not the blob it names),
 * and token auth for pushes against a real docker-registry.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createContext, CustomsError, type ErrorCode, sha256 } from '../../core/index.js';
import { parseNormalizedReference } from '../reference.js';
import { writeOciLayout } from '../test-support/image-fixtures.js';
import { pushLayout, startRegistry } from '../test-support/test-registry.js';
import { blobExists, copyBlob, copyImage, getBlob, getManifest, pushBlob, repositoryClient } from './registry-push.js';

const work = mkdtempSync(join(tmpdir(), 'customs-push-test-'));
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

test('an upload Location on another origin is refused: the blob and the credentials stay home', async () => {
  const elsewhere: string[] = [];
  const evil = await serve((req, res) => {
    elsewhere.push(`${req.method} ${req.url}`);
    res.writeHead(201);
    res.end();
  });
  const reg = await serve((req, res) => {
    if (req.url === '/v2/') return res.end('{}');
    if (req.method === 'HEAD') {
      res.writeHead(404);
      return res.end();
    }
    if (req.method === 'POST') {
      // localhost is another origin than 127.0.0.1 even on the same machine.
      res.writeHead(202, { location: `http://localhost:${evil.host.split(':')[1]}/upload/1` });
      return res.end();
    }
    res.writeHead(500);
    res.end();
  });
  const client = repositoryClient(parseNormalizedReference(`${reg.host}/app`), ctx());
  try {
    await assert.rejects(
      pushBlob(client, Buffer.from('secret layer')),
      isCode('REGISTRY_TARGET_REFUSED', /another origin/),
    );
    assert.deepEqual(elsewhere, []);
  } finally {
    await client.close();
    reg.server.close();
    evil.server.close();
  }
});

test('a source serving other bytes than the digest it names never lands in the destination', async () => {
  const dst = await startRegistry();
  const real = Buffer.from('the real layer bytes');
  const digest = sha256(real);
  const src = await serve((req, res) => {
    if (req.url === '/v2/') return res.end('{}');
    if (req.url === `/v2/app/blobs/${digest}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(Buffer.from('tampered layer bytes'));
    }
    res.writeHead(404);
    res.end();
  });
  const from = repositoryClient(parseNormalizedReference(`${src.host}/app`), ctx());
  const to = repositoryClient(parseNormalizedReference(`${dst.host}/app`), ctx());
  try {
    await assert.rejects(copyBlob(from, to, { mediaType: 'application/octet-stream', digest, size: real.length }));
    assert.equal(await blobExists(to, digest), false);
    // The same copy from an honest source streams and lands.
    const honest = await serve((req, res) => {
      if (req.url === '/v2/') return res.end('{}');
      res.writeHead(200);
      res.end(real);
    });
    const good = repositoryClient(parseNormalizedReference(`${honest.host}/app`), ctx());
    try {
      assert.equal(
        await copyBlob(good, to, { mediaType: 'application/octet-stream', digest, size: real.length }),
        'streamed',
      );
      assert.ok((await getBlob(to, { digest, size: real.length })).equals(real));
      assert.equal(
        await copyBlob(good, to, { mediaType: 'application/octet-stream', digest, size: real.length }),
        'present',
      );
    } finally {
      await good.close();
      honest.server.close();
    }
  } finally {
    await Promise.all([from.close(), to.close()]);
    src.server.close();
    await dst.stop();
  }
});

test('pushes through token auth: the push scope is asked for when the registry challenges a write', async () => {
  const reg = await startRegistry({ auth: 'token' });
  process.env.CUSTOMS_REGISTRY_HOST = reg.host;
  process.env.CUSTOMS_REGISTRY_USERNAME = reg.username;
  process.env.CUSTOMS_REGISTRY_PASSWORD = reg.password;
  const client = repositoryClient(parseNormalizedReference(`${reg.host}/team/app`), ctx());
  try {
    const bytes = Buffer.from('pushed with a token');
    const pushed = await pushBlob(client, bytes);
    assert.ok((await getBlob(client, pushed)).equals(bytes));
    assert.ok(
      reg.tokenRequests.some((t) => /repository:team\/app:.*push/.test(t.scope ?? '')),
      JSON.stringify(reg.tokenRequests),
    );
  } finally {
    delete process.env.CUSTOMS_REGISTRY_HOST;
    delete process.env.CUSTOMS_REGISTRY_USERNAME;
    delete process.env.CUSTOMS_REGISTRY_PASSWORD;
    await client.close();
    await reg.stop();
  }
});

test('copyImage copies a multi-platform index by digest, every platform with it, between registries with different logins', async () => {
  const [a, b] = await Promise.all([startRegistry({ auth: 'htpasswd' }), startRegistry({ auth: 'htpasswd' })]);
  const layout = mkdtempSync(join(work, 'multi-'));
  writeOciLayout(
    layout,
    [
      { image: { architecture: 'amd64', layers: [{ files: [{ path: 'arch', data: 'amd64' }] }] } },
      { image: { architecture: 'arm64', variant: 'v8', layers: [{ files: [{ path: 'arch', data: 'arm64' }] }] } },
    ],
    { nested: true },
  );
  await pushLayout(a, layout, 'multi:1', { all: true });
  const config = join(mkdtempSync(join(work, 'docker-')), 'config.json');
  const auth = (r: typeof a) => ({ auth: Buffer.from(`${r.username}:${r.password}`).toString('base64') });
  writeFileSync(config, JSON.stringify({ auths: { [a.host]: auth(a), [b.host]: auth(b) } }));
  const c = createContext({ config: { cacheDir: join(work, 'cache'), dockerConfig: config } });
  try {
    const out = await copyImage(
      parseNormalizedReference(`${a.host}/multi:1`),
      parseNormalizedReference(`${b.host}/mirror/multi:2`),
      c,
    );
    assert.equal(out.blobs.mounted, 0);
    assert.equal(out.blobs.streamed, 4, 'two configs and two layers');
    const src = repositoryClient(parseNormalizedReference(`${a.host}/multi`), c);
    const dst = repositoryClient(parseNormalizedReference(`${b.host}/mirror/multi`), c);
    try {
      const top = await getManifest(dst, '2');
      assert.equal(top?.digest, out.digest);
      assert.equal(top?.digest, (await getManifest(src, '1'))?.digest);
      const index = JSON.parse(top?.bytes.toString('utf8') ?? '{}') as { manifests: { digest: string }[] };
      assert.equal(index.manifests.length, 2);
      for (const m of index.manifests)
        assert.ok(await getManifest(dst, m.digest), `platform manifest ${m.digest} copied`);
    } finally {
      await Promise.all([src.close(), dst.close()]);
    }
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a blob HEAD answered with a redirect to storage counts as present: nothing is uploaded', async () => {
  const posts: string[] = [];
  const reg = await serve((req, res) => {
    if (req.url === '/v2/') return res.end('{}');
    if (req.method === 'HEAD') {
      res.writeHead(307, { location: 'https://storage.example/blob' });
      return res.end();
    }
    posts.push(`${req.method} ${req.url}`);
    res.writeHead(500);
    res.end();
  });
  const client = repositoryClient(parseNormalizedReference(`${reg.host}/app`), ctx());
  try {
    const d = { mediaType: 'application/octet-stream', digest: sha256('x'), size: 1 };
    assert.equal(await copyBlob(client, client, d), 'present');
    assert.deepEqual(posts, []);
  } finally {
    await client.close();
    reg.server.close();
  }
});
