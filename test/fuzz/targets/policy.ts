/**
 * Target for policy files (src/policy/load-policies.ts: YAML → schema → rule
 * checks: CEL syntax, version constraints, expiry dates), through loadPolicies.
 * Generators start from the policy corpus, mutate it as a tree (the JSON ops)
 * with policy- and YAML-specific scalars (hostile CEL, version constraints,
 * tags, anchors and alias bombs, dates), and print it back as block YAML or as
 * flow YAML (JSON), sometimes after a baseline file so merging runs too.
 */
import { readFileSync } from 'node:fs';
import * as fc from 'fast-check';
import { parse } from 'yaml';
import { loadPolicies } from '../../../src/policy/index.js';
import {
  applyByteOps,
  applyJsonOps,
  byteOp,
  hostileScalar,
  type JNode,
  jsonOp,
  nodeText,
  someOps,
  toNode,
} from '../mutate.js';
import type { FuzzTarget } from '../protocol.js';
import { isPlainString } from './check.js';

const texts = new Map<string, string>();
function corpus(name: string): string {
  let t = texts.get(name);
  if (t === undefined) {
    t = readFileSync(new URL(`../../../../test/corpus/policy/${name}`, import.meta.url), 'utf8');
    texts.set(name, t);
  }
  return t;
}

/** An alias bomb: each level lists the previous one ten times (the yaml reader's maxAliasCount guards it). */
function laughs(levels: number): string {
  const out = ['&l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++) out.push(`&l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]`);
  return `[${out.join(', ')}]`;
}

const n = fc.oneof(fc.integer({ min: 2, max: 50 }), fc.integer({ min: 500, max: 50_000 }));

/** CEL expressions a parser must survive: deep nesting, long chains, odd literals. */
const cel: fc.Arbitrary<string> = fc.oneof(
  n.map((k) => `${'('.repeat(k)}1${')'.repeat(k)}`),
  n.map((k) => `1${' + 1'.repeat(k)}`),
  n.map((k) => `${'-'.repeat(k)}1`),
  n.map((k) => `${'!'.repeat(k)}true`),
  n.map((k) => `${'['.repeat(k)}${']'.repeat(k)}`),
  n.map((k) => `a${'.b'.repeat(k)}`),
  n.map((k) => `${'[1].all(x, '.repeat(k)}true${')'.repeat(k)}`),
  n.map((k) => `${'{"a": '.repeat(k)}1${'}'.repeat(k)}`),
  fc.constantFrom(
    "'\\xff'",
    'b"\\xff"',
    '"\\u{110000}"',
    '9223372036854775808',
    '18446744073709551616u',
    '1 / 0',
    'has(',
    ')',
    '"a".matches("(a+)+$")',
    '',
    ' ',
  ),
  fc.string({ maxLength: 40 }),
);

/** Version constraints (packages.forbidden[].versions). */
const constraint: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '>= 1.0, < 2.0 || = 2.5.1',
    '>=',
    '|| ||',
    '= ',
    '~> 1',
    '^1.2',
    '>= 1.0,',
    '<',
    '!= 1',
    '>=1 <2',
    '==1',
  ),
  n.map((k) => `>= ${'1.'.repeat(k)}0`),
  n.map((k) => Array.from({ length: k }, () => '>= 1').join(' || ')),
  n.map((k) => '>= 1, '.repeat(k)),
  fc.string({ maxLength: 20 }),
);

const yamlScalar: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileScalar, weight: 4 },
  { arbitrary: cel.map((s) => JSON.stringify(s)), weight: 2 },
  { arbitrary: constraint.map((s) => JSON.stringify(s)), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      '&a [1, 2]',
      '*a',
      '*undefined',
      '!!binary aGVsbG8=',
      '!!set {a, b}',
      '!!omap [{a: 1}]',
      '!!timestamp 2001-12-14',
      '!!float .inf',
      '!!int 0x1F',
      '!!str',
      '!custom x',
      '!<tag:yaml.org,2002:js/function> "x"',
      '.nan',
      '~',
      'yes',
      '0o17',
      '2099-12-31',
      '2099-02-30',
      '2099-12-31T25:00:00Z',
      '"*"',
      '"**/**/**/**/**/**/**/**"',
      '{"<<": {"id": "x"}}',
      '"critical-fixable"',
      '"fail"',
      '"warn"',
      '"customs/v1"',
      '"Policy"',
    ),
    weight: 2,
  },
  { arbitrary: fc.integer({ min: 2, max: 12 }).map(laughs), weight: 1 },
);

