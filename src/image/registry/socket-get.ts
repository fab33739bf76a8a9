/**
 * An HTTP/1.1 GET whose response body is read from the socket straight into
 * pooled READ_CHUNK buffers (net.Socket's `onread`): what a layer download
 * goes through (docs/adr/0009 decision 23). An HTTP client that hands the body
 * over as it arrives gives a fresh buffer per socket read, and collecting a
 * gigabyte of them, plus copying them into the layer's read chunks, cost a
 * registry scan more CPU than its inflate saved over the OCI layout.
 *
 * One request per connection (`connection: close`); the head is read strictly
 * (http1-head.ts); the body is framed by Content-Length, the chunked coding
 * (undone in place, chunked-decoder.ts) or the server closing the connection.
 * Redirects, authentication and retries are the caller's (registry-client.ts).
 */
import type { LookupFunction, Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { nodeNet, nodeTls } from '../../core/index.js';
import { takeChunk } from '../chunk-pool.js';
import { ChunkedDecoder } from './chunked-decoder.js';
import { type BodyFraming, HeadError, headEnd, parseHead } from './http1-head.js';

export interface SocketGetOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly rejectUnauthorized: boolean;
  readonly ca?: readonly string[];
  /** Resolves (and may refuse) the host, as dns.lookup does. */
  readonly lookup?: LookupFunction;
  readonly signal: AbortSignal;
  readonly connectTimeout: number;
  /** From the request sent to the whole head received. */
  readonly headersTimeout: number;
  /** Longest wait for more of the body while it is being read. */
  readonly bodyTimeout: number;
  /** What a failure while the body is read becomes (the caller's error codes); as it is by default. */
  readonly bodyError?: (e: Error) => Error;
}

export interface SocketResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** The body in READ_CHUNK buffers lent by the chunk pool (full but the last). */
  readonly body: Readable;
}

/** Longest response head read (what undici and node:http accept by default). */
const MAX_HEAD = 16 * 1024;
/** Filled buffers waiting for the reader before the socket stops reading. */
const QUEUE = 2;
/** A header value customs sends: no CR, LF or NUL, which would end or split the field. */
const FIELD_VALUE = /^[\t -~\x80-\xff]*$/;

