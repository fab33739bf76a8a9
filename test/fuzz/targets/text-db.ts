/**
 * Targets for the text package databases: apk-tools' installed database
 * (lib/apk/db/installed: "<letter>:<value>" lines, records split by blank
 * lines) and dpkg's status file (deb822(5) paragraphs, folded fields,
 * comments), each driven through its analyzer as the layer walker calls it.
 * Generators build records/paragraphs from a model (right and wrong letters
 * and fields, CRLF, folding, huge records), then mutate bytes.
 */
import { readFileSync } from 'node:fs';
import * as fc from 'fast-check';
import { apkInstalled } from '../../../src/analyze/os/apk-installed.js';
import { dpkgStatus } from '../../../src/analyze/os/dpkg-status.js';
import { applyByteOps, byteOp, mutatedSeeds, someOps, rarely } from '../mutate.js';
import type { FuzzInput, FuzzTarget } from '../protocol.js';
import { fileOf, resultProblems } from './check.js';

const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../../../src/analyze/os/testdata/${path}`, import.meta.url)));

const value: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9+.~_-]{0,20}$/), weight: 24 },
  {
    arbitrary: fc.constantFrom('', ' ', '/', '//', '../x', 'usr/bin/', '/usr//lib/', ':', '\r', '\t', '__proto__'),
    weight: 8,
  },
  { arbitrary: fc.string({ maxLength: 30 }).map((s) => s.replace(/\n/g, '')), weight: 4 },
  { arbitrary: fc.integer({ min: 1000, max: 100_000 }).map((n) => 'x'.repeat(n)), weight: 1 },
);

/** How text is laid out: line ends, final newline, a run of records repeated (huge files). */
const layout = fc.record({
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  repeat: fc.oneof(
    { arbitrary: fc.constant(1), weight: 30 },
    { arbitrary: fc.integer({ min: 2, max: 20_000 }), weight: 1 },
  ),
});

function joinLines(
  records: readonly string[][],
  l: { crlf: boolean; finalNewline: boolean; repeat: number },
  sep: string,
): string {
  const eol = l.crlf ? '\r\n' : '\n';
  const one = records.map((r) => r.join(eol)).join(`${eol}${sep}${eol}`);
  const times = Math.max(1, Math.min(l.repeat, Math.floor((2 * 1024 * 1024) / Math.max(1, one.length + 2))));
  const all = Array.from({ length: times }, () => one).join(`${eol}${sep}${eol}`);
  return l.finalNewline ? `${all}${eol}` : all;
}

function textInput(text: fc.Arbitrary<string>, seeds: readonly Uint8Array[]): fc.Arbitrary<FuzzInput> {
  return fc.oneof(
    {
      arbitrary: fc
        .tuple(text, someOps(byteOp, 3), fc.nat())
        .map(([t, ops, knob]) => ({ bytes: applyByteOps(Buffer.from(t, 'utf8'), ops), knob })),
      weight: 4,
    },
    { arbitrary: mutatedSeeds(seeds), weight: 1 },
  );
}

// ---------------------------------------------------------------- apk

const APK_LETTERS = [
  'P',
  'V',
  'A',
  'o',
  'L',
  'F',
  'R',
  'C',
  't',
  'c',
  'm',
  'M',
  'a',
  'Z',
  'D',
  'p',
  'i',
  'S',
  'I',
  'T',
  'U',
  'r',
  'q',
  'k',
] as const;

const apkLine: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.tuple(fc.constantFrom(...APK_LETTERS), value).map(([l, v]) => `${l}:${v}`), weight: 10 },
  {
    arbitrary: fc
      .tuple(fc.string({ minLength: 1, maxLength: 3 }), value)
      .map(([l, v]) => `${l.replace(/\n/g, '')}:${v}`),
    weight: 1,
  },
  { arbitrary: value, weight: 1 },
);

const apkRecord: fc.Arbitrary<string[]> = fc
  .record({
    name: fc.option(value, { freq: 10 }),
    version: fc.option(value, { freq: 10 }),
    lines: fc.array(apkLine, { maxLength: 10 }),
    files: fc.oneof(
      { arbitrary: fc.array(fc.tuple(fc.constantFrom<string>('F', 'R'), value), { maxLength: 8 }), weight: 100 },
      {
        arbitrary: fc
          .integer({ min: 100, max: 50_000 })
          .map((n) => Array.from({ length: n }, (_, i): [string, string] => ['R', `f${i}`])),
        weight: 1,
      },
    ),
  })
  .map((r) => [
    ...(r.name !== null ? [`P:${r.name}`] : []),
    ...(r.version !== null ? [`V:${r.version}`] : []),
    ...r.lines,
    ...r.files.map(([l, v]) => `${l}:${v}`),
  ]);

export const apkTarget: FuzzTarget = {
  name: 'apk-installed',
  entry: 'analyze/os apk-installed analyzer → parseApkInstalled (lib/apk/db/installed)',
  arbitrary: () =>
    textInput(
      fc.tuple(fc.array(apkRecord, { maxLength: 6 }), layout).map(([records, l]) => joinLines(records, l, '')),
      [fixture('apk/alpine-installed'), fixture('apk/wolfi-installed')],
    ),
  async run(input) {
    const r = await apkInstalled.analyze(fileOf('lib/apk/db/installed', input.bytes));
    return resultProblems(r, 'apk');
  },
};

// ---------------------------------------------------------------- dpkg

const FIELD_NAMES = [
  'Package',
  'Version',
  'Status',
  'Source',
  'Architecture',
  'Description',
  'Depends',
  'Installed-Size',
  'Maintainer',
] as const;

const status = fc.constantFrom(
  'install ok installed',
  'hold ok installed',
  'deinstall ok config-files',
  'install ok half-installed',
  'purge ok not-installed',
  'installed',
  '',
  '   install   ok   installed  ',
  'install ok installed extra',
);

const field: fc.Arbitrary<string[]> = fc
  .record({
    name: fc.oneof(
      { arbitrary: fc.constantFrom(...FIELD_NAMES), weight: 8 },
      { arbitrary: fc.constantFrom(...FIELD_NAMES).map((n) => n.toUpperCase()), weight: 1 },
      { arbitrary: fc.constantFrom('__proto__', 'constructor', '', ' ', '#x', 'a b'), weight: 1 },
    ),
    value: fc.oneof(value, status, fc.constantFrom('name (1.0)', 'name (', 'name ()', '(1.0)', ' (x) y')),
    folded: fc.array(
      fc.tuple(fc.constantFrom(' ', '\t'), value).map(([c, v]) => `${c}${v}`),
      { maxLength: 3 },
    ),
  })
  .map((f) => [`${f.name}: ${f.value}`, ...f.folded]);

const paragraph: fc.Arbitrary<string[]> = fc
  .record({
    installed: fc.boolean(),
    name: value,
    version: value,
    fields: fc.array(field, { maxLength: 6 }),
    comment: rarely(fc.constant('# a comment'), 8),
    manyFields: rarely(fc.constantFrom(100, 9_999, 10_001, 50_000), 30),
  })
  .map((p) => [
    ...(p.comment !== null ? [p.comment] : []),
    `Package: ${p.name}`,
    ...(p.installed ? ['Status: install ok installed'] : []),
    `Version: ${p.version}`,
    ...p.fields.flat(),
    ...Array.from({ length: p.manyFields ?? 0 }, (_, i) => `X-F${i}: v`),
  ]);

const DPKG_PATHS = ['var/lib/dpkg/status', 'var/lib/dpkg/status.d/pkg'] as const;

export const dpkgTarget: FuzzTarget = {
  name: 'dpkg-status',
  entry: 'analyze/os dpkg-status analyzer → parseDpkgStatus → parseDeb822 (status, status.d/*)',
  arbitrary: () =>
    textInput(
      fc
        .tuple(fc.array(paragraph, { maxLength: 5 }), layout, fc.constantFrom('', ' ', '\t', ' \t '))
        .map(([ps, l, sep]) => joinLines(ps, l, sep)),
      [fixture('dpkg/status')],
    ),
  async run(input) {
    const path = DPKG_PATHS[input.knob % DPKG_PATHS.length] as string;
    const r = await dpkgStatus.analyze(fileOf(path, input.bytes));
    return resultProblems(r, 'deb');
  },
};
