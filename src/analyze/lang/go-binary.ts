import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { type ElfFile, isElf, parseElf, readVirtual, sectionData } from './elf.js';
import { isExecutableMagic, wantsExecutable } from './executable.js';
import { invalidFile, LIMITS, limitExceeded } from './limits.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * Go executables: the build info the Go linker embeds (Go source,
 * src/debug/buildinfo/buildinfo.go and src/runtime/debug/mod.go). A 32-byte
 * header starting with "\xff Go buildinf:" sits in the `.go.buildinfo` section
 * (ELF) or, when section headers are stripped and for PE/Mach-O, 16-byte
 * aligned in the data. Byte 14 is the pointer size, byte 15 flags:
 *   0x2  Go >= 1.18: the Go version and the module info follow the header as
 *        uvarint-length-prefixed strings;
 *   else Go 1.13-1.17: two pointers (byte order: 0x1 = big endian) to Go
 *        string headers {data pointer, length} in the loaded image.
 * The module info is text framed by 16 sentinel bytes on each side, lines
 * "path", "mod", "dep", "=>" (replaces the line before) and "build".
 */
export const goBinary: Analyzer = {
  name: 'go-binary',
  version: ANALYZER_VERSIONS['go-binary'],
  wants: (path, info) => wantsExecutable(path, info),
  sniff: { bytes: 4, test: isExecutableMagic },
  analyze(file) {
    const info = readBuildInfo(file.bytes, file.path);
    if (info === undefined) return {};
    return { packages: goPackages(info.goVersion, info.modInfo, file.path) };
  },
};

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;
const FLAG_BIG_ENDIAN = 0x1;
const FLAG_INLINE_STRINGS = 0x2;
/** Module info of a real program is at most a few hundred kB (thousands of deps). */
const MAX_STRING = 16 * 1024 * 1024;
/** How many magic candidates a scan tries before giving up (the magic can appear in data too). */
const MAX_CANDIDATES = 64;

export interface GoBuildInfo {
  readonly goVersion: string;
  readonly modInfo: string;
}

/** The raw build info of a Go binary, or undefined when the file is not a Go binary. */
export function readBuildInfo(buf: Buffer, path: string): GoBuildInfo | undefined {
  let elf: ElfFile | undefined;
  if (isElf(buf)) {
    elf = parseElf(buf, path);
    const sec = sectionData(buf, elf, '.go.buildinfo');
    if (sec !== undefined && sec.length >= HEADER_SIZE && sec.subarray(0, MAGIC.length).equals(MAGIC)) {
      return decodeHeader(buf, sec.byteOffset - buf.byteOffset, elf, path);
    }
    // Section headers present but no .go.buildinfo: not a Go >= 1.13 binary.
    if (elf.sections.length > 0) return undefined;
  }
  let from = 0;
  for (let tries = 0; tries < MAX_CANDIDATES; tries++) {
    const at = buf.indexOf(MAGIC, from);
    if (at < 0) return undefined;
    from = at + 1;
    if (at % 16 !== 0 || at + HEADER_SIZE > buf.length) continue;
    const ptrSize = buf[at + 14];
    if (ptrSize !== 4 && ptrSize !== 8) continue;
    return decodeHeader(buf, at, elf, path);
  }
  return undefined;
}

function decodeHeader(buf: Buffer, at: number, elf: ElfFile | undefined, path: string): GoBuildInfo {
  const ptrSize = buf[at + 14] ?? 0;
  const flags = buf[at + 15] ?? 0;
  if ((flags & FLAG_INLINE_STRINGS) !== 0) {
    const v = readVarintString(buf, at + HEADER_SIZE, path);
    const m = readVarintString(buf, v.next, path);
    return { goVersion: v.value, modInfo: stripSentinels(m.value) };
  }
  if (ptrSize !== 4 && ptrSize !== 8) throw invalidFile(path, `Go build info has pointer size ${ptrSize}`);
  if (elf === undefined)
    throw invalidFile(path, 'Go build info in the pre-1.18 pointer format is only read from ELF binaries');
  const le = (flags & FLAG_BIG_ENDIAN) === 0;
  const ptr = (b: Buffer, off: number): number => readPtr(b, off, ptrSize, le, path);
  const goString = (addr: number): string => {
    const hdr = readVirtual(buf, elf, addr, 2 * ptrSize);
    if (hdr === undefined) throw invalidFile(path, `Go build info points at unmapped address 0x${addr.toString(16)}`);
    const data = ptr(hdr, 0);
    const len = ptr(hdr, ptrSize);
    if (len > MAX_STRING) throw limitExceeded(path, `Go build info string of ${len} bytes`);
    if (len === 0) return '';
    const bytes = readVirtual(buf, elf, data, len);
    if (bytes === undefined) throw invalidFile(path, `Go build info string at unmapped address 0x${data.toString(16)}`);
    return bytes.toString('utf8');
  };
  const goVersion = goString(ptr(buf, at + 16));
  const modInfo = goString(ptr(buf, at + 16 + ptrSize));
  return { goVersion, modInfo: stripSentinels(modInfo) };
}

