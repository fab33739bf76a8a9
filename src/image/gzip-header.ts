/**
 * A gzip member's header (RFC 1952 §2.3.1), read as its bytes arrive. The ISA-L
 * inflater (gzip-inflater.ts) reads each member's header with it and hands ISA-L
 * only the deflate data and trailer that follow.
 */
const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/**
 * A gzip member's header (RFC 1952 §2.3.1), read as its bytes arrive in any pieces:
 * ID1 ID2 CM FLG MTIME(4) XFL OS, then XLEN and the extra field (FEXTRA), the
 * zero-terminated name (FNAME) and comment (FCOMMENT), and the CRC16 of all of it
 * (FHCRC), checked. Refused as zlib refuses them: a wrong ID, a method other than
 * deflate, a reserved flag bit (the RFC says a decoder must), a wrong header CRC.
 */
export class GzipHeaderReader {
  /** Bytes of the header read so far. */
  private at = 0;
  private flags = 0;
  /** Where the variable part is: 'fixed', 'xlen', 'extra', 'name', 'comment', 'hcrc', 'done'. */
  private part: 'fixed' | 'xlen' | 'extra' | 'name' | 'comment' | 'hcrc' | 'done' = 'fixed';
  /** Bytes left of the current part (xlen, extra, hcrc). */
  private left = 0;
  private value = 0;
  private crc = -1;

  get complete(): boolean {
    return this.part === 'done';
  }

  reset(): void {
    this.at = 0;
    this.flags = 0;
    this.part = 'fixed';
    this.left = 0;
    this.value = 0;
    this.crc = -1;
  }

  /** Reads header bytes from `offset`: where the header's bytes end in `input`, or what is wrong. */
  read(input: Buffer, offset: number): number | string {
    let i = offset;
    while (i < input.length && this.part !== 'done') {
      const b = input[i++] as number;
      if (this.part !== 'hcrc') this.crc = (CRC_TABLE[(this.crc ^ b) & 0xff] as number) ^ (this.crc >>> 8);
      switch (this.part) {
        case 'fixed':
          if ((this.at === 0 && b !== 0x1f) || (this.at === 1 && b !== 0x8b)) return 'incorrect header check';
          if (this.at === 2 && b !== 8) return 'unknown compression method';
          if (this.at === 3) {
            if ((b & 0xe0) !== 0) return 'unknown header flags set';
            this.flags = b;
          }
          if (++this.at === 10) this.next('xlen');
          break;
        case 'xlen':
          this.value |= b << (8 * (2 - this.left));
          if (--this.left === 0) {
            this.left = this.value;
            this.next('extra');
          }
          break;
        case 'extra':
          if (--this.left === 0) this.next('name');
          break;
        case 'name':
          if (b === 0) this.next('comment');
          break;
        case 'comment':
          if (b === 0) this.next('hcrc');
          break;
        case 'hcrc':
          this.value |= b << (8 * (2 - this.left));
          if (--this.left === 0) {
            if (this.value !== (~this.crc & 0xffff)) return 'header crc mismatch';
            this.part = 'done';
          }
          break;
      }
    }
    return i;
  }

  /** Moves to `part`, or past it when the flags say it is absent (or empty, for the extra field). */
  private next(part: 'xlen' | 'extra' | 'name' | 'comment' | 'hcrc'): void {
    const order = ['xlen', 'extra', 'name', 'comment', 'hcrc'] as const;
    for (let k = order.indexOf(part); k < order.length; k++) {
      const p = order[k] as (typeof order)[number];
      const left = this.sizeOf(p);
      if (left !== undefined) {
        this.enter(p, left);
        return;
      }
    }
    this.part = 'done';
  }

  /** Bytes to read of `p` (0: up to a zero byte), or undefined when this header has none. */
  private sizeOf(p: 'xlen' | 'extra' | 'name' | 'comment' | 'hcrc'): number | undefined {
    switch (p) {
      case 'xlen':
        return this.flags & FEXTRA ? 2 : undefined;
      case 'extra':
        return this.left > 0 ? this.left : undefined;
      case 'name':
        return this.flags & FNAME ? 0 : undefined;
      case 'comment':
        return this.flags & FCOMMENT ? 0 : undefined;
      case 'hcrc':
        return this.flags & FHCRC ? 2 : undefined;
    }
  }

  private enter(part: 'xlen' | 'extra' | 'name' | 'comment' | 'hcrc', left: number): void {
    this.part = part;
    this.left = left;
    if (part === 'xlen' || part === 'hcrc') this.value = 0;
  }
}
