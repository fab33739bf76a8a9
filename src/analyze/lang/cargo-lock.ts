import { parse as parseToml } from 'smol-toml';
import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { baseName, invalidFile, isRecord, LIMITS, limitExceeded, str } from './limits.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * Cargo.lock (all versions 1–4): `[[package]]` tables with name, version and
 * source. Packages without `source` are the workspace's own crates (path
 * dependencies); they are reported too, with meta.local = "true", so the app
 * itself is in the SBOM as Trivy reports it.
 */
export const cargoLock: Analyzer = {
  name: 'cargo-lock',
  version: ANALYZER_VERSIONS['cargo-lock'],
  wants: (path) => path.endsWith('Cargo.lock') && baseName(path) === 'Cargo.lock',
  analyze(file) {
    let doc: unknown;
    try {
      doc = parseToml(file.text());
    } catch (e) {
      throw invalidFile(file.path, `not valid TOML (${e instanceof Error ? e.message : String(e)})`, e);
    }
    if (!isRecord(doc)) throw invalidFile(file.path, 'not a Cargo.lock');
    const list = doc.package;
    if (list === undefined) return {};
    if (!Array.isArray(list)) throw invalidFile(file.path, '"package" is not an array of tables');
    if (list.length > LIMITS.maxPackagesPerFile)
      throw limitExceeded(file.path, `more than ${LIMITS.maxPackagesPerFile} packages`);
    const facts: PackageFact[] = [];
    for (const p of list) {
      if (!isRecord(p)) continue;
      const name = str(p, 'name');
      const version = str(p, 'version');
      if (name === undefined || version === undefined) continue;
      const source = str(p, 'source');
      facts.push({
        ecosystem: 'cargo',
        name,
        version,
        meta: source === undefined ? { local: 'true' } : { source },
      });
    }
    return { packages: facts };
  },
};
