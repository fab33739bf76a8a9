/**
 * The chunked transfer coding (RFC 9112 §7.1) undone in place: the bytes a
 * socket read into a buffer are compacted to the chunk data they carry, so a
 * chunked blob lands in the same read buffers a sized one does, with no copy
 * but the move past each chunk's framing. Strict: a malformed size line, a
 * missing CRLF, an extension or a trailer line out of grammar, or an over-long
 * one, is an error.
 */
import { FIELD_LINE } from './http1-head.js';

/** The framing of a chunked body is wrong: the message says where. */
export class ChunkedError extends Error {
  readonly code = 'CUSTOMS_HTTP_CHUNKED';
}

/** At most 2^52 bytes in one chunk: 13 hex digits, exact as a number. */
const MAX_SIZE_DIGITS = 13;
/** Longest chunk size line accepted, extension included (customs ignores extensions; registries send none). */
const MAX_SIZE_LINE = 4096;
/** Most bytes of trailer fields accepted after the last chunk. */
const MAX_TRAILERS = 64 * 1024;

// Where the decoder is in the framing (its state).
/** Reading a chunk size's hex digits. */
const S_SIZE = 0;
/** Past the digits: a chunk extension, up to CR. */
const S_EXTENSION = 1;
/** The LF after a size line's CR. */
const S_SIZE_LF = 2;
const S_DATA = 3;
/** The CR after a chunk's data. */
const S_DATA_CR = 4;
const S_DATA_LF = 5;
/** The start of a trailer line, or the CR of the blank line that ends the body. */
const S_TRAILER_START = 6;
/** Inside a trailer line, up to CR. */
const S_TRAILER = 7;
const S_TRAILER_LF = 8;
/** The LF of the blank line that ends the body. */
const S_END_LF = 9;
const S_DONE = 10;

const HEX: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[65 + i] = 10 + i;
    t[97 + i] = 10 + i;
  }
  return t;
})();

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
/** chunk-ext (RFC 9112 §7.1.1) with no whitespace around ";" and "=" (none is sent; llhttp refuses it too). */
const CHUNK_EXTENSIONS = new RegExp(
  `^(?:;${TOKEN}(?:=(?:${TOKEN}|"(?:[\\t !#-\\[\\]-~\\x80-\\xff]|\\\\[\\t -~\\x80-\\xff])*"))?)+$`,
);

export class ChunkedDecoder {
  private state: number = S_SIZE;
  private digits = 0;
  private size = 0;
  /** Data bytes left in the current chunk. */
  private left = 0;
  /** Bytes of the current size line so far (digits and extension). */
  private line = 0;
  private trailers = 0;
  /** The extension of the current size line, or the current trailer line, as read so far. */
  private text = '';

  /** Whether the last chunk and the trailer section have been read: the body is complete. */
  get done(): boolean {
    return this.state === S_DONE;
  }

  /**
   * Decode `buf[start, end)` in place: the chunk data in it is moved down to begin at `start`.
   * Returns where that data ends. Bytes after the end of the body are ignored.
   */
  decode(buf: Uint8Array, start: number, end: number): number {
    let w = start;
    let i = start;
    while (i < end) {
      if (this.state === S_DATA) {
        const take = Math.min(this.left, end - i);
        if (w !== i) buf.copyWithin(w, i, i + take);
        w += take;
        i += take;
        this.left -= take;
        if (this.left === 0) this.state = S_DATA_CR;
        continue;
      }
      const b = buf[i++] as number;
      switch (this.state) {
        case S_SIZE: {
          const v = HEX[b] as number;
          if (v >= 0) {
            if (++this.line > MAX_SIZE_LINE)
              throw new ChunkedError(`a chunk size line is longer than ${MAX_SIZE_LINE} bytes`);
            if (this.digits > 0 || v > 0) this.digits++;
            if (this.digits > MAX_SIZE_DIGITS) throw new ChunkedError('a chunk size is larger than 2^52 bytes');
            this.size = this.size * 16 + v;
            continue;
          }
          if (this.line === 0) throw new ChunkedError(`a chunk size line starts with byte ${b}, not a hex digit`);
          if (b === 13) this.state = S_SIZE_LF;
          else if (b === 59) {
            this.text = ';';
            this.state = S_EXTENSION;
          } else throw new ChunkedError(`a chunk size is followed by byte ${b}, not ";" or CRLF`);
          continue;
        }
        case S_EXTENSION:
          if (b === 13) {
            if (!CHUNK_EXTENSIONS.test(this.text))
              throw new ChunkedError(`not a chunk extension: ${JSON.stringify(this.text.slice(0, 80))}`);
            this.state = S_SIZE_LF;
          } else if (++this.line > MAX_SIZE_LINE)
            throw new ChunkedError(`a chunk size line is longer than ${MAX_SIZE_LINE} bytes`);
          else this.text += String.fromCharCode(b);
          continue;
        case S_SIZE_LF:
          if (b !== 10) throw new ChunkedError('a chunk size line ends in CR without LF');
          if (this.size === 0) this.state = S_TRAILER_START;
          else {
            this.left = this.size;
            this.state = S_DATA;
          }
          this.size = 0;
          this.digits = 0;
          this.line = 0;
          continue;
        case S_DATA_CR:
          if (b !== 13) throw new ChunkedError('chunk data is longer than its size line says');
          this.state = S_DATA_LF;
          continue;
        case S_DATA_LF:
          if (b !== 10) throw new ChunkedError('chunk data ends in CR without LF');
          this.state = S_SIZE;
          continue;
        case S_TRAILER_START:
          this.state = b === 13 ? S_END_LF : S_TRAILER;
          this.text = '';
          if (b !== 13) i--;
          continue;
        case S_TRAILER:
          if (b === 13) {
            if (!FIELD_LINE.test(this.text))
              throw new ChunkedError(`not a trailer field: ${JSON.stringify(this.text.slice(0, 80))}`);
            this.state = S_TRAILER_LF;
          } else if (++this.trailers > MAX_TRAILERS)
            throw new ChunkedError(`the trailer section is longer than ${MAX_TRAILERS} bytes`);
          else this.text += String.fromCharCode(b);
          continue;
        case S_TRAILER_LF:
          if (b !== 10) throw new ChunkedError('a trailer field ends in CR without LF');
          this.state = S_TRAILER_START;
          continue;
        case S_END_LF:
          if (b !== 10) throw new ChunkedError('the chunked body ends in CR without LF');
          this.state = S_DONE;
          return w;
        case S_DONE:
          return w;
      }
    }
    return w;
  }
}
