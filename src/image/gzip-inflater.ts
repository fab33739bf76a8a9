/**
 * The gzip inflaters a layer decoder can use: Intel ISA-L through the native addon
 * (native/isal-inflate.c, built by scripts/build-native.sh) when it loads, node:zlib
 * otherwise. Both run on libuv's thread pool, so the thread that hashes and walks the
 * tar overlaps the inflate of the next chunk, and both follow the same gzip rules:
 * concatenated members are one stream; after a member, a zero byte ends the stream
 * (what follows is padding and is ignored, as node:zlib does), any other byte must
 * start a new member; a stream that ends inside a member is truncated.
 * ISA-L spends a quarter to a third less CPU per inflated byte than node:zlib here
 * (docs/adr/0010-native-inflate.md). CUSTOMS_INFLATE=zlib forces node:zlib.
 */
import { createRequire } from 'node:module';
import { nodeZlib } from '../core/index.js';
import { releaseChunk, takeChunk } from './chunk-pool.js';
import { GzipHeaderReader } from './gzip-header.js';

/** What an inflater reports when the stream fails. */
export interface InflateFailure {
  /** The stream ended inside a member (the blob is cut short), as against corrupt bytes. */
  readonly truncated: boolean;
  readonly detail: string;
}

export interface GzipInflater {
  /** Inflates `chunk`; `done` runs once every byte of it is consumed (the buffer may then be reused). */
  write(chunk: Buffer, done: () => void): void;
  /** No more input: `done` runs after the last output, or not at all if the stream fails. */
  end(done: () => void): void;
  /** Stops at once: no more output, callbacks or failures. */
  destroy(): void;
}

export interface InflaterEvents {
  readonly data: (out: Buffer) => void;
  readonly error: (failure: InflateFailure) => void;
}

/** The addon's surface (native/isal-inflate.c). */
interface IsalAddon {
  create(): object;
  reset(handle: object): void;
  inflate(
    handle: object,
    input: Buffer,
    inOffset: number,
    output: Buffer,
    outOffset: number,
    callback: (status: number, consumed: number, produced: number, memberEnded: boolean) => void,
  ): void;
}

/** ISA-L's return codes (igzip_lib.h) in zlib's words, so messages read the same either way. */
const ISAL_ERRORS: Readonly<Record<number, string>> = {
  [-1]: 'invalid block type',
  [-2]: 'invalid code (symbol)',
  [-3]: 'invalid distance too far back',
  [-4]: 'incorrect header check',
  [-5]: 'unknown compression method',
  [-6]: 'incorrect data check',
  [-100]: 'inflate cancelled (the thread is stopping)',
};

let addon: IsalAddon | null | undefined;
let loadError: string | undefined;

function loadAddon(): IsalAddon | null {
  if (addon !== undefined) return addon;
  try {
    // dist/image/ and dist/bundle/ both sit beside dist/native/.
    const path = new URL('../native/isal-inflate.node', import.meta.url).pathname;
    addon = createRequire(import.meta.url)(path) as IsalAddon;
  } catch (e) {
    loadError = (e as Error).message.split('\n')[0];
    addon = null;
  }
  return addon;
}

/** The addon when gzip layers are to use it: loaded, and not switched off by CUSTOMS_INFLATE=zlib. */
function chosenAddon(): IsalAddon | null {
  return process.env.CUSTOMS_INFLATE === 'zlib' ? null : loadAddon();
}

/** Which inflater gzip layers use, and why not ISA-L when it is not. */
export function gzipInflaterName(): string {
  if (chosenAddon()) return 'isa-l';
  const why = process.env.CUSTOMS_INFLATE === 'zlib' ? 'CUSTOMS_INFLATE=zlib' : `ISA-L addon not loaded: ${loadError}`;
  return `node:zlib (${why})`;
}

/**
 * An inflater for one gzip stream; `prefer` picks one for tests and measurements
 * ('isa-l' whatever CUSTOMS_INFLATE says).
 * node:zlib emits `chunkSize`-byte buffers of its own. ISA-L fills pooled read chunks
 * (chunk-pool.ts) and emits each once it is full (the last one at the end), so the
 * stream's last reader hands them back and the tar costs no garbage.
 */
