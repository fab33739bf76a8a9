import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { baseName, LIMITS, limitExceeded } from './limits.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * Gemfile.lock (Bundler): in the GEM, GIT and PATH sections, `  specs:` lists
 * every locked gem at four spaces, `name (version)`, its own dependencies at
 * six. A platform-specific gem is locked as `nokogiri (1.15.4-x86_64-linux)`:
 * the version is the part before the first "-" that starts the platform
 * (meta.platform keeps it). Gem versions never contain "-" (RubyGems turns it into ".pre.").
 */
export const gemfileLock: Analyzer = {
  name: 'gemfile-lock',
  version: ANALYZER_VERSIONS['gemfile-lock'],
  wants: (path) => path.endsWith('Gemfile.lock') && baseName(path) === 'Gemfile.lock',
  analyze(file) {
    const facts: PackageFact[] = [];
    let section = '';
    let inSpecs = false;
    for (const raw of file.text().split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '') continue;
      if (!line.startsWith(' ')) {
        section = line.trim();
        inSpecs = false;
        continue;
      }
      if (line === '  specs:') {
        inSpecs = section === 'GEM' || section === 'GIT' || section === 'PATH';
        continue;
      }
      if (!inSpecs || !line.startsWith('    ') || line.startsWith('     ')) continue;
      const m = /^ {4}(\S+) \(([^)\s]+)\)$/.exec(line);
      if (m?.[1] === undefined || m[2] === undefined) continue;
      const dash = m[2].indexOf('-');
      const version = dash > 0 ? m[2].slice(0, dash) : m[2];
      const meta: Record<string, string> = { source: 'lockfile' };
      if (dash > 0) meta.platform = m[2].slice(dash + 1);
      if (section !== 'GEM') meta.origin = section.toLowerCase();
      if (facts.length >= LIMITS.maxPackagesPerFile)
        throw limitExceeded(file.path, `more than ${LIMITS.maxPackagesPerFile} gems`);
      facts.push({ ecosystem: 'gem', name: m[1], version, meta });
    }
    return { packages: facts };
  },
};
