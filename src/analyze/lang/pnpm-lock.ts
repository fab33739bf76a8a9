import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { dedupFacts } from './dedup.js';
import { parseLockYaml } from './lock-yaml-lines.js';
import { baseName, invalidFile, isRecord, LIMITS, limitExceeded, str } from './limits.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * pnpm-lock.yaml outside node_modules. The `packages` map is keyed by
 * dependency path, whose spelling changed with lockfileVersion:
 *   5.x  `/name/1.2.3` or `/@scope/name/1.2.3_peer@1.0.0`
 *   6.x  `/name@1.2.3(peer@1.0.0)`
 *   9.x  `name@1.2.3` (peer suffixes live in `snapshots`)
 * Entries may carry `name`/`version` (tarball and git dependencies) which win.
 */
export const pnpmLock: Analyzer = {
  name: 'pnpm-lock',
  version: ANALYZER_VERSIONS['pnpm-lock'],
  wants: (path) =>
    path.endsWith('pnpm-lock.yaml') && baseName(path) === 'pnpm-lock.yaml' && !path.includes('node_modules/'),
  analyze(file) {
    const doc = parseLockYaml(file.path, file.text());
    if (!isRecord(doc)) throw invalidFile(file.path, 'pnpm lockfile is not a YAML mapping');
    const major = Number.parseFloat(String(doc.lockfileVersion ?? ''));
    if (!Number.isFinite(major)) throw invalidFile(file.path, 'no lockfileVersion: not a pnpm lockfile');
    const packages = isRecord(doc.packages) ? doc.packages : {};
    const facts: PackageFact[] = [];
    for (const [key, entry] of Object.entries(packages)) {
      const e = isRecord(entry) ? entry : {};
      const parsed = parseDepPath(key, major);
      const name = str(e, 'name') ?? parsed?.name;
      const version = str(e, 'version') ?? parsed?.version;
      if (name === undefined || version === undefined) continue;
      if (facts.length >= LIMITS.maxPackagesPerFile)
        throw limitExceeded(file.path, `more than ${LIMITS.maxPackagesPerFile} packages`);
      const meta: Record<string, string> = { source: 'lockfile' };
      if (e.dev === true) meta.dev = 'true';
      if (e.optional === true) meta.optional = 'true';
      facts.push({ ecosystem: 'npm', name, version, meta });
    }
    return { packages: dedupFacts(facts) };
  },
};

/** Split a pnpm dependency path into name and version (see the formats above). */
export function parseDepPath(key: string, lockfileMajor: number): { name: string; version: string } | undefined {
  let k = key.startsWith('/') ? key.slice(1) : key;
  // Peer-dependency suffixes: `(peer@1)` from v6, `_peer@1` from v5.
  const paren = k.indexOf('(');
  if (paren > 0) k = k.slice(0, paren);
  if (lockfileMajor < 6) {
    const slash = k.lastIndexOf('/');
    if (slash <= 0) return undefined;
    const name = k.slice(0, slash);
    let version = k.slice(slash + 1);
    const us = version.indexOf('_');
    if (us > 0) version = version.slice(0, us);
    return name === '' || version === '' ? undefined : { name, version };
  }
  const at = k.indexOf('@', 1);
  if (at <= 0) return undefined;
  const name = k.slice(0, at);
  const version = k.slice(at + 1);
  // Non-registry specifiers (`link:`, `file:`, URLs) are not package versions.
  if (version === '' || version.includes(':')) return undefined;
  return { name, version };
}