/** A socket-level failure, coded as Node's own are (the caller retries by code). */
function failure(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Send a GET for `url` (http: or https:) and read the response's head; the body streams after. */
export function socketGet(url: URL, opts: SocketGetOptions): Promise<SocketResponse> {
  return new Exchange(url, opts).head;
}

class Exchange {
  readonly head: Promise<SocketResponse>;
  private readonly socket: Socket;
  private phase: 'head' | 'body' | 'done' = 'head';
  private headBuf: Buffer | undefined = Buffer.allocUnsafe(MAX_HEAD);
  private headLen = 0;
  private framing: BodyFraming = { kind: 'close' };
  /** Body bytes still to come (Content-Length framing). */
  private remaining = 0;
  private decoder: ChunkedDecoder | undefined;
  /** The buffer being filled, and how far. */
  private current: Buffer | undefined;
  private filled = 0;
  /** Where the next read lands: `current` from `filled`, or nowhere customs keeps. */
  private intoCurrent = false;
  private readonly queue: Buffer[] = [];
  private failed: Error | undefined;
  private waiter: { resolve: (c: Buffer | null) => void; reject: (e: Error) => void } | undefined;
  private paused = false;
  private timer: NodeJS.Timeout | undefined;
  private resolveHead!: (r: SocketResponse) => void;
  private rejectHead!: (e: Error) => void;
  private readonly onAbort = (): void => {
    const e = failure('ABORT_ERR', 'the request was cancelled');
    e.name = 'AbortError';
    this.fail(e);
  };

  constructor(
    private readonly url: URL,
    private readonly opts: SocketGetOptions,
  ) {
    this.head = new Promise((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    const request = this.request();
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const https = url.protocol === 'https:';
    const port = Number(url.port) || (https ? 443 : 80);
    const onread = { buffer: () => this.nextBuffer(), callback: (n: number) => this.onRead(n) };
    const lookup = opts.lookup ? { lookup: opts.lookup } : {};
    if (https) {
      const net = nodeNet();
      const tlsOptions: ConnectionOptions & { onread: typeof onread } = {
        host,
        port,
        ALPNProtocols: ['http/1.1'],
        rejectUnauthorized: opts.rejectUnauthorized,
        ...(opts.ca ? { ca: [...opts.ca] } : {}),
        ...(net.isIP(host) === 0 ? { servername: host } : {}),
        ...lookup,
        onread,
      };
      this.socket = nodeTls().connect(tlsOptions);
    } else {
      this.socket = nodeNet().connect({ host, port, ...lookup, onread });
    }
    this.arm(opts.connectTimeout, 'ETIMEDOUT', `connecting to ${url.host} took longer than ${opts.connectTimeout} ms`);
    this.socket.once(https ? 'secureConnect' : 'connect', () => {
      this.arm(
        opts.headersTimeout,
        'CUSTOMS_HEADERS_TIMEOUT',
        `${url.host} sent no response head within ${opts.headersTimeout} ms`,
      );
    });
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => this.onEnd());
    this.socket.on('timeout', () =>
      this.fail(failure('ETIMEDOUT', `${url.host} sent nothing more of the body for ${opts.bodyTimeout} ms`)),
    );
    if (opts.signal.aborted) this.onAbort();
    else opts.signal.addEventListener('abort', this.onAbort, { once: true });
    this.socket.write(request);
  }

  private request(): string {
    let text = `GET ${this.url.pathname}${this.url.search} HTTP/1.1\r\nhost: ${this.url.host}\r\nconnection: close\r\n`;
    for (const [name, value] of Object.entries(this.opts.headers)) {
      if (!FIELD_VALUE.test(value))
        throw failure('CUSTOMS_HEADER_VALUE', `the ${name} header holds a control character`);
      text += `${name}: ${value}\r\n`;
    }
    return `${text}\r\n`;
  }

  /** One timer at a time: connecting, then waiting for the head. */
  private arm(ms: number, code: string, message: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fail(failure(code, message)), ms);
    this.timer.unref?.();
  }

  /** Where the socket reads next (onread's buffer generator, asked after every read). */
  private nextBuffer(): Uint8Array {
    this.intoCurrent = false;
    if (this.phase === 'head' && this.headBuf) return this.headBuf.subarray(this.headLen);
    if (this.phase === 'body' && this.current) {
      let room = this.current.length - this.filled;
      if (this.framing.kind === 'length') room = Math.min(room, this.remaining);
      if (room > 0) {
        this.intoCurrent = true;
        return this.current.subarray(this.filled, this.filled + room);
      }
    }
    // Past the end of the body: whatever else the server sends is not kept.
    return SCRATCH;
  }

  /** onread's callback: `n` bytes landed where nextBuffer said. Returns false to stop reading. */
  private onRead(n: number): boolean {
    try {
      if (this.phase === 'head') this.onHeadBytes(n);
      else if (this.phase === 'body' && this.intoCurrent) this.onBodyBytes(this.filled, n);
    } catch (e) {
      this.fail(e as Error);
      return false;
    }
    if (this.queue.length >= QUEUE && this.phase === 'body') {
      this.paused = true;
      this.socket.setTimeout(0);
      return false;
    }
    return true;
  }

  private onHeadBytes(n: number): void {
    const buf = this.headBuf as Buffer;
    this.headLen += n;
    for (;;) {
      const end = headEnd(buf, this.headLen);
      if (end < 0) {
        if (this.headLen >= MAX_HEAD)
          throw new HeadError(`${this.url.host} sent a response head over ${MAX_HEAD} bytes`);
        return;
      }
      const head = parseHead(buf.toString('latin1', 0, end - 4), 'GET');
      const rest = this.headLen - end;
      buf.copyWithin(0, end, this.headLen);
      this.headLen = rest;
      if (head.statusCode === 101) throw new HeadError(`${this.url.host} switched protocols (HTTP 101) on a GET`);
      // An interim response (100 Continue, 103 Early Hints): the real head follows.
      if (head.statusCode < 200) continue;
      clearTimeout(this.timer);
      this.framing = head.framing;
      this.phase = 'body';
      if (head.framing.kind === 'length') this.remaining = head.framing.length;
      if (head.framing.kind === 'chunked') this.decoder = new ChunkedDecoder();
      this.current = takeChunk();
      this.filled = 0;
      this.socket.setTimeout(this.opts.bodyTimeout);
      this.resolveHead({ statusCode: head.statusCode, headers: head.headers, body: new SocketBody(this) });
      // Body bytes read with the head.
      const take = this.framing.kind === 'length' ? Math.min(rest, this.remaining) : rest;
      buf.copy(this.current, 0, 0, take);
      this.headBuf = undefined;
      this.onBodyBytes(0, take);
      return;
    }
  }

  /** `n` body bytes landed in `current` at `at` (= filled). */
  private onBodyBytes(at: number, n: number): void {
    const current = this.current as Buffer;
    if (this.decoder) {
      this.filled = this.decoder.decode(current, at, at + n);
      if (this.decoder.done) {
        this.finish();
        return;
      }
    } else {
      this.filled = at + n;
      if (this.framing.kind === 'length') {
        this.remaining -= n;
        if (this.remaining === 0) {
          this.finish();
          return;
        }
      }
    }
    if (this.filled === current.length) {
      this.queue.push(current);
      this.current = takeChunk();
      this.filled = 0;
      this.wake();
    }
  }

  /** The whole body is read: hand over the last buffer and let the connection go. */
  private finish(): void {
    if (this.phase !== 'body') return;
    this.phase = 'done';
    if (this.current && this.filled > 0) this.queue.push(this.current.subarray(0, this.filled));
    this.current = undefined;
    this.cleanup();
    this.socket.destroy();
    this.wake();
  }

  private onEnd(): void {
    if (this.phase === 'done' || this.failed) return;
    if (this.phase === 'body' && this.framing.kind === 'close') {
      this.finish();
      return;
    }
    const what =
      this.phase === 'head'
        ? `${this.url.host} closed the connection before a response head`
        : this.framing.kind === 'length'
          ? `${this.url.host} closed the connection ${this.remaining} bytes before the end of the body`
          : `${this.url.host} closed the connection before the last chunk of the body`;
    this.fail(failure('ECONNRESET', what));
  }

  private fail(e: Error): void {
    if (this.failed || this.phase === 'done') return;
    this.failed = e;
    this.phase = 'done';
    this.cleanup();
    this.socket.destroy();
    this.rejectHead(e);
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(e);
  }

  private cleanup(): void {
    clearTimeout(this.timer);
    this.opts.signal.removeEventListener('abort', this.onAbort);
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    this.next().then(w.resolve, w.reject);
  }

  /** The next filled buffer of the body, or null after the last. */
  next(): Promise<Buffer | null> {
    const c = this.queue.shift();
    if (c) {
      if (this.paused && this.queue.length < QUEUE && this.phase === 'body') {
        this.paused = false;
        this.socket.setTimeout(this.opts.bodyTimeout);
        this.socket.resume();
      }
      return Promise.resolve(c);
    }
    if (this.failed) return Promise.reject(this.failed);
    if (this.phase === 'done') return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  bodyError(e: Error): Error {
    return this.opts.bodyError ? this.opts.bodyError(e) : e;
  }

  /** Stop reading: the body is not wanted (any more). */
  close(): void {
    if (this.phase !== 'done') {
      this.phase = 'done';
      this.cleanup();
      this.socket.destroy();
    }
    this.queue.length = 0;
  }
}

/** Where bytes past the end of a body are read to and dropped. */
const SCRATCH = Buffer.allocUnsafe(4096);

/** The body as a stream of pooled chunks; each is the reader's to release (chunk-pool.ts). */
class SocketBody extends Readable {
  constructor(private readonly exchange: Exchange) {
    super({ highWaterMark: 1 });
  }

  override _read(): void {
    this.exchange.next().then(
      (c) => this.push(c),
      (e: Error) => this.destroy(this.exchange.bodyError(e)),
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.exchange.close();
    cb(err);
  }
}
