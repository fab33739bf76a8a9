import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { deb } from './deb.js';
import { differentialTest, haveCommand, mismatches, type Oracle, runOracle, sgn } from './test-support/oracle.js';
import { digitsPiece, type Rng, seededRng } from './test-support/rng.js';

// Vectors from dpkg's lib/dpkg/t/t-version.c and deb-version(5) / Debian Policy §5.6.12.
const ORDERED: ReadonlyArray<readonly [string, '<' | '=' | '>', string]> = [
  ['0', '=', '0:0'],
  ['0:0-0', '=', '0'],
  ['0:0.0-0.0', '=', '0.0-0.0'],
  ['0-00', '=', '00-0'],
  ['1:2-3', '=', '1:2-3'],
  ['0-0', '<', '1:0-0'],
  ['0:1a-0', '<', '0:1b-0'],
  ['0-a', '<', '0-b'],
  ['1.0~rc1', '<', '1.0'],
  ['1.0~~', '<', '1.0~~a'],
  ['1.0~~a', '<', '1.0~'],
  ['1.0~', '<', '1.0'],
  ['1.0', '<', '1.0a'],
  ['1.0a', '<', '1.0+'],
  ['1.0+', '<', '1.0.1'],
  ['1.0-1', '<', '1.0-1ubuntu1'],
  ['2:1.0', '>', '1:9.9'],
  ['1.10', '>', '1.9'],
  ['1.0.0000000000000000000000001', '<', '1.0.0000000000000000000000002'],
  ['1.99999999999999999999', '<', '1.100000000000000000000'],
  ['7.88.1-10+deb12u5', '<', '7.88.1-10+deb12u6'],
  ['2.36-9+deb12u4', '>', '2.36-9'],
];

test('deb: published ordering vectors', () => {
  for (const [a, op, b] of ORDERED) {
    const want = op === '<' ? -1 : op === '=' ? 0 : 1;
    assert.equal(sgn(deb.compare(a, b)), want, `${a} ${op} ${b}`);
    assert.equal(sgn(deb.compare(b, a)), want === 0 ? 0 : -want, `${b} vs ${a}`);
  }
});

test('deb: validity as dpkg parseversion() (t-version.c)', () => {
  for (const v of [
    '0',
    '0:0',
    '0:0-0',
    '0:0:0-0',
    '0:0-0:0-0',
    '0:09azAZ.-+~:-0',
    '0:0-azAZ09.+~',
    '  \t0:0-1',
    '0:0-1\t  ',
  ]) {
    assert.equal(deb.valid(v), true, v);
  }
  const invalid = ['', '  ', '0:', '0:0 0-1', '-1:0-1', '999999999999999999999999:0-1', 'a:0-0', 'A:0-0', '-0', '0:-0'];
  invalid.push('0:abc3-0', '0:0-0:0', '1.0-', '0:0-');
  for (const c of "!#@$%&/|\\<>()[]{};,_=*^'") invalid.push(`0:0${c}-0`, `0:0-0${c}`);
  for (const v of invalid) {
    assert.equal(deb.valid(v), false, JSON.stringify(v));
    assert.throws(() => deb.compare(v, '1'), { code: 'VERSION_INVALID' });
  }
});

function genDeb(rng: Rng): string {
  const alphabet = ['a', 'b', 'z', 'A', 'Z', '.', '+', '~', '-', ':', '~~', 'rc', 'dfsg', 'deb12u', 'ubuntu'];
  let up = digitsPiece(rng);
  const n = rng.int(5);
  for (let i = 0; i < n; i++) up += rng.chance(0.5) ? rng.pick(alphabet) : rng.pick(['.', '']) + digitsPiece(rng);
  let v = up;
  if (rng.chance(0.3)) v = `${rng.pick(['0', '1', '2', '01', '10'])}:${v}`;
  if (rng.chance(0.5)) {
    let rev = rng.chance(0.8) ? digitsPiece(rng) : rng.pick(['a', '~', '+b', 'deb']);
    const m = rng.int(3);
    for (let i = 0; i < m; i++) rev += rng.pick(['.', '+', '~', 'a', 'deb', 'u', '']) + digitsPiece(rng);
    v += `-${rev}`;
  }
  return v;
}

function genPairs(rng: Rng, n: number): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  while (pairs.length < n) {
    const a = genDeb(rng);
    // Half the pairs are near-misses of each other: that is where comparators go wrong.
    const b = rng.chance(0.5) ? genDeb(rng) : mutate(rng, a);
    if (deb.valid(a) && deb.valid(b)) pairs.push([a, b]);
  }
  return pairs;
}