function readPtr(b: Buffer, off: number, size: number, le: boolean, path: string): number {
  if (off < 0 || off + size > b.length) throw invalidFile(path, 'Go build info pointer runs past the end of the file');
  if (size === 4) return le ? b.readUInt32LE(off) : b.readUInt32BE(off);
  const v = le ? b.readBigUInt64LE(off) : b.readBigUInt64BE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidFile(path, 'Go build info pointer out of range');
  return Number(v);
}

/** encoding/binary Uvarint length, then that many bytes. */
function readVarintString(buf: Buffer, at: number, path: string): { value: string; next: number } {
  let len = 0;
  let shift = 1;
  let pos = at;
  for (let i = 0; ; i++) {
    if (i >= 10 || pos >= buf.length) throw invalidFile(path, 'Go build info has a truncated string length');
    const b = buf[pos++] ?? 0;
    len += (b & 0x7f) * shift;
    shift *= 128;
    if ((b & 0x80) === 0) break;
  }
  if (len > MAX_STRING) throw limitExceeded(path, `Go build info string of ${len} bytes`);
  if (pos + len > buf.length) throw invalidFile(path, 'Go build info string runs past the end of the file');
  return { value: buf.toString('utf8', pos, pos + len), next: pos + len };
}

/** runtime/debug: modinfo is framed by 16 sentinel bytes on each side; the last line ends before them. */
function stripSentinels(s: string): string {
  if (s.length >= 33 && s.charAt(s.length - 17) === '\n') return s.slice(16, -16);
  return s;
}

/**
 * Packages from the module info: the main module (`mod`, meta.main = "true",
 * "(devel)" kept as Go writes it), every `dep`, and the toolchain as
 * golang/stdlib with a "v" version (go1.21.5 → v1.21.5), as Trivy and Grype
 * report it so the standard library can be matched against Go advisories.
 *
 * Replacements (`=>` after a dep): a module replacement (path + version) is
 * what was compiled in, so it is reported under its own path and version with
 * meta.replaces naming the original; a directory replacement (no version)
 * keeps the original path with version "(devel)" and meta.replacement = the dir.
 */
export function goPackages(goVersion: string, modInfo: string, path: string): PackageFact[] {
  const facts: PackageFact[] = [];
  const settings: Record<string, string> = {};
  let mainIndex = -1;
  let last: { index: number; original: string } | undefined;
  for (const line of modInfo.split('\n')) {
    const f = line.split('\t');
    const kind = f[0];
    if (kind === 'build') {
      const kv = f[1] ?? '';
      const eq = kv.indexOf('=');
      if (eq > 0) settings[kv.slice(0, eq)] = kv.slice(eq + 1);
      continue;
    }
    if (kind === '=>') {
      if (last === undefined) continue;
      const prev = facts[last.index];
      const rPath = f[1] ?? '';
      const rVersion = f[2] ?? '';
      if (prev === undefined || rPath === '') continue;
      const meta: Record<string, string> = { ...prev.meta };
      // Go writes a directory replacement as "./dir", "../dir" or an absolute path, version "(devel)" or empty.
      const isDir =
        rPath.startsWith('./') || rPath.startsWith('../') || rPath.startsWith('/') || /^[A-Za-z]:[\\/]/.test(rPath);
      facts[last.index] =
        !isDir && rVersion !== ''
          ? {
              ...prev,
              name: rPath,
              version: rVersion,
              meta: { ...meta, replaces: last.original },
            }
          : {
              ...prev,
              version: '(devel)',
              meta: { ...meta, replacement: rPath },
            };
      last = undefined;
      continue;
    }
    if (kind !== 'mod' && kind !== 'dep') continue;
    const modPath = f[1] ?? '';
    const version = f[2] ?? '';
    if (modPath === '') continue;
    if (facts.length >= LIMITS.maxPackagesPerFile)
      throw limitExceeded(path, `more than ${LIMITS.maxPackagesPerFile} modules`);
    if (kind === 'mod') mainIndex = facts.length;
    facts.push({
      ecosystem: 'golang',
      name: modPath,
      version: version === '' ? '(devel)' : version,
      ...(kind === 'mod' ? { meta: { main: 'true' } } : {}),
    });
    last = { index: facts.length - 1, original: modPath };
  }
  const main = facts[mainIndex];
  if (main !== undefined) {
    const meta: Record<string, string> = { ...main.meta };
    for (const k of ['vcs.revision', 'vcs.time', 'GOOS', 'GOARCH'] as const) {
      const v = settings[k];
      if (v !== undefined) meta[k] = v;
    }
    facts[mainIndex] = { ...main, meta };
  }
  const std = stdlibVersion(goVersion);
  if (std !== undefined) facts.push({ ecosystem: 'golang', name: 'stdlib', version: std });
  return facts;
}

/** "go1.21.5" → "v1.21.5"; "go1.22rc1" → "v1.22rc1"; suffixes such as " X:boringcrypto" dropped; devel builds → undefined. */
export function stdlibVersion(goVersion: string): string | undefined {
  const m = /^go(\d+(?:\.\d+){0,2}(?:(?:rc|beta)\d+)?)/.exec(goVersion.trim());
  return m?.[1] === undefined ? undefined : `v${m[1]}`;
}
