import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { dedupFacts } from './dedup.js';
import { parseLockYaml } from './lock-yaml-lines.js';
import { baseName, invalidFile, isRecord, LIMITS, limitExceeded, str } from './limits.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * yarn.lock outside node_modules. Yarn 1 writes its own indented format
 * (`"name@range", "name@range2":` then `  version "1.2.3"`); Yarn 2+ (berry)
 * writes YAML with a `__metadata` entry and a `resolution: "name@npm:1.2.3"`
 * per package. Workspace entries (`@workspace:`) are the app's own sources.
 */
export const yarnLock: Analyzer = {
  name: 'yarn-lock',
  version: ANALYZER_VERSIONS['yarn-lock'],
  wants: (path) => path.endsWith('yarn.lock') && baseName(path) === 'yarn.lock' && !path.includes('node_modules/'),
  analyze(file) {
    const text = file.text();
    const facts =
      text.includes('\n__metadata:') || text.startsWith('__metadata:')
        ? parseBerry(file.path, text)
        : parseClassic(file.path, text);
    return { packages: dedupFacts(facts) };
  },
};

/** Name in a descriptor `name@range` or `@scope/name@range`; an `npm:` alias names the real package. */
export function descriptorName(descriptor: string): string | undefined {
  const d = descriptor.trim().replace(/^"|"$/g, '');
  const at = d.indexOf('@', 1);
  if (at <= 0) return undefined;
  const range = d.slice(at + 1);
  if (range.startsWith('npm:')) {
    const real = range.slice(4);
    const at2 = real.indexOf('@', 1);
    // `npm:^1.0.0` (berry) is not an alias: the name stays.
    if (at2 > 0) return real.slice(0, at2);
  }
  return d.slice(0, at);
}

function parseClassic(path: string, text: string): PackageFact[] {
  const facts: PackageFact[] = [];
  let name: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (!line.startsWith(' ')) {
      // A new entry: `"a@^1", "a@^1.1":` — all descriptors name the same package.
      if (!line.endsWith(':'))
        throw invalidFile(path, `unexpected line ${JSON.stringify(line.slice(0, 80))}; not a yarn lockfile`);
      name = descriptorName(line.slice(0, -1).split(',')[0] ?? '');
      continue;
    }
    if (name === undefined || !line.startsWith('  version ')) continue;
    const version = line.slice('  version '.length).trim().replace(/^"|"$/g, '');
    if (version === '') continue;
    if (facts.length >= LIMITS.maxPackagesPerFile)
      throw limitExceeded(path, `more than ${LIMITS.maxPackagesPerFile} packages`);
    facts.push({
      ecosystem: 'npm',
      name,
      version,
      meta: { source: 'lockfile' },
    });
    name = undefined;
  }
  return facts;
}

function parseBerry(path: string, text: string): PackageFact[] {
  const doc = parseLockYaml(path, text);
  if (!isRecord(doc)) throw invalidFile(path, 'yarn lockfile is not a YAML mapping');
  const facts: PackageFact[] = [];
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata' || !isRecord(entry)) continue;
    const resolution = str(entry, 'resolution') ?? key.split(',')[0] ?? '';
    if (resolution.includes('@workspace:')) continue;
    const name = descriptorName(resolution);
    const version = entry.version === undefined ? undefined : String(entry.version);
    if (name === undefined || version === undefined || version === '' || version === '0.0.0-use.local') continue;
    if (facts.length >= LIMITS.maxPackagesPerFile)
      throw limitExceeded(path, `more than ${LIMITS.maxPackagesPerFile} packages`);
    facts.push({
      ecosystem: 'npm',
      name,
      version,
      meta: { source: 'lockfile' },
    });
  }
  return facts;
}
