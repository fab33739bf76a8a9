import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { maven, mavenCanonical } from './maven.js';
import { differentialTest, mismatches, type Oracle, runOracle, sgn } from './test-support/oracle.js';
import { type Rng, seededRng } from './test-support/rng.js';

// Maven's ComparableVersionTest (maven-artifact): VERSIONS_QUALIFIER and VERSIONS_NUMBER are each in increasing order.
const VERSIONS_QUALIFIER = [
  '1-alpha2snapshot',
  '1-alpha2',
  '1-alpha-123',
  '1-beta-2',
  '1-beta123',
  '1-m2',
  '1-m11',
  '1-rc',
  '1-cr2',
  '1-rc123',
  '1-SNAPSHOT',
  '1',
  '1-sp',
  '1-sp2',
  '1-sp123',
  '1-abc',
  '1-def',
  '1-pom-1',
  '1-1-snapshot',
  '1-1',
  '1-2',
  '1-123',
];
const VERSIONS_NUMBER = [
  '2.0',
  '2.0.a',
  '2-1',
  '2.0.2',
  '2.0.123',
  '2.1.0',
  '2.1-a',
  '2.1b',
  '2.1-c',
  '2.1-1',
  '2.1.0.1',
  '2.2',
  '2.123',
  '11.a2',
  '11.a11',
  '11.b2',
  '11.b11',
  '11.m2',
  '11.m11',
  '11',
  '11.a',
  '11b',
  '11c',
  '11m',
];

function assertIncreasing(list: readonly string[]): void {
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i] ?? '';
      const b = list[j] ?? '';
      assert.equal(sgn(maven.compare(a, b)), -1, `${a} < ${b}`);
      assert.equal(sgn(maven.compare(b, a)), 1, `${b} > ${a}`);
    }
  }
}

test('maven: ComparableVersionTest orderings', () => {
  assertIncreasing(VERSIONS_QUALIFIER);
  assertIncreasing(VERSIONS_NUMBER);
});

test('maven: ComparableVersionTest equalities and canonical forms', () => {
  const equal = [
    ['1', '1.0', '1.0.0', '1-0', '1.0-0', '1-ga', '1.ga', '1-final', '1-release', '1.0.0-GA'],
    ['1a', '1-a', '1.0-a', '1.0.0-a'],
    ['1a1', '1-alpha-1', '1alpha1', '1.0-alpha1'],
    ['1b2', '1-beta-2', '1.0-beta2'],
    ['1m3', '1-milestone-3', '1.0-M3'],
    ['1rc4', '1-rc-4', '1-cr-4', '1.0-CR4'],
    ['1x', '1-x', '1.0.0-x'],
  ];
  for (const group of equal)
    for (const v of group) assert.equal(maven.compare(group[0] ?? '', v), 0, `${group[0]} == ${v}`);
  assert.equal(mavenCanonical('1.0.0.RC1'), '1-rc-1');
  assert.equal(mavenCanonical('1-ga-1'), '1-1');
  assert.equal(sgn(maven.compare('1-0.1', '1')), 1); // MNG-6964
  assert.equal(sgn(maven.compare('1.0.0.RC1', '1.0.0-RC2')), -1);
  assert.equal(sgn(maven.compare('1.99999999999999999999', '1.100000000000000000000')), -1);
  assert.equal(maven.valid(''), false);
});

function gen(rng: Rng): string {
  const pieces = [
    '0',
    '1',
    '2',
    '10',
    '01',
    '123',
    '2147483648',
    '9223372036854775808',
    'a',
    'b',
    'm',
    'alpha',
    'beta',
    'milestone',
    'rc',
    'cr',
    'snapshot',
    'SNAPSHOT',
    'ga',
    'final',
    'release',
    'sp',
    'x',
    'foo',
    'RC',
    'Final',
    'GA',
    'pom',
  ];
  let v = rng.pick(pieces.slice(0, 8));
  const n = rng.int(6);
  for (let i = 0; i < n; i++) v += rng.pick(['.', '-', '', '.', '-', '--', '.-']) + rng.pick(pieces);
  if (rng.chance(0.05)) v = rng.pick(['-', '.']) + v;
  if (rng.chance(0.05)) v += rng.pick(['-', '.']);
  return v;
}

/** The maven-artifact jar this machine ships (Debian `maven`; CUSTOMS_MAVEN_LIB picks another lib dir, e.g. 3.9.x), or undefined. */
function mavenJar(): string | undefined {
  const dir = process.env.CUSTOMS_MAVEN_LIB ?? '/usr/share/maven/lib';
  if (!existsSync(dir)) return undefined;
  const jar = readdirSync(dir).find((f) => /^maven-artifact-.*\.jar$/.test(f));
  return jar === undefined ? undefined : join(dir, jar);
}

const jar = mavenJar();
const MAVEN: Oracle = {
  name: "Maven's maven-artifact jar and javac",
  present: jar !== undefined && spawnSync('javac', ['-version'], { encoding: 'utf8' }).status === 0,
  install:
    'apt-get install maven default-jdk-headless (scripts/install-deps.sh installs them; CUSTOMS_MAVEN_LIB names another lib dir)',
};

differentialTest("maven: agrees with Maven's ComparableVersion on 10,000 generated pairs", MAVEN, () => {
  // Compiled at test time into a cache directory; no class files are committed.
  const cache = join(tmpdir(), 'customs-version-oracles');
  mkdirSync(cache, { recursive: true });
  const source = fileURLToPath(new URL('../../src/version/testdata/MavenCompare.java', import.meta.url));
  const javac = spawnSync('javac', ['-cp', jar ?? '', '-d', cache, source], { encoding: 'utf8' });
  assert.equal(javac.status, 0, javac.stderr);
  const rng = seededRng(0x3a7e);
  const pairs: Array<[string, string]> = [];
  while (pairs.length < 10_000) {
    const a = gen(rng);
    const b = rng.chance(0.3) ? a + rng.pick(['.0', '-0', '-ga', '.1', '-1', 'a', '-sp']) : gen(rng);
    pairs.push([a, b]);
  }
  const theirs = runOracle(
    { command: 'java', args: ['-cp', `${cache}:${jar ?? ''}`, 'MavenCompare'] },
    pairs.map(([a, b]) => `${a}\t${b}`),
  );
  const ours = pairs.map(([a, b]) => String(sgn(maven.compare(a, b))));
  assert.deepEqual(mismatches(pairs, ours, theirs), []);
});