function mutate(rng: Rng, v: string): string {
  const i = rng.int(v.length + 1);
  const piece = rng.pick(['~', '0', '1', 'a', '.', '+', '', '00', '9']);
  return rng.chance(0.5) ? v.slice(0, i) + piece + v.slice(i) : v.slice(0, i) + piece + v.slice(i + 1);
}

const APT_ORACLE = String.raw`
import sys, apt_pkg
apt_pkg.init_system()
out = []
for line in sys.stdin.read().split('\n')[:-1]:
    a, b = line.split('\t')
    c = apt_pkg.version_compare(a, b)
    out.append('-1' if c < 0 else '1' if c > 0 else '0')
sys.stdout.write('\n'.join(out) + '\n')
`;
// python3-apt is installed for Debian's interpreter, which may not be first on PATH.
const PYTHON = '/usr/bin/python3';
const APT: Oracle = {
  name: 'python3-apt (apt_pkg)',
  present: spawnSync(PYTHON, ['-c', 'import apt_pkg'], { encoding: 'utf8' }).status === 0,
  install: 'apt-get install python3-apt (scripts/install-deps.sh installs it)',
};
const DPKG: Oracle = {
  name: 'dpkg',
  present: haveCommand('dpkg'),
  install: 'run on Debian or Ubuntu, or apt-get install dpkg',
};

/** The 10,000 generated pairs both oracles see. */
const PAIRS = genPairs(seededRng(0xdeb), 10_000);

differentialTest('deb: agrees with apt_pkg.version_compare on 10,000 generated pairs', APT, () => {
  // apt reads a signed epoch ("+1:2") differently from dpkg; dpkg itself checks those in the next test.
  const pairs = PAIRS.filter(([a, b]) => !/^[+-]/.test(a) && !/^[+-]/.test(b));
  assert.ok(pairs.length > 9_900);
  const theirs = runOracle(
    { command: PYTHON, args: ['-c', APT_ORACLE] },
    pairs.map(([a, b]) => `${a}\t${b}`),
  );
  const ours = pairs.map(([a, b]) => String(sgn(deb.compare(a, b))));
  assert.deepEqual(mismatches(pairs, ours, theirs), []);
});

/**
 * One bash process runs dpkg once per line. `C OP A B`: dpkg is asked the one
 * question our answer implies ("A lt B" when we say -1, "eq" for 0, "gt" for 1);
 * lt, eq and gt are exclusive and exhaustive, so a yes is dpkg's own three-way
 * answer. On a no the full answer is worked out (and differs from ours). One
 * dpkg run per pair keeps 10,000 pairs to a few tens of seconds.
 * `V A`: dpkg --validate-version.
 */
const DPKG_ORACLE = String.raw`
three_way() {
  if dpkg --compare-versions -- "$1" lt "$2" 2>/dev/null; then echo -1
  elif dpkg --compare-versions -- "$1" eq "$2" 2>/dev/null; then echo 0
  else echo 1; fi
}
while IFS=$'\t' read -r kind op a b; do
  if [ "$kind" = V ]; then
    if dpkg --validate-version -- "$a" 2>/dev/null; then echo 1; else echo 0; fi
  elif dpkg --compare-versions -- "$a" "$op" "$b" 2>/dev/null; then
    case $op in lt) echo -1 ;; eq) echo 0 ;; gt) echo 1 ;; esac
  else three_way "$a" "$b"; fi
done
`;
const OP = { '-1': 'lt', '0': 'eq', '1': 'gt' } as const;

differentialTest(
  'deb: agrees with dpkg --compare-versions on the same 10,000 pairs, and --validate-version on 1,000 strings',
  DPKG,
  () => {
    const rng = seededRng(0xd9c6);
    const candidates: string[] = [];
    const junk = ['', ' ', ':', '-', 'a', '_', '1:', ':1', '1-', '+1:2', '01:2', '2147483648:1', '1 2', ' 1', 'é'];
    while (candidates.length < 1000)
      candidates.push(rng.chance(0.2) ? rng.pick(junk) + genDeb(rng) : mutate(rng, genDeb(rng)));
    const ours = [
      ...PAIRS.map(([a, b]) => String(sgn(deb.compare(a, b)))),
      ...candidates.map((v) => (deb.valid(v) ? '1' : '0')),
    ];
    const lines = [
      ...PAIRS.map(([a, b], i) => `C\t${OP[ours[i] as keyof typeof OP]}\t${a}\t${b}`),
      ...candidates.map((v) => `V\t-\t${v}`),
    ];
    const theirs = runOracle({ command: 'bash', args: ['-c', DPKG_ORACLE] }, lines);
    const cases = [...PAIRS, ...candidates.map((v): [string, string] => [v, '(validate)'])];
    assert.deepEqual(mismatches(cases, ours, theirs), []);
  },
);
