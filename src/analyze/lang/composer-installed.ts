import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { baseName, invalidFile, isRecord, LIMITS, limitExceeded, parseJsonFile, str } from './limits.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * PHP Composer. `vendor/composer/installed.json` lists what is installed:
 * Composer 1 writes a JSON array of packages, Composer 2 `{"packages": [...],
 * "dev": bool, "dev-package-names": [...]}`. `composer.lock` (an app that was
 * not installed) has `packages` and `packages-dev`. Names are `vendor/package`;
 * the version is kept as written ("v5.4.0" stays "v5.4.0"); a license array
 * means the user may choose, so it is joined with " OR ".
 */
export const composerInstalled: Analyzer = {
  name: 'composer-installed',
  version: ANALYZER_VERSIONS['composer-installed'],
  wants: (path) =>
    path.endsWith('vendor/composer/installed.json') ||
    (path.endsWith('composer.lock') && baseName(path) === 'composer.lock' && !path.includes('vendor/')),
  analyze(file) {
    const doc = parseJsonFile(file.path, file.text());
    const facts: PackageFact[] = [];
    if (file.path.endsWith('installed.json')) {
      const list = Array.isArray(doc) ? doc : isRecord(doc) ? doc.packages : undefined;
      if (!Array.isArray(list)) throw invalidFile(file.path, 'installed.json has no package list');
      const dev = new Set(
        isRecord(doc) && Array.isArray(doc['dev-package-names'])
          ? doc['dev-package-names'].filter((n) => typeof n === 'string')
          : [],
      );
      collect(file.path, list, (name) => dev.has(name), 'installed', facts);
    } else {
      if (!isRecord(doc)) throw invalidFile(file.path, 'composer.lock is not a JSON object');
      if (Array.isArray(doc.packages)) collect(file.path, doc.packages, () => false, 'lockfile', facts);
      if (Array.isArray(doc['packages-dev'])) collect(file.path, doc['packages-dev'], () => true, 'lockfile', facts);
    }
    return { packages: facts };
  },
};

function collect(
  path: string,
  list: readonly unknown[],
  isDev: (name: string) => boolean,
  source: string,
  facts: PackageFact[],
): void {
  if (facts.length + list.length > LIMITS.maxPackagesPerFile)
    throw limitExceeded(path, `more than ${LIMITS.maxPackagesPerFile} packages`);
  for (const p of list) {
    if (!isRecord(p)) continue;
    const name = str(p, 'name');
    const version = str(p, 'version');
    if (name === undefined || version === undefined) continue;
    const lic = Array.isArray(p.license)
      ? p.license.filter((l): l is string => typeof l === 'string' && l !== '')
      : typeof p.license === 'string'
        ? [p.license]
        : [];
    const meta: Record<string, string> = { source };
    if (isDev(name)) meta.dev = 'true';
    facts.push({
      ecosystem: 'composer',
      name,
      version,
      ...(lic.length > 0 ? { license: lic.join(' OR ') } : {}),
      meta,
    });
  }
}
