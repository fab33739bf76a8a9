import { inflateSync } from 'node:zlib';
import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { isElf, parseElf, sectionData } from './elf.js';
import { wantsExecutable } from './executable.js';
import { invalidFile, isRecord, LIMITS, limitExceeded, str } from './limits.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * Rust executables built with cargo-auditable (github.com/rust-secure-code/
 * cargo-auditable, "auditable-serde" format): an ELF section `.dep-v0` holding
 * zlib-compressed JSON `{"packages":[{name, version, source, kind,
 * dependencies, root}]}`. Every package is reported; the `root: true` one is
 * the binary's own crate (meta.main = "true"). `kind: "build"` packages ran at
 * build time only (meta.kind keeps that), as the format documents.
 */
export const rustBinary: Analyzer = {
  name: 'rust-binary',
  version: ANALYZER_VERSIONS['rust-binary'],
  wants: (path, info) => wantsExecutable(path, info),
  sniff: { bytes: 4, test: isElf },
  analyze(file) {
    const elf = parseElf(file.bytes, file.path);
    const section = sectionData(file.bytes, elf, '.dep-v0');
    if (section === undefined) return {};
    let json: Buffer;
    try {
      json = inflateSync(section, {
        maxOutputLength: LIMITS.maxAuditJsonBytes,
      });
    } catch (e) {
      if (e instanceof RangeError || (e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw limitExceeded(file.path, `.dep-v0 inflates past ${LIMITS.maxAuditJsonBytes} bytes`);
      }
      throw invalidFile(
        file.path,
        `.dep-v0 section is not zlib data (${e instanceof Error ? e.message : String(e)})`,
        e,
      );
    }
    return { packages: auditPackages(json.toString('utf8'), file.path) };
  },
};

export function auditPackages(text: string, path: string): PackageFact[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (e) {
    throw invalidFile(path, '.dep-v0 section is not JSON', e);
  }
  if (!isRecord(doc) || !Array.isArray(doc.packages)) throw invalidFile(path, '.dep-v0 JSON has no "packages" array');
  if (doc.packages.length > LIMITS.maxPackagesPerFile)
    throw limitExceeded(path, `more than ${LIMITS.maxPackagesPerFile} packages`);
  const facts: PackageFact[] = [];
  for (const p of doc.packages) {
    if (!isRecord(p)) continue;
    const name = str(p, 'name');
    const version = str(p, 'version');
    if (name === undefined || version === undefined) continue;
    const meta: Record<string, string> = {};
    if (p.root === true) meta.main = 'true';
    const source = str(p, 'source');
    if (source !== undefined) meta.source = source;
    const kind = str(p, 'kind');
    if (kind !== undefined && kind !== 'runtime') meta.kind = kind;
    facts.push({
      ecosystem: 'cargo',
      name,
      version,
      ...(Object.keys(meta).length > 0 ? { meta } : {}),
    });
  }
  return facts;
}
