/**
 * socket-get.ts against real sockets on loopback: node:http and node:https
 * servers for the ordinary responses, a raw TCP server for the bytes an HTTP
 * server library would not send (interim heads, early closes, silence).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { READ_CHUNK } from '../read-chunk.js';
import { selfSigned } from '../test-support/test-registry.js';
import { type SocketGetOptions, socketGet } from './socket-get.js';

const work = mkdtempSync(join(tmpdir(), 'customs-socket-get-'));
after(() => rmSync(work, { recursive: true, force: true }));

const options = (over: Partial<SocketGetOptions> = {}): SocketGetOptions => ({
  headers: {},
  rejectUnauthorized: true,
  signal: new AbortController().signal,
  connectTimeout: 5_000,
  headersTimeout: 5_000,
  bodyTimeout: 5_000,
  ...over,
});

async function listen(server: Server | ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => server.close());
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : 0;
}

async function http(handler: RequestListener): Promise<URL> {
  return new URL(`http://127.0.0.1:${await listen(createServer(handler))}/`);
}

/** A TCP server that answers every connection with `respond` (after reading the request head). */
async function raw(respond: (socket: Socket, request: string) => void): Promise<URL> {
  const server = createNetServer((socket) => {
    let request = '';
    socket.on('data', (d) => {
      request += d.toString('latin1');
      if (request.includes('\r\n\r\n')) respond(socket, request);
    });
    socket.on('error', () => {});
  });
  return new URL(`http://127.0.0.1:${await listen(server)}/`);
}

async function readBody(body: Readable, slow = 0): Promise<{ bytes: Buffer; sizes: number[] }> {
  const parts: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) {
    parts.push(Buffer.from(c));
    if (slow) await sleep(slow);
  }
  return { bytes: Buffer.concat(parts), sizes: parts.map((p) => p.length) };
}

const rejectsCode = (code: string, message?: RegExp) => (e: unknown) => {
  assert.equal((e as NodeJS.ErrnoException).code, code, (e as Error).message);
  if (message) assert.match((e as Error).message, message);
  return true;
};

test('a sized body arrives whole in full read chunks; the request carries the path, host and headers', async () => {
  const blob = randomBytes(3 * READ_CHUNK + 12_345);
  let seen: Record<string, string | undefined> = {};
  const base = await http((req, res) => {
    seen = {
      url: req.url,
      host: req.headers.host,
      auth: req.headers.authorization,
      connection: req.headers.connection,
    };
    res.writeHead(200, { 'content-length': blob.length, 'docker-content-digest': 'sha256:x' });
    res.end(blob);
  });
  const res = await socketGet(
    new URL('/v2/a/b/blobs/sha256:1?x=1', base),
    options({ headers: { authorization: 'Bearer t' } }),
  );
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['docker-content-digest'], 'sha256:x');
  const { bytes, sizes } = await readBody(res.body);
  assert.ok(bytes.equals(blob));
  assert.deepEqual(sizes, [READ_CHUNK, READ_CHUNK, READ_CHUNK, 12_345]);
  assert.deepEqual(seen, { url: '/v2/a/b/blobs/sha256:1?x=1', host: base.host, auth: 'Bearer t', connection: 'close' });
});

test('a chunked body is undone in place, a slow reader pauses the socket and still gets every byte', async () => {
  const blob = randomBytes(6 * READ_CHUNK + 777);
  const base = await http(async (_req, res) => {
    res.writeHead(200, { 'transfer-encoding': 'chunked' });
    for (let at = 0; at < blob.length; ) {
      const n = Math.min(blob.length - at, 1 + ((at * 7919) % 300_000));
      if (!res.write(blob.subarray(at, at + n))) await new Promise((r) => res.once('drain', r));
      at += n;
    }
    res.end();
  });
  const res = await socketGet(base, options());
  const { bytes } = await readBody(res.body, 3);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), createHash('sha256').update(blob).digest('hex'));
});

test('interim heads are skipped; a body with no length ends when the server closes; head and body may come in one read', async () => {
  const base = await raw((socket) => {
    socket.end(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nServer: raw\r\n\r\nall of it',
    );
  });
  const res = await socketGet(base, options());
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers.server, 'raw');
  assert.equal((await readBody(res.body)).bytes.toString(), 'all of it');
});

test('an empty body, and bytes past the Content-Length, are handled', async () => {
  const base = await raw((socket, request) => {
    if (request.startsWith('GET /empty')) socket.end('HTTP/1.1 204 No Content\r\n\r\n');
    else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef');
  });
  const empty = await socketGet(new URL('/empty', base), options());
  assert.equal(empty.statusCode, 204);
  assert.equal((await readBody(empty.body)).bytes.length, 0);
  const three = await socketGet(base, options());
  assert.equal((await readBody(three.body)).bytes.toString(), 'abc');
});

