/**
 * A layer's stored bytes carried from the thread that reads them (a registry
 * download) to a layer thread that verifies, decodes and walks them, so the
 * hashing, inflating and walking of a registry layer use the second core as a
 * local file's do (docs/adr/0009).
 *
 * One MessagePort per layer job; the worker may open the bytes more than once
 * (a second pass of the walk), each opening a numbered stream:
 *   worker → reader  {open: n} | {pull: n} | {close: n} | {give: ArrayBuffer}
 *   reader → worker  {n, chunk: ArrayBuffer, length} | {n, end: true} | {n, error: WireError}
 * Chunks are READ_CHUNK buffers moved (transferred, not copied) to the worker;
 * when its reader is past one (chunk-pool.ts releaseChunk) it moves back to this
 * thread's pool, so a layer crosses with a handful of buffers. A download that
 * reads into pooled chunks itself (registry/socket-get.ts) has its chunks moved
 * as they are; any other stream is copied into chunks. The reader reads one chunk ahead of
 * the worker's pull; the worker pulls one at a time (highWaterMark 1).
 */
import { Readable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import { CustomsError, fromWireError, toWireError, type WireError } from '../core/index.js';
import { adoptChunk, claimChunk, keepChunk, ownChunk, releaseChunk } from './chunk-pool.js';

type ToReader =
  | { readonly open: number }
  | { readonly pull: number }
  | { readonly close: number }
  | { readonly give: ArrayBuffer };

type ToWorker =
  | { readonly n: number; readonly chunk: ArrayBuffer; readonly length: number }
  | { readonly n: number; readonly end: true }
  | { readonly n: number; readonly error: WireError };

/** A filled chunk, or the end of the bytes. */
type Fill = { readonly chunk: ArrayBuffer; readonly length: number } | 'end';

/** One opening of the bytes, on the reading side: the chunk being filled ahead of the next pull. */
class Served {
  closed = false;
  private raw: Readable | undefined;
  private it: AsyncIterator<Buffer> | undefined;
  /** The part of a download chunk that did not fit the last buffer. */
  private rest: Buffer | undefined;
  next: Promise<Fill>;

  constructor(open: () => Promise<Readable>) {
    this.next = this.guard(
      open().then((raw) => {
        this.raw = raw;
        if (this.closed) raw.destroy();
        this.it = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
        return this.fill();
      }),
    );
  }

  /** Start filling the next buffer (the download goes on while the worker works on the last one). */
  advance(): void {
    this.next = this.guard(this.fill());
  }

  close(): void {
    this.closed = true;
    this.raw?.destroy();
  }

  /** A rejection is reported when pulled; until then it must not count as unhandled. */
  private guard(p: Promise<Fill>): Promise<Fill> {
    p.catch(() => undefined);
    return p;
  }

  private async fill(): Promise<Fill> {
    const it = this.it as AsyncIterator<Buffer>;
    if (!this.rest) {
      const r = await it.next();
      if (r.done) return 'end';
      // A read chunk the download filled from the socket itself (registry/socket-get.ts) moves
      // to the worker as it is: no copy.
      const whole = r.value.byteOffset === 0 && r.value.length > 0 ? claimChunk(r.value) : undefined;
      if (whole) return { chunk: whole, length: r.value.length };
      this.rest = r.value;
    }
    const chunk = ownChunk();
    const into = new Uint8Array(chunk);
    let used = 0;
    while (used < into.length) {
      let piece: Buffer | undefined = this.rest;
      this.rest = undefined;
      if (!piece) {
        const r = await it.next();
        if (r.done) break;
        piece = r.value;
      }
      const take = Math.min(piece.length, into.length - used);
      into.set(piece.subarray(0, take), used);
      used += take;
      if (take < piece.length) this.rest = piece.subarray(take);
      else releaseChunk(piece);
    }
    if (used > 0) return { chunk, length: used };
    keepChunk(chunk);
    return 'end';
  }
}

/**
 * Serve `open()`'s bytes on `port` (the reading side). Returns a function that
 * stops serving: every open stream is destroyed and the port closed.
 */
export function servePipe(port: MessagePort, open: () => Promise<Readable>): () => void {
  const streams = new Map<number, Served>();
  let stopped = false;
  const send = (m: ToWorker, transfer?: ArrayBuffer[]): void => {
    if (!stopped) port.postMessage(m, transfer);
  };

  const pull = async (n: number): Promise<void> => {
    const s = streams.get(n);
    if (!s) return;
    try {
      const got = await s.next;
      if (s.closed) return;
      if (got === 'end') {
        send({ n, end: true });
        return;
      }
      s.advance();
      send({ n, chunk: got.chunk, length: got.length }, [got.chunk]);
    } catch (e) {
      if (!s.closed) send({ n, error: toWireError(e) });
    }
  };
  const close = (n: number): void => {
    streams.get(n)?.close();
    streams.delete(n);
  };

  port.on('message', (m: ToReader) => {
    if ('give' in m) {
      keepChunk(m.give);
    } else if ('open' in m) streams.set(m.open, new Served(open));
    else if ('pull' in m) void pull(m.pull);
    else close(m.close);
  });

  return () => {
    stopped = true;
    for (const n of [...streams.keys()]) close(n);
    port.close();
  };
}

/** Per port (worker side): the streams open on it, by number. */
const routes = new WeakMap<MessagePort, { next: number; streams: Map<number, PipeStream> }>();

class PipeStream extends Readable {
  constructor(
    private readonly port: MessagePort,
    private readonly n: number,
  ) {
    super({ highWaterMark: 1 });
    port.postMessage({ open: n } satisfies ToReader);
  }

  override _read(): void {
    this.port.postMessage({ pull: this.n } satisfies ToReader);
  }

  receive(m: ToWorker): void {
    if ('chunk' in m) {
      adoptChunk(m.chunk, (ab) => this.port.postMessage({ give: ab } satisfies ToReader, [ab]));
      this.push(Buffer.from(m.chunk, 0, m.length));
    } else if ('end' in m) this.push(null);
    else this.destroy(fromWireError(m.error));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    routes.get(this.port)?.streams.delete(this.n);
    this.port.postMessage({ close: this.n } satisfies ToReader);
    cb(err);
  }
}

/** Open the bytes served on `port` (the worker side): a new stream each call. */
export function pipeStream(port: MessagePort): Readable {
  let route = routes.get(port);
  if (!route) {
    const r = { next: 0, streams: new Map<number, PipeStream>() };
    route = r;
    routes.set(port, r);
    port.on('message', (m: ToWorker) => r.streams.get(m.n)?.receive(m));
    port.on('close', () => {
      for (const s of r.streams.values())
        s.destroy(new CustomsError('ABORTED', 'the thread reading the layer stopped sending it'));
    });
  }
  const n = route.next++;
  const stream = new PipeStream(port, n);
  route.streams.set(n, stream);
  return stream;
}
