import type { Analyzer, AnalyzerResult } from '../types.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/** Copyright files above this size are not read (the largest in Debian bookworm are a few hundred KiB). */
export const COPYRIGHT_MAX_FILE_SIZE = 4 * 1024 * 1024;

const PATH = /^usr\/share\/doc\/([^/]+)\/copyright$/;

/**
 * Licence names a Debian copyright file declares.
 *
 * Machine-readable files (DEP-5, copyright-format 1.0: the first paragraph
 * has a `Format:` field naming the spec) are deb822 paragraphs; every
 * `License:` field's first line is a licence short name or an expression of
 * them ("GPL-2+ or Artistic-1.0, and BSD-3-clause"). The result is the
 * distinct names, in order of appearance, from Files paragraphs and
 * stand-alone License paragraphs alike, "with X exception" kept with its
 * licence.
 *
 * Other files are free text: best effort, the licences they point to in
 * /usr/share/common-licenses/ (where Debian keeps the texts of common
 * licences; Debian Policy §12.5), by file name ("GPL-2", "Apache-2.0").
 */
export function parseDebianCopyright(text: string): string[] {
  const paragraphs = splitParagraphs(text);
  const header = paragraphs[0];
  const format = header?.get('format');
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (name: string): void => {
    const n = name.trim().replace(/\s+/g, ' ');
    if (n === '' || seen.has(n)) return;
    seen.add(n);
    out.push(n);
  };
  if (format !== undefined && /copyright-format|dep5|DEP-5/i.test(format)) {
    for (const p of paragraphs) {
      const license = p.get('license');
      if (license === undefined) continue;
      const first = license.split('\n')[0] ?? '';
      for (const name of splitShortNames(first)) add(name);
    }
    return out;
  }
  for (const m of text.matchAll(/\/usr\/share\/common-licenses\/([A-Za-z0-9][A-Za-z0-9.+-]*)/g)) {
    const name = (m[1] ?? '').replace(/\.$/, '');
    if (name !== '') add(name);
  }
  return out;
}

/** "GPL-2+ or Artistic, and BSD-3-clause" → GPL-2+, Artistic, BSD-3-clause. */
function splitShortNames(expr: string): string[] {
  return expr
    .split(/,|\s+(?:or|and)\s+/i)
    .map((s) =>
      s
        .trim()
        .replace(/^\(+|\)+$/g, '')
        .trim(),
    )
    .filter((s) => s !== '');
}

/**
 * deb822 paragraphs (Debian Policy §5.1): fields "Name: value", continuation
 * lines start with a space or tab, a line holding only " ." is an empty line
 * in a multi-line value, blank lines separate paragraphs. Field names are
 * case-insensitive (lower-cased here).
 */
function splitParagraphs(text: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  let cur = new Map<string, string>();
  let field: string | undefined;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (raw.trim() === '') {
      if (cur.size > 0) out.push(cur);
      cur = new Map();
      field = undefined;
      continue;
    }
    if (/^[ \t]/.test(raw)) {
      if (field !== undefined) cur.set(field, `${cur.get(field) ?? ''}\n${raw.trim() === '.' ? '' : raw.trim()}`);
      continue;
    }
    if (raw.startsWith('#')) continue; // deb822 comment lines
    const colon = raw.indexOf(':');
    if (colon <= 0) {
      field = undefined;
      continue;
    }
    field = raw.slice(0, colon).trim().toLowerCase();
    if (!cur.has(field)) cur.set(field, raw.slice(colon + 1).trim());
  }
  if (cur.size > 0) out.push(cur);
  return out;
}

/** `usr/share/doc/PKG/copyright` → the package PKG's licences (ecosystem deb). */
export const debianCopyright: Analyzer = {
  name: 'debian-copyright',
  version: ANALYZER_VERSIONS['debian-copyright'],
  wants: (path, info) => info.size <= COPYRIGHT_MAX_FILE_SIZE && PATH.test(path),
  analyze: (file): AnalyzerResult => {
    const name = PATH.exec(file.path)?.[1];
    if (name === undefined) return {};
    const licenses = parseDebianCopyright(file.text());
    return licenses.length > 0 ? { packageLicenses: [{ ecosystem: 'deb', name, licenses }] } : {};
  },
};
