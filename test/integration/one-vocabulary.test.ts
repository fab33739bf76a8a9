/**
 * One home per concept (docs/architecture.md "Layers"): the severity scale, the image
 * reference grammar, the SPDX id list, text clipping and the DB file name each live in
 * one module, and the rest of src/ imports them. A copy elsewhere drifts — two rank
 * tables in opposite orders, two reference parsers that disagree on "Foo/bar" — so
 * this test reads the sources and names every file that holds one again.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/images.js';

const SRC = join(REPO_ROOT, 'src');

/** Code without its comments: a comment may name what the code must not hold. */
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\])\/\/.*$/gm, '$1');

/** Non-test TypeScript sources of src/ (comments removed), as repository-relative paths with their code. */
function sources(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'testdata' && e.name !== 'test-support') walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && e.name !== 'test-fixtures.ts') {
        out.push({ path: relative(REPO_ROOT, p), text: code(readFileSync(p, 'utf8')) });
      }
    }
  };
  walk(SRC);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

const SRC_FILES = sources();

/** Files outside `home` whose text matches one of `patterns`. */
function copiesOutside(home: readonly string[], patterns: readonly RegExp[]): string[] {
  return SRC_FILES.filter((f) => !home.includes(f.path) && patterns.some((re) => re.test(f.text))).map((f) => f.path);
}

test('the sources are found (the guards below would pass vacuously otherwise)', () => {
  assert.ok(SRC_FILES.length > 100, `${SRC_FILES.length} files under ${SRC}`);
  assert.ok(SRC_FILES.some((f) => f.path === join('src', 'core', 'severity.ts')));
});

test('severities and their order live in src/core/severity.ts only', () => {
  const sev = '(?:critical|high|medium|low|unknown)';
  assert.deepEqual(
    copiesOutside(
      [join('src', 'core', 'severity.ts')],
      [
        // A list of the scale: ['critical', 'high', …]
        /(['"])critical\1\s*,\s*(['"])high\2/,
        // A rank table: { unknown: 0, low: 1, … } (score tables such as SARIF's 9.5 are not ranks)
        new RegExp(`\\b${sev}\\s*:\\s*\\d+\\s*,\\s*${sev}\\s*:\\s*\\d+\\s*[,}]`),
        // A rank computed from the list's positions instead of severityRank()
        /SEVERITIES\.map\(\(\w+,\s*\w+\)/,
        /SEVERITIES as readonly string\[\]\)\.indexOf/,
      ],
    ),
    [],
  );
});

test('image references are parsed and normalised by src/image/reference.ts only', () => {
  assert.deepEqual(
    copiesOutside(
      [join('src', 'image', 'reference.ts'), join('src', 'image', 'registry', 'credentials.ts')],
      [
        // The path-component separator of the grammar: (?:[._]|__|[-]+)
        /\[\._\]\|__\|/,
        // Docker Hub normalisation: "library/" namespace, legacy index.docker.io host
        /['"`]docker\.io\/library\//,
        /['"]library['"]/,
        /['"]index\.docker\.io['"]/,
      ],
    ),
    [],
  );
});

test('purl type → OSV ecosystem is PURL_TYPE_ECOSYSTEM in src/vulndb/ecosystem.ts only', () => {
  assert.deepEqual(
    copiesOutside(
      [join('src', 'vulndb', 'ecosystem.ts')],
      [
        /\b(?:cargo|gem|golang|composer)\s*:\s*['"](?:crates\.io|RubyGems|Go|Packagist)['"]/,
        // An OSV name written out beside a purl type instead of read from the table
        /(?<!['"])\bosv\s*:\s*['"]/,
      ],
    ),
    [],
  );
});

test('the SPDX licence and exception lists are loaded by src/sbom/spdx-ids.ts only', () => {
  assert.deepEqual(
    copiesOutside([join('src', 'sbom', 'spdx-ids.ts')], [/['"]spdx-(?:license-ids|exceptions)(?:\/[a-z]+)?['"]/]),
    [],
  );
});

test('text clipping is src/core/terminal-text.ts only', () => {
  assert.deepEqual(
    copiesOutside([join('src', 'core', 'terminal-text.ts')], [/\b(?:function\s+clip\w*\s*\(|const\s+clip\w*\s*=)/]),
    [],
  );
});

test('the vulnerability DB file name is DB_FILE in src/core/db-file.ts only', () => {
  assert.deepEqual(copiesOutside([join('src', 'core', 'db-file.ts')], [/customs\.db\b/]), []);
});
