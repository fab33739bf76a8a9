import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { go } from './go.js';
import { differentialTest, mismatches, type Oracle, runOracle, sgn } from './test-support/oracle.js';
import { type Rng, seededRng } from './test-support/rng.js';

test('go: x/mod/semver rules — shorthands, +incompatible, pseudo-versions', () => {
  assert.equal(go.compare('v1', 'v1.0.0'), 0);
  assert.equal(go.compare('v1.2', 'v1.2.0'), 0);
  assert.equal(go.compare('v2.0.0+incompatible', 'v2.0.0'), 0);
  // Pseudo-versions (https://go.dev/ref/mod#pseudo-versions) sort before the release they precede.
  const ordered = [
    'v0.0.0-20190101000000-abcdefabcdef',
    'v0.0.0-20200101000000-abcdefabcdef',
    'v0.1.0',
    'v1.2.3-pre',
    'v1.2.3-pre.0.20200101000000-abcdefabcdef',
    'v1.2.3',
    'v1.2.4-0.20200101000000-abcdefabcdef',
    'v1.2.4',
    'v2.0.0+incompatible',
  ];
  for (let i = 0; i + 1 < ordered.length; i++)
    assert.equal(sgn(go.compare(ordered[i] ?? '', ordered[i + 1] ?? '')), -1);
  for (const v of ['1.0.0', 'v1.0-pre', 'v1-pre', 'v01.0.0', 'v1.0.0-01', 'V1.0.0', 'v1.0.0+', 'v', '']) {
    assert.equal(go.valid(v), false, JSON.stringify(v));
  }
});

function gen(rng: Rng): string {
  const num = (): string =>
    rng.chance(0.03) ? rng.pick(['00', '01']) : rng.pick(['0', '1', '2', '10', String(rng.int(1000))]);
  const r = rng.next();
  let v = r < 0.1 ? `v${num()}` : r < 0.2 ? `v${num()}.${num()}` : `v${num()}.${num()}.${num()}`;
  if (rng.chance(0.5)) {
    const ids = [
      rng.chance(0.05) ? rng.pick(['01', '']) : rng.pick(['0', 'pre', 'rc', '1', 'alpha', '20200101000000', 'x-y']),
    ];
    if (rng.chance(0.5))
      ids.push(rng.chance(0.05) ? '02' : rng.pick(['0', '1', '20190101000000-abcdefabcdef', 'beta']));
    v += `-${ids.join('.')}`;
  }
  if (rng.chance(0.2)) v += rng.chance(0.1) ? rng.pick(['+', '+a..b']) : rng.pick(['+incompatible', '+meta.1']);
  return v;
}

const GO_MAIN = `package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"oracle/semver"
)

// Reads "A<TAB>B" lines; prints validity of A and B and semver.Compare(A, B).
func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		p := strings.SplitN(in.Text(), "\\t", 2)
		fmt.Fprintf(out, "%t %t %d\\n", semver.IsValid(p[0]), semver.IsValid(p[1]), semver.Compare(p[0], p[1]))
	}
}
`;

/** golang.org/x/mod/semver as vendored in the Go toolchain's own source tree. */
function vendoredSemver(): string | undefined {
  const res = spawnSync('go', ['env', 'GOROOT'], { encoding: 'utf8' });
  if (res.status !== 0) return undefined;
  const file = join(res.stdout.trim(), 'src/cmd/vendor/golang.org/x/mod/semver/semver.go');
  return existsSync(file) ? file : undefined;
}
const semverSource = vendoredSemver();
const GO: Oracle = {
  name: 'the Go toolchain (golang.org/x/mod/semver in its source tree)',
  present: semverSource !== undefined,
  install: 'apt-get install golang-go (scripts/install-deps.sh installs it)',
};

differentialTest('go: agrees with golang.org/x/mod/semver on 10,000 generated pairs', GO, () => {
  // Built at test time in a cache directory from the toolchain's vendored copy; nothing is committed.
  const dir = join(tmpdir(), 'customs-version-oracles', 'go');
  mkdirSync(join(dir, 'semver'), { recursive: true });
  copyFileSync(semverSource ?? '', join(dir, 'semver', 'semver.go'));
  writeFileSync(join(dir, 'go.mod'), 'module oracle\n\ngo 1.18\n');
  writeFileSync(join(dir, 'main.go'), GO_MAIN);
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOCACHE: join(dir, '.gocache') };
  const build = spawnSync('go', ['build', '-o', 'oracle', '.'], { cwd: dir, encoding: 'utf8', env });
  assert.equal(build.status, 0, build.stderr);
  const rng = seededRng(0x60);
  const pairs: Array<[string, string]> = [];
  while (pairs.length < 10_000) pairs.push([gen(rng), rng.chance(0.05) ? 'v1.0.0' : gen(rng)]);
  const theirs = runOracle(
    { command: join(dir, 'oracle'), args: [] },
    pairs.map(([a, b]) => `${a}\t${b}`),
  );
  const ours = pairs.map(([a, b]) => {
    const va = go.valid(a);
    const vb = go.valid(b);
    // x/mod's Compare puts invalid versions first and equal to each other; ours refuses them instead.
    const c = va && vb ? sgn(go.compare(a, b)) : va ? 1 : vb ? -1 : 0;
    return `${va} ${vb} ${c}`;
  });
  assert.ok(ours.filter((o) => o.startsWith('true true')).length > 3000);
  assert.deepEqual(mismatches(pairs, ours, theirs), []);
});
