/**
 * Differential target for the layer download's HTTP/1.1 reader (src/image/registry/socket-get.ts,
 * with http1-head.ts and chunked-decoder.ts): the input is everything a server sends, written to
 * a loopback socket in pieces the knob chooses, then the connection closes. Node's own HTTP
 * client (llhttp, strict) reads the same bytes from a second connection. Whenever customs accepts
 * a response, llhttp must accept it too, with the same status and the same body: a body read
 * differently is bytes a registry could slip past one reader and not the other. customs refusing
 * what llhttp accepts is allowed (it is the stricter reader). Bytes after the end of the
 * response are not compared: customs stops reading at the end of the body and closes the
 * socket (it asked for `connection: close`), while llhttp goes on to parse them and may
 * refuse them after the response is complete. Generators build responses from a
 * model (interim heads, status lines, Content-Length and Transfer-Encoding in agreeing and
 * conflicting forms, chunked bodies with extensions and trailers, bodies ended by close) and then
 * mutate bytes.
 */
import { get, type IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:net';
import * as fc from 'fast-check';
import { CustomsError } from '../../../src/core/index.js';
import { releaseChunk } from '../../../src/image/chunk-pool.js';
import { socketGet } from '../../../src/image/registry/socket-get.js';
import { applyByteOps, byteOp, someOps } from '../mutate.js';
import type { FuzzInput, FuzzTarget } from '../protocol.js';

/** Errors socket-get.ts raises for a response it will not read: a clean refusal, not a crash. */
const REFUSALS = new Set(['CUSTOMS_HTTP_HEAD', 'CUSTOMS_HTTP_CHUNKED', 'ECONNRESET', 'EPIPE']);

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/);
const body = fc.uint8Array({ maxLength: 600 });

const statusLine = fc.oneof(
  { arbitrary: fc.constantFrom('HTTP/1.1 200 OK', 'HTTP/1.1 206 Partial Content', 'HTTP/1.0 200 OK'), weight: 6 },
  {
    arbitrary: fc.constantFrom(
      'HTTP/1.1 200',
      'HTTP/1.1 200 ',
      'HTTP/1.1 204 No Content',
      'HTTP/1.1 304 Not Modified',
      'HTTP/1.1 404 Not Found',
      'HTTP/1.1 101 Switching Protocols',
      'HTTP/1.1 099 X',
      'HTTP/1.1 2000 OK',
      'HTTP/2 200 OK',
      'http/1.1 200 OK',
      'HTTP/1.1  200 OK',
      'HTTP/1.1 200 O\x01K',
    ),
    weight: 1,
  },
);

const interim = fc.constantFrom('HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n');

const field = fc.oneof(
  { arbitrary: fc.tuple(token, fc.stringMatching(/^[ -~]{0,20}$/)).map(([n, v]) => `${n}: ${v}`), weight: 4 },
  {
    arbitrary: fc.constantFrom(
      'Content-Length: 5',
      'Content-Length: 0',
      'Content-Length: +5',
      'Content-Length: 5, 6',
      'Content-Length:',
      'Transfer-Encoding: chunked',
      'Transfer-Encoding: gzip',
      'Transfer-Encoding: chunked, chunked',
      'Transfer-Encoding: identity',
      'Connection: keep-alive',
      ' folded: x',
      'Bad Name: x',
      'X: a\rb',
      'X: caf\xe9',
    ),
    weight: 1,
  },
);

const chunkSizes = fc.array(fc.nat({ max: 200 }), { maxLength: 6 });
const extension = fc.constantFrom('', '', '', ';a=b', ';a="b c"', ' ;x', ';', '; a = b');
const trailers = fc.array(fc.constantFrom('Digest: x', 'X-T: 1', 'Bad Trailer'), { maxLength: 2 });

type Framing = 'length' | 'wrong-length' | 'chunked' | 'close' | 'both';

