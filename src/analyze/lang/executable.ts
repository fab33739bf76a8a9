import type { FileInfo } from '../types.js';
import { LIMITS } from './limits.js';

/**
 * Which files the binary analyzers (Go, Rust) look at: regular files with an
 * executable bit, small enough to buffer (shared libraries without one are
 * skipped: Go and cargo-auditable metadata live in programs, and reading every
 * .so of a distro costs more than it finds). A cheap test on
 * the tar header; the ELF/PE/Mach-O magic is checked by `sniff` before the
 * file is read.
 */
export function wantsExecutable(_path: string, info: FileInfo): boolean {
  if (info.size < 64 || info.size > LIMITS.maxBinaryBytes) return false;
  return (info.mode & 0o111) !== 0;
}

/** ELF (\x7fELF), PE (MZ) and 64/32-bit Mach-O in either byte order. */
export function isExecutableMagic(head: Buffer): boolean {
  if (head.length < 4) return false;
  const b0 = head[0];
  const b1 = head[1];
  const b2 = head[2];
  const b3 = head[3];
  if (b0 === 0x7f && b1 === 0x45 && b2 === 0x4c && b3 === 0x46) return true;
  if (b0 === 0x4d && b1 === 0x5a) return true;
  const m = head.readUInt32BE(0);
  return m === 0xfeedface || m === 0xfeedfacf || m === 0xcefaedfe || m === 0xcffaedfe;
}
