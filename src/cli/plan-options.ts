/**
 * The flags that shape a scan plan, `--distro` and `--secret-config`, for `customs scan` and
 * `customs gate`. Apart from options.ts, which every image command imports: their values are
 * parsed by the matcher and the engine, loaded when the command runs, and a bundle of `customs
 * sbom` (scripts/bundle.mjs) should not reach those from a module it shares.
 */
import { Option } from 'commander';
import type { OsInfo } from '../core/index.js';
import type { ScanPlan } from '../engine/index.js';
import { readFlagFile } from './options.js';

/** `--distro NAME:VERSION` (Grype's flag): parsed and checked by match's parseDistro when the command runs. */
export const distroOption = (): Option =>
  new Option(
    '--distro <name:version>',
    'match distro packages as this release, e.g. debian:12, alpine:3.19, ubuntu:22.04, rhel:9 (for SBOMs and images that do not state it)',
  );

/** The --distro flag as the plan's OS (undefined when not given); a bad value is a usage error. */
export async function distroOf(flag: string | undefined): Promise<OsInfo | undefined> {
  return flag === undefined ? undefined : (await import('../match/index.js')).parseDistro(flag);
}

/** `--secret-config FILE`, the same flag on `scan` and `gate` (docs/secrets.md "Configuration file"). */
export const secretConfigOption = (): Option =>
  new Option('--secret-config <file>', 'secrets config: extra rules and allow-rules (YAML, docs/secrets.md)');

/** The --secret-config flag as the scan plan's secrets configuration (undefined when not given). */
export async function secretConfigOf(file: string | undefined): Promise<ScanPlan['secretConfig']> {
  if (file === undefined) return undefined;
  const text = await readFlagFile('--secret-config', file);
  return (await import('../engine/index.js')).secretConfigOf(text);
}
