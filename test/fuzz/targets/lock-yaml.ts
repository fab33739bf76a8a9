/**
 * Differential target for the line reader of lock-file YAML (src/analyze/lang/lock-yaml-lines.ts):
 * whenever it answers, the yaml package must parse the same text to the same value. Its
 * "undefined" (not the writers' shape) is always allowed: the analyzers then use the yaml
 * package itself. Generators build lines from a model of what lock files hold and of what
 * they never should (comments after content, tabs, anchors, tags, block scalars, numbers in
 * every core-schema spelling, duplicate and non-string keys, quotes, flow collections on one
 * line or several, uneven indentation), then mutate bytes.
 */
import { isDeepStrictEqual } from 'node:util';
import * as fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { readLockYaml } from '../../../src/analyze/lang/lock-yaml-lines.js';
import { applyByteOps, byteOp, someOps } from '../mutate.js';
import type { FuzzInput, FuzzTarget } from '../protocol.js';

const word = fc.stringMatching(/^[a-z][a-z0-9._-]{0,8}$/);

/** Scalars in every spelling a reader could take differently. */
const scalarText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: word, weight: 6 },
  { arbitrary: fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}(_[a-z@+.0-9]{1,6})?$/), weight: 4 },
  {
    arbitrary: fc.constantFrom(
      '5.4',
      '6.0',
      '9.0',
      '1.10',
      '007',
      '0',
      '-0',
      '+1',
      '.5',
      '1.',
      '1e3',
      '0x1F',
      '0o17',
      '.inf',
      '.NaN',
      '12345678901234567890',
      'true',
      'True',
      'TRUE',
      'false',
      'yes',
      'no',
      '~',
      'null',
      'Null',
      'NULL',
      '',
      "'quoted'",
      "'it''s'",
      "'a: b'",
      "''",
      '"double"',
      '"esc\\"aped"',
      '"tab\\t"',
      '"x',
      "'x",
      '@scope/x',
      '/@scope/x/1.0.0',
      '/x@1.0.0(y@2.0.0)',
      'link:../x',
      'https://x.test/a.tgz',
      'a: b',
      'a:',
      'a #c',
      'a#b',
      '&anchor x',
      '*alias',
      '!tag x',
      '!!str 1',
      '|',
      '>-',
      '[x, y]',
      '{a: b}',
      '[x',
      '{a: b',
      '{a: b, a: c}',
      '{a: [x]}',
      '[{a: b}]',
      '{ a: b , c: d }',
      '[]',
      '{}',
      '{a:}',
      '{a: }',
      '%x',
      '`x',
      '- x',
      '-x',
      '? x',
      ':x',
      ',x',
      'x\ty',
      'x\r',
      'é',
      '__proto__',
      '<<',
      'a  b',
      'x ',
    ),
    weight: 6,
  },
  { arbitrary: fc.string({ maxLength: 12 }).map((s) => s.replace(/\n/g, '')), weight: 2 },
);

const keyText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('a', 'b', 'packages', 'version', 'name', 'dev', 'resolution'), weight: 6 },
  { arbitrary: scalarText, weight: 4 },
);

type Line =
  | { readonly k: 'open'; readonly indent: number; readonly key: string }
  | { readonly k: 'pair'; readonly indent: number; readonly key: string; readonly value: string }
  | { readonly k: 'item'; readonly indent: number; readonly value: string }
  | { readonly k: 'raw'; readonly text: string };

const indent = fc.oneof(
  { arbitrary: fc.constantFrom(0, 2, 4, 6), weight: 8 },
  { arbitrary: fc.integer({ min: 0, max: 9 }), weight: 1 },
);

const line: fc.Arbitrary<Line> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('open' as const), indent, key: keyText }), weight: 4 },
  { arbitrary: fc.record({ k: fc.constant('pair' as const), indent, key: keyText, value: scalarText }), weight: 8 },
  { arbitrary: fc.record({ k: fc.constant('item' as const), indent, value: scalarText }), weight: 3 },
  {
    arbitrary: fc.record({
      k: fc.constant('raw' as const),
      text: fc.constantFrom('', '   ', '# comment', '  # indented comment', '---', '...', '%YAML 1.2', '-', '\t'),
    }),
    weight: 2,
  },
);

const render = (l: Line): string => {
  switch (l.k) {
    case 'open':
      return `${' '.repeat(l.indent)}${l.key}:`;
    case 'pair':
      return `${' '.repeat(l.indent)}${l.key}: ${l.value}`;
    case 'item':
      return `${' '.repeat(l.indent)}- ${l.value}`;
    case 'raw':
      return l.text;
  }
};

const text: fc.Arbitrary<string> = fc
  .tuple(fc.array(line, { minLength: 1, maxLength: 30 }), fc.boolean())
  .map(([lines, finalNewline]) => `${lines.map(render).join('\n')}${finalNewline ? '\n' : ''}`);

/** A pnpm lock in the writers' shape, so that most inputs are read by the line reader. */
const pnpmShaped: fc.Arbitrary<string> = fc
  .array(
    fc.record({
      key: fc.oneof(scalarText, fc.stringMatching(/^\/[a-z]{1,6}\/[0-9]\.[0-9]\.[0-9]$/)),
      fields: fc.array(fc.tuple(keyText, scalarText), { maxLength: 4 }),
      deps: fc.array(fc.tuple(word, scalarText), { maxLength: 3 }),
    }),
    { maxLength: 8 },
  )
  .map((entries) =>
    [
      'lockfileVersion: 5.4',
      '',
      'packages:',
      '',
      ...entries.flatMap((e) => [
        `  ${e.key}:`,
        ...e.fields.map(([k, v]) => `    ${k}: ${v}`),
        ...(e.deps.length > 0 ? ['    dependencies:', ...e.deps.map(([k, v]) => `      ${k}: ${v}`)] : []),
        '',
      ]),
    ].join('\n'),
  );

export const lockYamlTarget: FuzzTarget = {
  name: 'lock-yaml',
  entry: 'analyze/lang readLockYaml (pnpm-lock.yaml, yarn.lock v2+) against the yaml package',
  arbitrary: () =>
    fc
      .tuple(
        fc.oneof({ arbitrary: text, weight: 1 }, { arbitrary: pnpmShaped, weight: 2 }),
        someOps(byteOp, 2),
        fc.nat(),
      )
      .map(([t, ops, knob]): FuzzInput => ({ bytes: applyByteOps(Buffer.from(t, 'utf8'), ops), knob })),
  run(input) {
    const source = Buffer.from(input.bytes).toString('utf8');
    const quick = readLockYaml(source);
    if (quick === undefined) return [];
    let full: unknown;
    try {
      full = parseYaml(source, { maxAliasCount: 100 });
    } catch (e) {
      return [`the line reader read text the yaml package refuses (${(e as Error).message.split('\n')[0]})`];
    }
    return isDeepStrictEqual(quick, full)
      ? []
      : [`the line reader read ${JSON.stringify(quick)}, the yaml package ${JSON.stringify(full)}`];
  },
};
