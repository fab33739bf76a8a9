/**
 * Platforms as `os/arch[/variant]` (OCI image-index platform object; GOOS and
 * GOARCH values).
 */
import { CustomsError } from '../core/index.js';
import type { Platform } from './types.js';

/** Node's process.arch → GOARCH. */
const GOARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips: 'mips',
  mipsel: 'mipsle',
  loong64: 'loong64',
};

export function hostPlatform(): Platform {
  // Container images are Linux (or Windows) images; a macOS host runs Linux VMs.
  const os = process.platform === 'win32' ? 'windows' : 'linux';
  const architecture = GOARCH[process.arch] ?? process.arch;
  return architecture === 'arm' ? { os, architecture, variant: 'v7' } : { os, architecture };
}

export function parsePlatform(s: string): Platform {
  const parts = s.trim().toLowerCase().split('/');
  const [os, architecture, variant] = parts;
  if (parts.length < 2 || parts.length > 3 || !os || !architecture || (parts.length === 3 && !variant)) {
    throw new CustomsError(
      'USAGE_BAD_FLAG',
      `platform "${s}": expected OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm/v7`,
    );
  }
  return variant
    ? { os, architecture: normaliseArch(architecture), variant }
    : { os, architecture: normaliseArch(architecture) };
}

function normaliseArch(a: string): string {
  if (a === 'x86_64' || a === 'x86-64') return 'amd64';
  if (a === 'aarch64') return 'arm64';
  return a;
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** The platform asked for: ctx.config.platform or the host's. */
export function wantedPlatform(configured: string | undefined): Platform {
  return configured ? parsePlatform(configured) : hostPlatform();
}

/** Default variants when a descriptor leaves it out (containerd platforms normalisation). */
function defaultVariant(arch: string): string | undefined {
  if (arch === 'arm64') return 'v8';
  if (arch === 'arm') return 'v7';
  return undefined;
}

/**
 * Does `have` satisfy `want`? OS and architecture must be equal; a wanted
 * variant must equal the offered one (missing variants count as the default
 * one for the architecture); no wanted variant accepts any.
 */
export function platformMatches(want: Platform, have: Platform): boolean {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  if (!want.variant) return true;
  return (have.variant ?? defaultVariant(have.architecture)) === want.variant;
}

/** Rank among matches: an exact (or default) variant first. */
export function platformScore(want: Platform, have: Platform): number {
  const wantVariant = want.variant ?? defaultVariant(want.architecture);
  const haveVariant = have.variant ?? defaultVariant(have.architecture);
  return wantVariant === haveVariant ? 1 : 0;
}
