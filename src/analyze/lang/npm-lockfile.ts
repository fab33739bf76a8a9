import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { dedupFacts } from './dedup.js';
import { baseName, invalidFile, isRecord, LIMITS, limitExceeded, parseJsonFile, str } from './limits.js';
import { npmLicense } from './npm-license.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

const NM = 'node_modules/';

/**
 * npm lockfiles of an app that was not `npm install`ed (package-lock.json(5)):
 * `package-lock.json` and `npm-shrinkwrap.json` outside node_modules.
 * lockfileVersion 1: the nested `dependencies` tree. 2 and 3: the flat
 * `packages` map keyed by install path ("" is the root project, skipped;
 * `link: true` entries point at a workspace folder whose entry holds the version).
 * The hidden lockfile node_modules/.package-lock.json describes installed
 * packages, which npm-package-json reports from the packages themselves.
 */
export const npmLockfile: Analyzer = {
  name: 'npm-lockfile',
  version: ANALYZER_VERSIONS['npm-lockfile'],
  wants: (path) =>
    (path.endsWith('package-lock.json') || path.endsWith('npm-shrinkwrap.json')) &&
    (baseName(path) === 'package-lock.json' || baseName(path) === 'npm-shrinkwrap.json') &&
    !path.includes(NM),
  analyze(file) {
    const doc = parseJsonFile(file.path, file.text());
    if (!isRecord(doc)) throw invalidFile(file.path, 'lockfile is not a JSON object');
    const facts: PackageFact[] = [];
    if (isRecord(doc.packages)) readPackagesMap(file.path, doc.packages, facts);
    else if (isRecord(doc.dependencies)) readDependencyTree(file.path, doc.dependencies, facts, 0);
    else if (doc.lockfileVersion === undefined)
      throw invalidFile(file.path, 'no lockfileVersion, packages or dependencies: not an npm lockfile');
    return { packages: dedupFacts(facts) };
  },
};

function push(path: string, facts: PackageFact[], fact: PackageFact): void {
  if (facts.length >= LIMITS.maxPackagesPerFile)
    throw limitExceeded(path, `more than ${LIMITS.maxPackagesPerFile} packages`);
  facts.push(fact);
}

function flags(entry: Record<string, unknown>): Record<string, string> {
  const meta: Record<string, string> = { source: 'lockfile' };
  for (const k of ['dev', 'optional', 'devOptional', 'peer', 'inBundle'] as const) {
    if (entry[k] === true) meta[k] = 'true';
  }
  return meta;
}

/** lockfileVersion 2/3 `packages`: keys are install paths such as node_modules/a/node_modules/@s/b. */
function readPackagesMap(path: string, packages: Record<string, unknown>, facts: PackageFact[]): void {
  for (const [key, raw] of Object.entries(packages)) {
    if (key === '' || !isRecord(raw)) continue;
    const at = key.lastIndexOf(NM);
    // Entries outside node_modules are workspace folders; they are reported through their link.
    if (at < 0) continue;
    const keyName = key.slice(at + NM.length);
    let entry = raw;
    const meta = flags(raw);
    if (raw.link === true) {
      const target = str(raw, 'resolved');
      const t = target === undefined ? undefined : packages[target];
      if (!isRecord(t)) continue;
      entry = t;
      meta.link = 'true';
    }
    const version = str(entry, 'version');
    if (version === undefined) continue;
    // Aliases (`"a": "npm:b@1"`) keep the real package name in `name`.
    const name = str(entry, 'name') ?? keyName;
    const license = npmLicense(entry);
    push(path, facts, {
      ecosystem: 'npm',
      name,
      version,
      ...(license !== undefined ? { license } : {}),
      meta,
    });
  }
}

/** lockfileVersion 1 `dependencies`: {name: {version, dev, optional, dependencies: {...}}}, nested. */
function readDependencyTree(path: string, deps: Record<string, unknown>, facts: PackageFact[], depth: number): void {
  // Real trees are a few dozen levels deep at most; a deeper one is hostile.
  if (depth > 256) throw limitExceeded(path, 'dependency tree nested more than 256 levels');
  for (const [key, raw] of Object.entries(deps)) {
    if (!isRecord(raw)) continue;
    let name = key;
    let version = str(raw, 'version');
    // An alias is recorded as version "npm:real-name@1.2.3".
    if (version?.startsWith('npm:')) {
      const spec = version.slice(4);
      const at = spec.lastIndexOf('@');
      if (at > 0) {
        name = spec.slice(0, at);
        version = spec.slice(at + 1);
      }
    }
    if (version !== undefined && version !== '')
      push(path, facts, { ecosystem: 'npm', name, version, meta: flags(raw) });
    if (isRecord(raw.dependencies)) readDependencyTree(path, raw.dependencies, facts, depth + 1);
  }
}
