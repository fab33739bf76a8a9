import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { invalidFile } from './limits.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * Installed gems: RubyGems writes `<GEM_HOME>/specifications/<name>-<version>.gemspec`
 * (and `specifications/default/` for default gems) with Gem::Specification#to_ruby:
 *   s.name = "rake".freeze
 *   s.version = "13.0.6"            (or Gem::Version.new("13.0.6"))
 *   s.licenses = ["MIT".freeze]     (or s.license = "MIT")
 * The file is Ruby; it is read as text, never evaluated. The block variable is
 * usually `s` but any identifier is accepted.
 */
export const rubyGemspec: Analyzer = {
  name: 'ruby-gemspec',
  version: ANALYZER_VERSIONS['ruby-gemspec'],
  wants: (path) => path.endsWith('.gemspec') && path.includes('specifications/'),
  analyze(file) {
    const spec = parseGemspec(file.text());
    if (spec.name === undefined || spec.version === undefined) {
      throw invalidFile(file.path, 'gemspec without a literal name and version; reinstall the gem');
    }
    const fact: PackageFact = {
      ecosystem: 'gem',
      name: spec.name,
      version: spec.version,
      ...(spec.licenses.length > 0 ? { license: spec.licenses.join(', ') } : {}),
    };
    return { packages: [fact] };
  },
};

/** String literals in a Ruby expression ("x", 'x', "x".freeze, %w[...]); bounded by the line. */
function stringLiterals(expr: string): string[] {
  const out: string[] = [];
  const w = /%w[[({]([^\])}]*)[\])}]/.exec(expr);
  if (w?.[1] !== undefined) return w[1].split(/\s+/).filter((s) => s !== '');
  for (const m of expr.matchAll(/"([^"\\]*)"|'([^'\\]*)'/g)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

export function parseGemspec(text: string): {
  name?: string;
  version?: string;
  licenses: string[];
} {
  let name: string | undefined;
  let version: string | undefined;
  let licenses: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    // `<var>.<attr> = <expr>`; attribute assignments are one line in generated specs.
    const m = /^[A-Za-z_]\w*\.(name|version|licenses?)\s*=\s*(.*)$/.exec(line);
    if (m === null) continue;
    const attr = m[1];
    const lits = stringLiterals(m[2] ?? '');
    if (attr === 'name' && name === undefined) name = lits[0];
    else if (attr === 'version' && version === undefined) version = lits[0];
    else if ((attr === 'license' || attr === 'licenses') && licenses.length === 0)
      licenses = lits.filter((l) => l !== '');
  }
  return {
    ...(name ? { name } : {}),
    ...(version ? { version } : {}),
    licenses,
  };
}