function yamlKey(k: string): string {
  return JSON.stringify(k);
}

function inline(n: JNode): string | undefined {
  if (n.t === 'raw') return n.text;
  if (n.t === 'obj' && n.entries.length === 0) return '{}';
  if (n.t === 'arr' && n.items.length === 0) return '[]';
  return undefined;
}

/** Block-style YAML of a tree; scalars and raw nodes are written as flow text. */
export function blockYaml(root: JNode): string {
  const lines: string[] = [];
  const walk = (n: JNode, indent: number, first: string | undefined): void => {
    const pad = ' '.repeat(indent);
    let lead = first;
    const line = (s: string): void => {
      lines.push(lead !== undefined ? `${lead}${s.trimStart()}` : s);
      lead = undefined;
    };
    if (n.t === 'obj') {
      for (const [k, v] of n.entries) {
        const i = inline(v);
        if (i !== undefined) line(`${pad}${yamlKey(k)}: ${i}`);
        else {
          line(`${pad}${yamlKey(k)}:`);
          walk(v, indent + 2, undefined);
        }
      }
    } else if (n.t === 'arr') {
      for (const v of n.items) {
        const i = inline(v);
        if (i !== undefined) line(`${pad}- ${i}`);
        else {
          const start = lines.length;
          walk(v, indent + 2, `${pad}- `);
          if (lines.length === start) line(`${pad}- {}`);
        }
      }
    } else line(`${pad}${n.text}`);
  };
  const top = inline(root);
  if (top !== undefined) return `${top}\n`;
  walk(root, 0, undefined);
  return `${lines.join('\n')}\n`;
}

const NEST_KEYS = ['rules', 'exceptions', 'image', 'packages', 'forbidden', 'metadata'] as const;

export const policyTarget: FuzzTarget = {
  name: 'policy',
  entry: 'policy loadPolicies (yaml parseDocument/toJS, TypeBox schema, CEL parse, constraints, dates)',
  arbitrary: () => {
    const seeds = [corpus('org-baseline.yaml'), corpus('team-override.yaml')].map((t) => toNode(parse(t)));
    return fc
      .tuple(
        fc.constantFrom(...seeds),
        someOps(jsonOp(NEST_KEYS, yamlScalar), 5),
        fc.boolean(),
        someOps(byteOp, 2),
        fc.nat(),
      )
      .map(([tree, ops, flow, bops, knob]) => {
        const mutated = applyJsonOps(tree, ops);
        const text = flow ? nodeText(mutated) : blockYaml(mutated);
        return { bytes: applyByteOps(Buffer.from(text, 'utf8'), bops), knob };
      });
  },
  run(input) {
    const text = Buffer.from(input.bytes).toString('utf8');
    // Half the time after the org baseline, so merging (replace, disable) runs on the fuzzed file.
    const files =
      input.knob & 1
        ? [
            { path: 'base.yaml', text: corpus('org-baseline.yaml') },
            { path: 'fuzz.yaml', text },
          ]
        : [{ path: 'fuzz.yaml', text }];
    const policy = loadPolicies(files, new Date(0));
    const out: string[] = [];
    for (const r of policy.rules) {
      if (!isPlainString(r.spec.id) || !isPlainString(r.spec.message) || !['fail', 'warn'].includes(r.spec.action))
        out.push(`rule ${String(r.spec.id)}: id, message or action is malformed`);
    }
    for (const e of policy.exceptions) {
      if (!isPlainString(e.id) || !(e.expiresAt instanceof Date) || Number.isNaN(e.expiresAt.getTime()))
        out.push(`exception ${String(e.id)}: id or expiry is malformed`);
    }
    return out.slice(0, 20);
  },
};
