/**
 * The purl specification's own test cases (testdata/purl-spec/, vendored from
 * purl-spec tests/types/; see its README for source and commit), read for the
 * tests of purlOf and decodePurl: an oracle that is not our own code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testdata } from './testdata.js';

/** A purl's components as the spec's test data writes them (null = absent). */
export interface PurlComponents {
  readonly type: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly version: string | null;
  readonly qualifiers: Readonly<Record<string, string>> | null;
  readonly subpath: string | null;
}

interface CaseBase {
  /** The file it came from, e.g. "deb-test.json". */
  readonly file: string;
  readonly description: string;
  readonly expectedFailure: boolean;
}

export type PurlSpecCase =
  | (CaseBase & { readonly kind: 'build'; readonly input: PurlComponents; readonly expected: string | null })
  | (CaseBase & { readonly kind: 'parse'; readonly input: string; readonly expected: PurlComponents | null })
  | (CaseBase & { readonly kind: 'validate'; readonly input: string; readonly expected: string | null });

// core's testdata/ folder: the one beside this folder's parent.
const DIR = testdata(new URL('../purl.js', import.meta.url).href, 'purl-spec');

/** Every case of every vendored file, in file order. Throws on a shape it does not know. */
export function purlSpecCases(): PurlSpecCase[] {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('-test.json'))
    .sort();
  if (files.length === 0) throw new Error(`no purl-spec test files in ${DIR}`);
  return files.flatMap((file) => {
    const doc = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { tests?: unknown };
    if (!Array.isArray(doc.tests)) throw new Error(`${file}: no "tests" array`);
    return doc.tests.map((t: Record<string, unknown>, i): PurlSpecCase => {
      const base = {
        file,
        description: String(t.description),
        expectedFailure: t.expected_failure === true,
      };
      const where = `${file} tests[${i}]`;
      switch (t.test_type) {
        case 'build':
          return {
            ...base,
            kind: 'build',
            input: components(t.input, where),
            expected: stringOrNull(t.expected_output),
          };
        case 'parse':
          return {
            ...base,
            kind: 'parse',
            input: String(t.input),
            expected:
              t.expected_output === null || t.expected_output === undefined
                ? null
                : components(t.expected_output, where),
          };
        case 'validate':
          return { ...base, kind: 'validate', input: String(t.input), expected: stringOrNull(t.expected_output) };
        default:
          throw new Error(`${where}: unknown test_type ${String(t.test_type)}`);
      }
    });
  });
}

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function components(v: unknown, where: string): PurlComponents {
  if (typeof v !== 'object' || v === null) throw new Error(`${where}: components expected`);
  const c = v as Record<string, unknown>;
  if (typeof c.type !== 'string' || typeof c.name !== 'string') throw new Error(`${where}: type and name expected`);
  const q = c.qualifiers;
  if (q !== null && q !== undefined && (typeof q !== 'object' || Object.values(q).some((x) => typeof x !== 'string')))
    throw new Error(`${where}: qualifiers must map strings to strings`);
  return {
    type: c.type,
    namespace: stringOrNull(c.namespace),
    name: c.name,
    version: stringOrNull(c.version),
    qualifiers: (q as Record<string, string> | null | undefined) ?? null,
    subpath: stringOrNull(c.subpath),
  };
}
