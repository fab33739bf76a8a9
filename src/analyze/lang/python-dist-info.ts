import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { invalidFile } from './limits.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * Installed Python distributions (PyPA core metadata specification):
 *   *.dist-info/METADATA          wheels / pip installs
 *   *.egg-info/PKG-INFO           setuptools develop / sdist installs
 *   *.egg-info                    a single PKG-INFO-format file (distutils, Debian's python3-*)
 *   *.egg/EGG-INFO/PKG-INFO       zipped-egg directories
 * The format is RFC 822 headers; the description may follow a blank line.
 */
export const pythonDistInfo: Analyzer = {
  name: 'python-dist-info',
  version: ANALYZER_VERSIONS['python-dist-info'],
  wants: (path) =>
    path.endsWith('.dist-info/METADATA') ||
    path.endsWith('.egg-info/PKG-INFO') ||
    path.endsWith('.egg-info') ||
    path.endsWith('.egg/EGG-INFO/PKG-INFO'),
  analyze(file) {
    const text = file.text();
    // An empty entry (e.g. a directory-like *.egg-info placeholder) describes nothing.
    if (text.trim() === '') return {};
    const headers = parseCoreMetadata(text);
    const name = headers.get('name')?.[0]?.trim();
    const version = headers.get('version')?.[0]?.trim();
    if (name === undefined || version === undefined || name === '' || version === '') {
      throw invalidFile(file.path, 'core metadata without Name or Version; the distribution is broken, reinstall it');
    }
    const license = pythonLicense(headers);
    const fact: PackageFact = {
      ecosystem: 'pypi',
      name,
      version,
      ...(license !== undefined ? { license } : {}),
    };
    return { packages: [fact] };
  },
};

/**
 * Headers of a core metadata file, keys lower-cased, values in order. Folded
 * continuation lines (leading space or tab) join the previous value with a
 * newline; the headers end at the first blank line (the body is the description).
 */
export function parseCoreMetadata(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let last: { key: string; index: number } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      const values = out.get(last.key);
      if (values !== undefined) values[last.index] = `${values[last.index] ?? ''}\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const values = out.get(key) ?? [];
    values.push(value);
    out.set(key, values);
    last = { key, index: values.length - 1 };
  }
  return out;
}

/**
 * The declared licence: `License-Expression` (metadata 2.4, an SPDX expression)
 * first; then `License` unless empty/UNKNOWN or a pasted licence text (many
 * lines) when classifiers name it; then the last segment of each
 * `Classifier: License :: …` (e.g. "MIT License"), several joined by " OR ".
 */
export function pythonLicense(headers: Map<string, string[]>): string | undefined {
  const expr = headers.get('license-expression')?.[0]?.trim();
  if (expr) return expr;
  const fromClassifiers = (headers.get('classifier') ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) => c.split('::').pop()?.trim() ?? '')
    .filter((c) => c !== '' && c !== 'OSI Approved');
  const declared = headers.get('license')?.[0]?.trim();
  if (declared && declared.toUpperCase() !== 'UNKNOWN' && !(declared.includes('\n') && fromClassifiers.length > 0)) {
    return declared;
  }
  return fromClassifiers.length > 0 ? fromClassifiers.join(' OR ') : undefined;
}
