/**
 * startServer: --listen parsing, the secret key file, and the graceful stop —
 * a request in flight when the stop begins still gets its answer, new
 * connections are refused, and a client that never finishes its request does
 * not hold the stop past its bound.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { parseListen, secretKeyFor, startServer } from './serve.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'customs-serve-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const code = (c: string) => (e: unknown) => e instanceof CustomsError && e.code === c;

test('--listen HOST:PORT, [v6]:PORT; anything else is SERVER_CONFIG_INVALID', () => {
  assert.deepEqual(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListen('localhost:443'), { host: 'localhost', port: 443 });
  for (const bad of ['8080', '127.0.0.1', '127.0.0.1:65536', '::1:80', 'a:b:1', ':80', 'host:-1'])
    assert.throws(() => parseListen(bad), code('SERVER_CONFIG_INVALID'), bad);
});

test('the secret key: CUSTOMS_SECRET_KEY, else a key file created 0600 once and read after', () => {
  const dir = tmp();
  const a = secretKeyFor(dir, undefined);
  assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
  assert.match(readFileSync(join(dir, 'secret.key'), 'utf8'), /^[0-9a-f]{64}\n$/);
  assert.deepEqual(secretKeyFor(dir, undefined), a, 'the same key on the next start');
  assert.notDeepEqual(secretKeyFor(dir, 'c'.repeat(64)), a);
  assert.throws(() => secretKeyFor(dir, 'short'), code('SERVER_CONFIG_INVALID'));
});

/** A request sent up to its last body byte: in flight until `finish()`. */
async function partialRequest(
  url: string,
  token: string,
): Promise<{ socket: Socket; finish(): void; answer: Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const body = JSON.stringify({ name: 'late', role: 'viewer' });
  socket.write(
    `POST /api/v1/tokens HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, -1)}`,
  );
  let text = '';
  socket.on('data', (d: Buffer) => {
    text += d.toString();
  });
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(text)));
  return { socket, finish: () => socket.end(body.slice(-1)), answer };
}

// No timing assertion: an unbounded stop would hang, and the test's timeout fails it.
test('a stop lets the request in flight finish, refuses new connections, and is bounded', {
  timeout: 30_000,
}, async () => {
  const dir = tmp();
  const lines: string[] = [];
  const server = await startServer({
    listen: '127.0.0.1:0',
    dataDir: dir,
    say: (l) => lines.push(l),
    logStream: devNull(),
  });
  assert.ok(server.adminToken);
  assert.ok(lines.some((l) => l.includes(`listening on ${server.url}`)));
  // The request reaches the server before the stop begins (its headers are parsed).
  const inflight = await partialRequest(server.url, server.adminToken);
  await new Promise((r) => setTimeout(r, 100));
  const stopped = server.stop();
  await new Promise((r) => setTimeout(r, 100));
  await assert.rejects(fetch(`${server.url}/healthz`), 'a new connection is refused once stopping');
  inflight.finish();
  const answer = await inflight.answer;
  assert.match(answer, /^HTTP\/1\.1 201 /, answer);
  assert.match(answer, /"token":"cst_/);
  await stopped;

  // A client that never finishes: the stop ends at its bound anyway.
  const again = await startServer({
    listen: '127.0.0.1:0',
    dataDir: dir,
    say: () => {},
    logStream: devNull(),
    shutdownTimeoutMs: 300,
  });
  assert.equal(again.adminToken, undefined, 'the store already has an admin token');
  const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
  const stuck = await partialRequest(again.url, token);
  await new Promise((r) => setTimeout(r, 100));
  await again.stop();
  stuck.socket.destroy();
});

function devNull(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}
