import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { pep440 } from './pep440.js';
import { differentialTest, mismatches, type Oracle, runOracle, sgn } from './test-support/oracle.js';
import { type Rng, seededRng } from './test-support/rng.js';

// PEP 440 "Summary of permitted suffixes and relative ordering" example, in order.
const ORDERED = [
  '1.dev0',
  '1.0.dev456',
  '1.0a1',
  '1.0a2.dev456',
  '1.0a12.dev456',
  '1.0a12',
  '1.0b1.dev456',
  '1.0b2',
  '1.0b2.post345.dev456',
  '1.0b2.post345',
  '1.0rc1.dev456',
  '1.0rc1',
  '1.0',
  '1.0+abc.5',
  '1.0+abc.7',
  '1.0+5',
  '1.0.post456.dev34',
  '1.0.post456',
  '1.0.15',
  '1.1.dev1',
];

test("pep440: the PEP's ordering example", () => {
  for (let i = 0; i + 1 < ORDERED.length; i++) {
    const a = ORDERED[i] ?? '';
    const b = ORDERED[i + 1] ?? '';
    assert.equal(sgn(pep440.compare(a, b)), -1, `${a} < ${b}`);
  }
});

test('pep440: normalisation (PEP 440 "Normalization")', () => {
  const same: Array<[string, string]> = [
    ['1.0-RC1', '1.0rc1'],
    ['1.0.post', '1.0.post0'],
    ['v1.0', '1.0'],
    ['1.0a', '1.0a0'],
    ['1.1.c3', '1.1rc3'],
    ['1.0-1', '1.0.post1'],
    ['1.0.preview2', '1.0rc2'],
    ['1.0-dev', '1.0.dev0'],
    ['1.0+ubuntu-1', '1.0+ubuntu.1'],
    ['0!1.0', '1.0'],
    ['1.0.0', '1'],
    [' 1.0\n', '1.0'],
    ['1.0ALPHA1', '1.0a1'],
    ['1.0-r4', '1.0.post4'],
  ];
  for (const [a, b] of same) assert.equal(pep440.compare(a, b), 0, `${a} == ${b}`);
  for (const v of ['', '1.0.', 'a1', '1.0+', '1.0+ab_', '1!', '1.0-', 'français', '1.0.post.dev.x', '1..0']) {
    assert.equal(pep440.valid(v), false, JSON.stringify(v));
  }
  assert.throws(() => pep440.compare('1.0', 'not a version'), { code: 'VERSION_INVALID' });
});

function gen(rng: Rng): string {
  let v = rng.chance(0.05) ? 'v' : '';
  if (rng.chance(0.1)) v += `${rng.int(3)}!`;
  const n = 1 + rng.int(4);
  const rel: string[] = [];
  for (let i = 0; i < n; i++) rel.push(rng.pick(['0', '1', '2', '00', '10', '01', String(rng.int(100000))]));
  v += rel.join('.');
  const sep = (): string => rng.pick(['', '', '.', '-', '_']);
  const num = (): string => (rng.chance(0.2) ? '' : rng.pick(['0', '1', '2', '10', '01', '999999999999999999999']));
  if (rng.chance(0.35))
    v += sep() + rng.pick(['a', 'b', 'rc', 'c', 'alpha', 'beta', 'pre', 'preview', 'RC', 'A']) + sep() + num();
  if (rng.chance(0.3))
    v += rng.chance(0.2) ? `-${rng.int(5)}` : sep() + rng.pick(['post', 'rev', 'r', 'POST']) + sep() + num();
  if (rng.chance(0.3)) v += sep() + rng.pick(['dev', 'DEV']) + sep() + num();
  if (rng.chance(0.2)) {
    const parts = 1 + rng.int(3);
    const local: string[] = [];
    for (let i = 0; i < parts; i++) local.push(rng.pick(['ubuntu', 'abc', '1', '5', '07', 'Z', 'cpu', '20']));
    v += `+${local.join(rng.pick(['.', '-', '_']))}`;
  }
  return v;
}

const PY_ORACLE = String.raw`
import sys
from packaging.version import Version
out = []
for line in sys.stdin.read().split('\n')[:-1]:
    a, b = line.split('\t')
    x, y = Version(a), Version(b)
    out.append('-1' if x < y else '0' if x == y else '1')
sys.stdout.write('\n'.join(out) + '\n')
`;
// Debian's python3-packaging belongs to /usr/bin/python3, which need not be first on PATH.
const PYTHON = '/usr/bin/python3';
const PACKAGING: Oracle = {
  name: 'python3-packaging',
  present: spawnSync(PYTHON, ['-c', 'import packaging.version'], { encoding: 'utf8' }).status === 0,
  install: 'apt-get install python3-packaging (scripts/install-deps.sh installs it)',
};

differentialTest('pep440: agrees with packaging.version on 10,000 generated pairs', PACKAGING, () => {
  const rng = seededRng(0x440);
  const pairs: Array<[string, string]> = [];
  while (pairs.length < 10_000) {
    const a = gen(rng);
    const b = rng.chance(0.3) ? a.replace(/[0-9]+$/, (d) => String(Number(d) + rng.int(2))) : gen(rng);
    if (pep440.valid(a) && pep440.valid(b)) pairs.push([a, b]);
  }
  const theirs = runOracle(
    { command: PYTHON, args: ['-c', PY_ORACLE] },
    pairs.map(([a, b]) => `${a}\t${b}`),
  );
  const ours = pairs.map(([a, b]) => String(sgn(pep440.compare(a, b))));
  assert.deepEqual(mismatches(pairs, ours, theirs), []);
});

const PY_VALID = String.raw`
import sys
from packaging.version import Version, InvalidVersion
out = []
for line in sys.stdin.read().split('\n')[:-1]:
    try:
        Version(line); out.append('1')
    except InvalidVersion:
        out.append('0')
sys.stdout.write('\n'.join(out) + '\n')
`;

differentialTest('pep440: validity agrees with packaging.version on 2,000 mangled strings', PACKAGING, () => {
  const rng = seededRng(0x441);
  const cands: string[] = [];
  while (cands.length < 2000) {
    const v = gen(rng);
    const i = rng.int(v.length + 1);
    const junk = rng.pick([
      '',
      '.',
      '-',
      '_',
      '+',
      '!',
      'x',
      ' ',
      '..',
      'dev',
      'post',
      'a',
      '\u00a0',
      '\u3000',
      '\ufeff',
    ]);
    cands.push(v.slice(0, i) + junk + v.slice(i + rng.int(2)));
  }
  const theirs = runOracle({ command: PYTHON, args: ['-c', PY_VALID] }, cands);
  const ours = cands.map((v) => (pep440.valid(v) ? '1' : '0'));
  assert.deepEqual(
    mismatches(
      cands.map((v): [string, string] => [v, '(valid)']),
      ours,
      theirs,
    ),
    [],
  );
});