export function createGzipInflater(
  chunkSize: number,
  on: InflaterEvents,
  prefer: 'auto' | 'isa-l' | 'zlib' = 'auto',
): GzipInflater {
  const native = prefer === 'zlib' ? null : prefer === 'isa-l' ? loadAddon() : chosenAddon();
  if (native) return new IsalGunzip(native, on);
  if (prefer === 'isa-l') throw new Error(`the ISA-L inflate addon is not available: ${loadError}`);
  return zlibGunzip(chunkSize, on);
}

function zlibGunzip(chunkSize: number, on: InflaterEvents): GzipInflater {
  const g = nodeZlib().createGunzip({ chunkSize });
  let dead = false;
  // zlib ends its output as soon as the last member ends, which can be before `end` is asked.
  let ended = false;
  let onEnd: (() => void) | undefined;
  g.on('data', (d: Buffer) => on.data(d));
  g.on('end', () => {
    ended = true;
    if (!dead) onEnd?.();
  });
  g.on('error', (e: Error & { code?: string }) => {
    if (dead) return;
    dead = true;
    on.error({ truncated: e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message), detail: e.message });
  });
  return {
    write: (chunk, done) => {
      g.write(chunk, () => done());
    },
    end: (done) => {
      if (dead) return;
      if (ended) {
        done();
        return;
      }
      onEnd = done;
      g.end();
    },
    destroy: () => {
      dead = true;
      g.destroy();
    },
  };
}

/** Where the stream is between calls. */
type Phase = 'header' | 'member' | 'between' | 'padding';

class IsalGunzip implements GzipInflater {
  private readonly handle: object;
  private out: Buffer;
  private outOffset = 0;
  private phase: Phase = 'header';
  private readonly header = new GzipHeaderReader();
  private dead = false;

  constructor(
    private readonly native: IsalAddon,
    private readonly on: InflaterEvents,
  ) {
    this.handle = native.create();
    this.out = takeChunk();
  }

  write(chunk: Buffer, done: () => void): void {
    this.step(chunk, 0, false, done);
  }

  end(done: () => void): void {
    if (this.dead) return;
    if (this.phase === 'header' || this.phase === 'member') {
      this.fail({ truncated: true, detail: 'unexpected end of file' });
      return;
    }
    if (this.outOffset > 0) this.on.data(this.out.subarray(0, this.outOffset));
    else releaseChunk(this.out);
    this.outOffset = 0;
    if (!this.dead) done();
  }

  /** The chunk being filled is left to the collector: an inflate in flight may still write it. */
  destroy(): void {
    this.dead = true;
  }

  /** Inflates `input` from `offset`; `drain` asks for output ISA-L holds after a call that filled the buffer. */
  private step(input: Buffer, offset: number, drain: boolean, done: () => void): void {
    if (this.dead) return;
    if (this.phase === 'padding' || (offset >= input.length && !drain)) {
      done();
      return;
    }
    if (this.phase === 'between') {
      if (input[offset] === 0) {
        this.phase = 'padding';
        done();
        return;
      }
      this.native.reset(this.handle);
      this.header.reset();
      this.phase = 'header';
    }
    if (this.phase === 'header') {
      const read = this.header.read(input, offset);
      if (typeof read === 'string') {
        this.fail({ truncated: false, detail: read });
        return;
      }
      offset = read;
      if (!this.header.complete) {
        done();
        return;
      }
      this.phase = 'member';
      if (offset >= input.length) {
        done();
        return;
      }
    }
    const space = this.out.length - this.outOffset;
    this.native.inflate(this.handle, input, offset, this.out, this.outOffset, (status, consumed, produced, ended) => {
      if (this.dead) return;
      if (status < 0) {
        this.fail({ truncated: false, detail: ISAL_ERRORS[status] ?? `ISA-L error ${status}` });
        return;
      }
      this.outOffset += produced;
      if (this.outOffset === this.out.length) {
        const full = this.out;
        this.out = takeChunk();
        this.outOffset = 0;
        this.on.data(full);
        if (this.dead) return;
      }
      const next = offset + consumed;
      if (ended) this.phase = 'between';
      else if (consumed === 0 && produced === 0 && next < input.length) {
        this.fail({ truncated: false, detail: 'inflate made no progress' });
        return;
      }
      // A full output buffer may leave decoded bytes inside ISA-L: ask again before taking more input.
      this.step(input, next, !ended && produced === space, done);
    });
  }

  private fail(failure: InflateFailure): void {
    if (this.dead) return;
    this.dead = true;
    this.on.error(failure);
  }
}