const response = fc
  .record({
    interims: fc.array(interim, { maxLength: 2 }),
    status: statusLine,
    fields: fc.array(field, { maxLength: 4 }),
    framing: fc.constantFrom<Framing>('length', 'length', 'chunked', 'chunked', 'close', 'wrong-length', 'both'),
    body,
    sizes: chunkSizes,
    extension,
    trailers,
    lengthDelta: fc.integer({ min: -3, max: 3 }),
  })
  .map((r): Buffer => {
    const head = [r.status, ...r.fields];
    let payload: Buffer = Buffer.from(r.body);
    if (r.framing === 'length') head.push(`Content-Length: ${r.body.length}`);
    if (r.framing === 'wrong-length') head.push(`Content-Length: ${Math.max(0, r.body.length + r.lengthDelta)}`);
    if (r.framing === 'chunked' || r.framing === 'both') {
      head.push('Transfer-Encoding: chunked');
      if (r.framing === 'both') head.push(`Content-Length: ${r.body.length}`);
      const parts: Buffer[] = [];
      let at = 0;
      for (const size of r.sizes) {
        const piece = payload.subarray(at, at + size);
        if (piece.length === 0) break;
        parts.push(Buffer.from(`${piece.length.toString(16)}${r.extension}\r\n`, 'latin1'), piece, Buffer.from('\r\n'));
        at += piece.length;
      }
      if (at < payload.length)
        parts.push(Buffer.from(`${(payload.length - at).toString(16)}\r\n`), payload.subarray(at), Buffer.from('\r\n'));
      parts.push(Buffer.from(`0${r.extension}\r\n${r.trailers.map((t) => `${t}\r\n`).join('')}\r\n`, 'latin1'));
      payload = Buffer.concat(parts);
    }
    return Buffer.concat([Buffer.from(`${r.interims.join('')}${head.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
  });

/** The server: one response per connection, the current input's bytes, in pieces. */
let current: FuzzInput = { bytes: new Uint8Array(), knob: 0 };
let server: Promise<{ server: Server; port: number }> | undefined;

function serve(): Promise<{ server: Server; port: number }> {
  server ??= new Promise((resolve) => {
    const s = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', async () => {
        const { bytes, knob } = current;
        // 1–8 pieces, cut where the knob says: heads and chunk framing split across reads.
        const pieces = 1 + (knob % 8);
        const step = Math.max(1, Math.ceil(bytes.length / pieces));
        for (let at = 0; at < bytes.length && !socket.destroyed; at += step) {
          socket.write(bytes.subarray(at, at + step));
          await new Promise((r) => setImmediate(r));
        }
        socket.end();
      });
    });
    s.listen(0, '127.0.0.1', () => {
      s.unref();
      const addr = s.address();
      resolve({ server: s, port: typeof addr === 'object' && addr ? addr.port : 0 });
    });
  });
  return server;
}

type Read = { readonly status: number; readonly body: Buffer } | { readonly error: string };

async function readWithCustoms(port: number): Promise<Read> {
  try {
    const res = await socketGet(new URL(`http://127.0.0.1:${port}/v2/x/blobs/sha256:0`), {
      headers: {},
      rejectUnauthorized: true,
      signal: AbortSignal.timeout(5_000),
      connectTimeout: 5_000,
      headersTimeout: 5_000,
      bodyTimeout: 5_000,
    });
    const parts: Buffer[] = [];
    for await (const c of res.body as AsyncIterable<Buffer>) {
      parts.push(Buffer.from(c));
      releaseChunk(c);
    }
    return { status: res.statusCode, body: Buffer.concat(parts) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (!REFUSALS.has(code)) throw e;
    return { error: `${code}: ${(e as Error).message}` };
  }
}

function readWithNode(port: number): Promise<Read> {
  return new Promise((resolve) => {
    let response: IncomingMessage | undefined;
    const parts: Buffer[] = [];
    const answer = (): void => resolve({ status: response?.statusCode ?? 0, body: Buffer.concat(parts) });
    const req = get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      response = res;
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => (res.complete ? answer() : resolve({ error: 'incomplete' })));
      res.on('aborted', () => resolve({ error: 'aborted' }));
      res.on('error', (e) => resolve({ error: `${(e as NodeJS.ErrnoException).code}: ${e.message}` }));
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ error: 'upgrade' });
    });
    req.on('error', (e) => {
      // An error after the response is complete is about the bytes after it, which customs
      // never reads: the response stands (its data and end events may still be on their way).
      if (response?.complete) setTimeout(answer, 20);
      else resolve({ error: `${(e as NodeJS.ErrnoException).code}: ${e.message}` });
    });
  });
}

export const httpResponseTarget: FuzzTarget = {
  name: 'http-response',
  entry: 'image/registry socketGet (a layer download: HTTP/1.1 head, Content-Length, chunked, close) against node:http',
  arbitrary: () =>
    fc
      .tuple(response, someOps(byteOp, 2), fc.nat())
      .map(([bytes, ops, knob]): FuzzInput => ({ bytes: applyByteOps(bytes, ops), knob })),
  async run(input) {
    const { port } = await serve();
    current = input;
    const ours = await readWithCustoms(port);
    if ('error' in ours) throw new CustomsError('REGISTRY_ERROR', ours.error);
    const theirs = await readWithNode(port);
    if ('error' in theirs)
      return [
        `customs read HTTP ${ours.status} with ${ours.body.length} bytes; node:http refused the response (${theirs.error})`,
      ];
    const problems: string[] = [];
    if (theirs.status !== ours.status) problems.push(`customs read HTTP ${ours.status}, node:http ${theirs.status}`);
    if (!theirs.body.equals(ours.body))
      problems.push(
        `customs read a ${ours.body.length}-byte body, node:http ${theirs.body.length} bytes, not the same`,
      );
    return problems;
  },
};
