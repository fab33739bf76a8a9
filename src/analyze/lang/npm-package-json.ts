import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { invalidFile, isRecord, parseJsonFile, str } from './limits.js';
import { npmLicense } from './npm-license.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

const NM = 'node_modules/';

/**
 * True for the package.json at a package root inside node_modules:
 * `…node_modules/NAME/package.json` or `…node_modules/@SCOPE/NAME/package.json`.
 * Deeper package.json files (`node_modules/x/lib/package.json`, often just
 * `{"type":"module"}`) are not packages. String tests only: called for every entry.
 */
export function isInstalledPackageJson(path: string): boolean {
  if (!path.endsWith('/package.json')) return false;
  const i = path.lastIndexOf(NM);
  if (i < 0 || (i > 0 && path.charCodeAt(i - 1) !== 0x2f)) return false;
  const rest = path.slice(i + NM.length, path.length - '/package.json'.length);
  if (rest === '' || rest.startsWith('.')) return false;
  const slash = rest.indexOf('/');
  if (rest.startsWith('@')) {
    // @scope/name: exactly one slash, both parts non-empty.
    return slash > 1 && slash < rest.length - 1 && rest.indexOf('/', slash + 1) < 0;
  }
  return slash < 0;
}

/** Installed npm packages: the package.json at the root of each node_modules package. */
export const npmPackageJson: Analyzer = {
  name: 'npm-package-json',
  version: ANALYZER_VERSIONS['npm-package-json'],
  wants: (path) => isInstalledPackageJson(path),
  analyze(file) {
    const doc = parseJsonFile(file.path, file.text());
    if (!isRecord(doc)) throw invalidFile(file.path, 'package.json is not a JSON object');
    const name = str(doc, 'name');
    const version = str(doc, 'version');
    // Without both, npm itself would not treat the folder as an installed package.
    if (name === undefined || version === undefined) return {};
    const license = npmLicense(doc);
    const fact: PackageFact = {
      ecosystem: 'npm',
      name,
      version,
      ...(license !== undefined ? { license } : {}),
      meta: { source: 'installed' },
    };
    return { packages: [fact] };
  },
};
