import { invalidFile } from './limits.js';

/**
 * A minimal, bounds-checked ELF reader (System V gABI, "ELF Header",
 * "Section Header", "Program Header"): 32/64-bit, both byte orders. Only what
 * the binary analyzers need: named sections and loadable segments, so a
 * virtual address can be mapped back to file bytes.
 */

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

export interface ElfSection {
  readonly name: string;
  readonly type: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
}

export interface ElfSegment {
  readonly type: number;
  readonly vaddr: number;
  readonly offset: number;
  readonly filesz: number;
}

export interface ElfFile {
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
}

/** SHT_NOBITS: the section occupies no file space (.bss). */
const SHT_NOBITS = 8;
/** PT_LOAD: a loadable segment. */
export const PT_LOAD = 1;
/** Real binaries have tens of sections; the 16-bit field caps them anyway (extended numbering aside). */
const MAX_SECTIONS = 65_535;
const MAX_SEGMENTS = 65_535;

export function parseElf(buf: Buffer, path: string): ElfFile {
  if (!isElf(buf) || buf.length < 52) throw invalidFile(path, 'not an ELF file');
  const cls = buf[4];
  const data = buf[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2))
    throw invalidFile(path, 'ELF header has an unknown class or byte order');
  const bits = cls === 2 ? 64 : 32;
  const le = data === 1;
  if (bits === 64 && buf.length < 64) throw invalidFile(path, 'ELF header truncated');
  const r = reader(buf, le, path);
  const word = (off: number): number => (bits === 64 ? r.u64(off) : r.u32(off));

  const phoff = word(bits === 64 ? 0x20 : 0x1c);
  const shoff = word(bits === 64 ? 0x28 : 0x20);
  const phentsize = r.u16(bits === 64 ? 0x36 : 0x2a);
  let phnum = r.u16(bits === 64 ? 0x38 : 0x2c);
  const shentsize = r.u16(bits === 64 ? 0x3a : 0x2e);
  let shnum = r.u16(bits === 64 ? 0x3c : 0x30);
  let shstrndx = r.u16(bits === 64 ? 0x3e : 0x32);
  const shMin = bits === 64 ? 64 : 40;
  const phMin = bits === 64 ? 56 : 32;

  // Extended numbering (gABI): counts that do not fit live in section 0.
  if (shoff !== 0 && shentsize >= shMin && shoff + shMin <= buf.length) {
    if (shnum === 0) shnum = word(shoff + (bits === 64 ? 32 : 20));
    if (shstrndx === 0xffff) shstrndx = r.u32(shoff + (bits === 64 ? 40 : 24));
  }
  if (phnum === 0xffff && shoff !== 0 && shoff + shMin <= buf.length) phnum = r.u32(shoff + (bits === 64 ? 44 : 28));

  const segments: ElfSegment[] = [];
  if (phoff !== 0 && phentsize >= phMin) {
    if (phnum > MAX_SEGMENTS) throw invalidFile(path, `ELF claims ${phnum} program headers`);
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      if (o + phMin > buf.length) throw invalidFile(path, 'ELF program headers run past the end of the file');
      segments.push(
        bits === 64
          ? {
              type: r.u32(o),
              offset: r.u64(o + 8),
              vaddr: r.u64(o + 16),
              filesz: r.u64(o + 32),
            }
          : {
              type: r.u32(o),
              offset: r.u32(o + 4),
              vaddr: r.u32(o + 8),
              filesz: r.u32(o + 16),
            },
      );
    }
  }

  const raw: {
    nameOff: number;
    type: number;
    addr: number;
    offset: number;
    size: number;
  }[] = [];
  if (shoff !== 0 && shentsize >= shMin) {
    if (shnum > MAX_SECTIONS) throw invalidFile(path, `ELF claims ${shnum} sections`);
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      if (o + shMin > buf.length) throw invalidFile(path, 'ELF section headers run past the end of the file');
      raw.push(
        bits === 64
          ? {
              nameOff: r.u32(o),
              type: r.u32(o + 4),
              addr: r.u64(o + 16),
              offset: r.u64(o + 24),
              size: r.u64(o + 32),
            }
          : {
              nameOff: r.u32(o),
              type: r.u32(o + 4),
              addr: r.u32(o + 12),
              offset: r.u32(o + 16),
              size: r.u32(o + 20),
            },
      );
    }
  }
  const strtab = raw[shstrndx];
  const sections: ElfSection[] = raw.map((s) => ({
    name: strtab === undefined ? '' : cString(buf, strtab.offset, strtab.size, s.nameOff),
    type: s.type,
    addr: s.addr,
    offset: s.offset,
    size: s.size,
  }));
  return { bits, littleEndian: le, sections, segments };
}

/** The file bytes of a named section, or undefined if absent, empty in the file, or out of bounds. */
export function sectionData(buf: Buffer, elf: ElfFile, name: string): Buffer | undefined {
  const s = elf.sections.find((x) => x.name === name);
  if (s === undefined || s.type === SHT_NOBITS) return undefined;
  if (s.offset > buf.length || s.size > buf.length - s.offset) return undefined;
  return buf.subarray(s.offset, s.offset + s.size);
}

/** Map a virtual address to `len` file bytes through the PT_LOAD segments; undefined when unmapped. */
export function readVirtual(buf: Buffer, elf: ElfFile, vaddr: number, len: number): Buffer | undefined {
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD) continue;
    if (vaddr < seg.vaddr || vaddr + len > seg.vaddr + seg.filesz) continue;
    const off = seg.offset + (vaddr - seg.vaddr);
    if (off + len > buf.length) return undefined;
    return buf.subarray(off, off + len);
  }
  return undefined;
}

function cString(buf: Buffer, tabOff: number, tabSize: number, off: number): string {
  if (tabOff > buf.length || off >= tabSize) return '';
  const start = tabOff + off;
  const limit = Math.min(buf.length, tabOff + tabSize);
  if (start >= limit) return '';
  let end = buf.indexOf(0, start);
  if (end < 0 || end > limit) end = limit;
  return buf.toString('latin1', start, end);
}

/** Bounds-checked integer reads; 64-bit values beyond 2^53 are refused (no real file is that large). */
export function reader(buf: Buffer, le: boolean, path: string) {
  const check = (off: number, n: number): void => {
    if (!Number.isSafeInteger(off) || off < 0 || off + n > buf.length)
      throw invalidFile(path, `read past the end of the file at offset ${off}`);
  };
  return {
    u16(off: number): number {
      check(off, 2);
      return le ? buf.readUInt16LE(off) : buf.readUInt16BE(off);
    },
    u32(off: number): number {
      check(off, 4);
      return le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
    },
    u64(off: number): number {
      check(off, 8);
      const v = le ? buf.readBigUInt64LE(off) : buf.readBigUInt64BE(off);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidFile(path, `64-bit value at offset ${off} is out of range`);
      return Number(v);
    },
  };
}
