import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rpm } from './rpm.js';
import { differentialTest, haveCommand, mismatches, type Oracle, sgn } from './test-support/oracle.js';
import { digitsPiece, type Rng, seededRng } from './test-support/rng.js';

// rpm's own test vectors: tests/rpmvercmp.at (rpm 4.15+, including ~ and ^).
const VERCMP: ReadonlyArray<readonly [string, string, number]> = [
  ['1.0', '1.0', 0],
  ['1.0', '2.0', -1],
  ['2.0', '1.0', 1],
  ['2.0.1', '2.0.1', 0],
  ['2.0', '2.0.1', -1],
  ['2.0.1', '2.0', 1],
  ['2.0.1a', '2.0.1a', 0],
  ['2.0.1a', '2.0.1', 1],
  ['2.0.1', '2.0.1a', -1],
  ['5.5p1', '5.5p1', 0],
  ['5.5p1', '5.5p2', -1],
  ['5.5p2', '5.5p1', 1],
  ['5.5p10', '5.5p10', 0],
  ['5.5p1', '5.5p10', -1],
  ['5.5p10', '5.5p1', 1],
  ['10xyz', '10.1xyz', -1],
  ['10.1xyz', '10xyz', 1],
  ['xyz10', 'xyz10', 0],
  ['xyz10', 'xyz10.1', -1],
  ['xyz10.1', 'xyz10', 1],
  ['xyz.4', 'xyz.4', 0],
  ['xyz.4', '8', -1],
  ['8', 'xyz.4', 1],
  ['xyz.4', '2', -1],
  ['2', 'xyz.4', 1],
  ['5.5p2', '5.6p1', -1],
  ['5.6p1', '5.5p2', 1],
  ['5.6p1', '6.5p1', -1],
  ['6.5p1', '5.6p1', 1],
  ['6.0.rc1', '6.0', 1],
  ['6.0', '6.0.rc1', -1],
  ['10b2', '10a1', 1],
  ['10a2', '10b2', -1],
  ['1.0aa', '1.0aa', 0],
  ['1.0a', '1.0aa', -1],
  ['1.0aa', '1.0a', 1],
  ['10.0001', '10.0001', 0],
  ['10.0001', '10.1', 0],
  ['10.1', '10.0001', 0],
  ['10.0001', '10.0039', -1],
  ['10.0039', '10.0001', 1],
  ['4.999.9', '5.0', -1],
  ['5.0', '4.999.9', 1],
  ['20101121', '20101121', 0],
  ['20101121', '20101122', -1],
  ['20101122', '20101121', 1],
  ['2_0', '2_0', 0],
  ['2.0', '2_0', 0],
  ['2_0', '2.0', 0],
  ['a', 'a', 0],
  ['a+', 'a+', 0],
  ['a+', 'a_', 0],
  ['a_', 'a+', 0],
  ['+a', '+a', 0],
  ['+a', '_a', 0],
  ['_a', '+a', 0],
  ['+_', '+_', 0],
  ['_+', '+_', 0],
  ['_+', '_+', 0],
  ['+', '_', 0],
  ['_', '+', 0],
  ['1.0~rc1', '1.0~rc1', 0],
  ['1.0~rc1', '1.0', -1],
  ['1.0', '1.0~rc1', 1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~rc2', '1.0~rc1', 1],
  ['1.0~rc1~git123', '1.0~rc1~git123', 0],
  ['1.0~rc1~git123', '1.0~rc1', -1],
  ['1.0~rc1', '1.0~rc1~git123', 1],
  ['1.0^', '1.0^', 0],
  ['1.0^', '1.0', 1],
  ['1.0', '1.0^', -1],
  ['1.0^git1', '1.0^git1', 0],
  ['1.0^git1', '1.0', 1],
  ['1.0', '1.0^git1', -1],
  ['1.0^git1', '1.0^git2', -1],
  ['1.0^git2', '1.0^git1', 1],
  ['1.0^git1', '1.01', -1],
  ['1.01', '1.0^git1', 1],
  ['1.0^20160101', '1.0^20160101', 0],
  ['1.0^20160101', '1.0.1', -1],
  ['1.0.1', '1.0^20160101', 1],
  ['1.0^20160101^git1', '1.0^20160101^git1', 0],
  ['1.0^20160102', '1.0^20160101^git1', 1],
  ['1.0^20160101^git1', '1.0^20160102', -1],
  ['1.0~rc1^git1', '1.0~rc1^git1', 0],
  ['1.0~rc1^git1', '1.0~rc1', 1],
  ['1.0~rc1', '1.0~rc1^git1', -1],
  ['1.0^git1~pre', '1.0^git1~pre', 0],
  ['1.0^git1', '1.0^git1~pre', 1],
  ['1.0^git1~pre', '1.0^git1', -1],
];

test('rpm: rpmvercmp vectors from rpm tests/rpmvercmp.at', () => {
  for (const [a, b, want] of VERCMP) assert.equal(sgn(rpm.vercmp(a, b)), want, `rpmvercmp(${a}, ${b})`);
});

test('rpm: EVR comparison (missing epoch = 0, missing release sorts first)', () => {
  assert.equal(rpm.compare('1:1.0-1', '2.0-1'), 1);
  assert.equal(rpm.compare('0:1.0-1', '1.0-1'), 0);
  assert.equal(sgn(rpm.compare('1.0', '1.0-1')), -1);
  assert.equal(sgn(rpm.compare('1.0-1.el8', '1.0-1.el8_2')), -1);
  assert.equal(sgn(rpm.compare('2.28-225.el8', '2.28-211.el8')), 1);
  assert.equal(rpm.valid(''), false);
  assert.equal(rpm.valid('1.0 1'), false);
  assert.throws(() => rpm.compare('', '1'), { code: 'VERSION_INVALID' });
});

function genPiece(rng: Rng): string {
  return rng.chance(0.6) ? digitsPiece(rng) : rng.pick(['a', 'b', 'rc', 'git', 'p', 'el', 'fc', 'Z', 'alpha', 'xyz']);
}
function genVersion(rng: Rng): string {
  let v = genPiece(rng);
  const n = rng.int(6);
  for (let i = 0; i < n; i++) v += rng.pick(['.', '.', '', '~', '^', '_', '+', '.', '~~', '^^', '.']) + genPiece(rng);
  if (rng.chance(0.1)) v = rng.pick(['~', '^', '.', '_']) + v;
  if (rng.chance(0.1)) v += rng.pick(['~', '^', '.', '_']);
  return v;
}
function genEvr(rng: Rng): string {
  let v = genVersion(rng);
  if (rng.chance(0.3)) v = `${rng.pick(['0', '1', '2', '10', '01', ''])}:${v}`;
  if (rng.chance(0.6)) v += `-${genVersion(rng)}`;
  return v;
}

// One rpm process per batch: its Lua reads the pairs and prints rpm.vercmp and the EVR order (rpm.ver) for each.
const LUA = String.raw`%{lua:
local out = {}
for line in io.lines(rpm.expand("%{pairs}")) do
  local a, b = line:match("^(.-)\t(.*)$")
  local va, vb = rpm.ver(a), rpm.ver(b)
  local evr = (va < vb) and -1 or ((va == vb) and 0 or 1)
  out[#out + 1] = rpm.vercmp(a, b) .. " " .. evr
end
print(table.concat(out, "\n"))
}`;

const RPM: Oracle = {
  name: 'rpm',
  present: haveCommand('rpm'),
  install: 'apt-get install rpm (scripts/install-deps.sh installs it)',
};

differentialTest('rpm: agrees with rpm (rpm.vercmp and rpm.ver) on 10,000 generated pairs', RPM, () => {
  const rng = seededRng(0x79a);
  const pairs: Array<[string, string]> = [];
  while (pairs.length < 10_000) {
    const a = genEvr(rng);
    const b = rng.chance(0.4) ? a.replace(/\d/, (d) => String((Number(d) + rng.int(2)) % 10)) : genEvr(rng);
    if (rpm.valid(a) && rpm.valid(b)) pairs.push([a, b]);
  }
  const dir = mkdtempSync(join(tmpdir(), 'customs-rpm-'));
  try {
    const file = join(dir, 'pairs.tsv');
    writeFileSync(file, pairs.map(([a, b]) => `${a}\t${b}`).join('\n'));
    const res = spawnSync('rpm', ['--define', `pairs ${file}`, '--eval', LUA], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    assert.equal(res.status, 0, res.stderr);
    const answers = res.stdout.trimEnd().split('\n');
    assert.equal(answers.length, pairs.length);
    // rpm ≥ 4.16's Lua rpm.vercmp() parses both sides as EVRs too, so both columns are EVR orders;
    // on strings without ':' or '-' an EVR is just a version, which checks our version-only rpmvercmp.
    const oursEvr = pairs.map(([a, b]) => String(sgn(rpm.compare(a, b))));
    const oursVer = pairs.map(([a, b], i) => (/[:-]/.test(a + b) ? (oursEvr[i] ?? '') : String(sgn(rpm.vercmp(a, b)))));
    assert.ok(oursVer.filter((_, i) => !/[:-]/.test((pairs[i] ?? []).join(''))).length > 1000);
    assert.deepEqual(
      mismatches(
        pairs,
        oursVer,
        answers.map((l) => l.split(' ')[0] ?? ''),
      ),
      [],
      'rpm.vercmp',
    );
    assert.deepEqual(
      mismatches(
        pairs,
        oursEvr,
        answers.map((l) => l.split(' ')[1] ?? ''),
      ),
      [],
      'rpm.ver',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