test('a connection closed early is an error that says where', async () => {
  const base = await raw((socket, request) => {
    if (request.startsWith('GET /nohead')) socket.end('HTTP/1.1 200 O');
    else if (request.startsWith('GET /chunked'))
      socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab');
    else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd');
  });
  await assert.rejects(
    socketGet(new URL('/nohead', base), options()),
    rejectsCode('ECONNRESET', /before a response head/),
  );
  const short = await socketGet(base, options());
  await assert.rejects(readBody(short.body), rejectsCode('ECONNRESET', /6 bytes before the end of the body/));
  const chunked = await socketGet(new URL('/chunked', base), options());
  await assert.rejects(readBody(chunked.body), rejectsCode('ECONNRESET', /before the last chunk/));
});

test('a malformed head or chunk framing fails the request', async () => {
  const base = await raw((socket, request) => {
    if (request.startsWith('GET /big')) socket.end(`HTTP/1.1 200 OK\r\nX: ${'y'.repeat(70_000)}\r\n\r\n`);
    else if (request.startsWith('GET /frame'))
      socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    else if (request.startsWith('GET /switch')) socket.end('HTTP/1.1 101 Switching Protocols\r\n\r\n');
    else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab');
  });
  await assert.rejects(
    socketGet(new URL('/big', base), options()),
    rejectsCode('CUSTOMS_HTTP_HEAD', /over 16384 bytes/),
  );
  await assert.rejects(socketGet(base, options()), rejectsCode('CUSTOMS_HTTP_HEAD', /invalid Content-Length/));
  await assert.rejects(socketGet(new URL('/switch', base), options()), rejectsCode('CUSTOMS_HTTP_HEAD', /HTTP 101/));
  const framed = await socketGet(new URL('/frame', base), options());
  await assert.rejects(readBody(framed.body), rejectsCode('CUSTOMS_HTTP_CHUNKED', /not a hex digit/));
});

test('silence times out (head, then body), and a cancelled signal stops the download', async () => {
  const base = await raw((socket, request) => {
    if (request.startsWith('GET /body')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome');
  });
  await assert.rejects(
    socketGet(base, options({ headersTimeout: 100 })),
    rejectsCode('CUSTOMS_HEADERS_TIMEOUT', /no response head within 100 ms/),
  );
  const stalled = await socketGet(new URL('/body', base), options({ bodyTimeout: 100 }));
  await assert.rejects(readBody(stalled.body), rejectsCode('ETIMEDOUT', /nothing more of the body for 100 ms/));
  const abort = new AbortController();
  const cancelled = await socketGet(new URL('/body', base), options({ signal: abort.signal }));
  setTimeout(() => abort.abort(), 20);
  await assert.rejects(readBody(cancelled.body), rejectsCode('ABORT_ERR'));
  const before = new AbortController();
  before.abort();
  await assert.rejects(socketGet(base, options({ signal: before.signal })), rejectsCode('ABORT_ERR'));
});

test('a header value with CR or LF is refused before anything is sent', async () => {
  let connections = 0;
  const base = await raw(() => connections++);
  assert.throws(
    () => socketGet(base, options({ headers: { authorization: 'Bearer x\r\nX-Injected: 1' } })),
    rejectsCode('CUSTOMS_HEADER_VALUE', /authorization header/),
  );
  await sleep(20);
  assert.equal(connections, 0);
});

test('TLS: the certificate is verified against the CA given, or refused', async () => {
  const { cert, key } = selfSigned(work, 'socket-get', '/CN=127.0.0.1', false);
  const blob = randomBytes(READ_CHUNK + 5);
  const server = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, (_req, res) => {
    res.writeHead(200, { 'content-length': blob.length });
    res.end(blob);
  });
  const base = new URL(`https://127.0.0.1:${await listen(server)}/`);
  const res = await socketGet(base, options({ ca: [readFileSync(cert, 'utf8')] }));
  assert.ok((await readBody(res.body)).bytes.equals(blob));
  await assert.rejects(socketGet(base, options()), rejectsCode('DEPTH_ZERO_SELF_SIGNED_CERT'));
  const insecure = await socketGet(base, options({ rejectUnauthorized: false }));
  assert.ok((await readBody(insecure.body)).bytes.equals(blob));
});

test('the lookup given decides where a host name connects, and may refuse it', async () => {
  const base = await http((_req, res) => res.end('ok'));
  const named = new URL(base);
  named.hostname = 'blobs.example';
  // As dns.lookup: an array of addresses when asked for all (net's family autoselection does).
  const loopback = (_h: string, o: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) =>
    o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
  const res = await socketGet(named, options({ lookup: loopback as never }));
  assert.equal((await readBody(res.body)).bytes.toString(), 'ok');
  const refused = Object.assign(new Error('blobs.example: a loopback address'), { code: 'CUSTOMS_ADDRESS_REFUSED' });
  await assert.rejects(
    socketGet(named, options({ lookup: ((_h: string, _o: unknown, cb: (e: Error) => void) => cb(refused)) as never })),
    rejectsCode('CUSTOMS_ADDRESS_REFUSED'),
  );
});
