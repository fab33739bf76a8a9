/**
 * The customs side of docs/bench.md's agreement table with docker-bench-security,
 * recomputed from a live `customs bench docker` over the same trip containers: the
 * committed table must match what customs says today, every "agree" must follow
 * from the two statuses, and every disagreement must be explained. (The
 * docker-bench-security column was produced once by hand: CI has no network to
 * fetch it; docs/bench.md says how.)
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTripContainers, type TripContainers } from '../support/bench-docker.js';
import { REPO_ROOT, runCustoms } from '../support/images.js';

interface Row {
  readonly id: string;
  readonly theirs: string;
  readonly ours: string;
  readonly agree: string;
  readonly why: string;
}

async function committedTable(): Promise<Row[]> {
  const doc = await readFile(join(REPO_ROOT, 'docs', 'bench.md'), 'utf8');
  const m = /<!-- bench-compare:begin -->\n([\s\S]*?)<!-- bench-compare:end -->/.exec(doc);
  assert.ok(m?.[1], 'docs/bench.md has the bench-compare table');
  return m[1]
    .split('\n')
    .filter((l) => /^\| \d/.test(l))
    .map((l) => {
      const [id, theirs, ours, agree, why] = l
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim());
      return { id: id ?? '', theirs: theirs ?? '', ours: ours ?? '', agree: agree ?? '', why: why ?? '' };
    });
}

const agrees = (d: string, c: string): boolean =>
  (d === 'PASS' && c === 'pass') ||
  (d === 'WARN' && (c === 'fail' || c === 'warn')) ||
  ((d === 'INFO' || d === 'NOTE') && (c === 'info' || c === 'manual'));

let trip: TripContainers;
before(async () => {
  trip = await startTripContainers(`cbench-cmp${process.pid}`);
});
after(async () => {
  await trip?.remove();
});

test('the committed table is consistent: agree follows from the statuses, disagreements are explained', async () => {
  const rows = await committedTable();
  assert.equal(rows.length, 108);
  for (const r of rows) {
    assert.equal(r.agree, agrees(r.theirs, r.ours) ? 'yes' : 'no', r.id);
    if (r.agree === 'no') assert.ok(r.why.length > 20, `${r.id} differs without an explanation`);
  }
});

test('a live customs run over the same containers gives the customs column of the table', async () => {
  const env: NodeJS.ProcessEnv = { DOCKER_CONTENT_TRUST: '' };
  const r = await runCustoms(['bench', 'docker', '-f', 'json', '--include', trip.prefix], env);
  assert.equal(r.code, 0, r.stderr);
  const live = new Map(
    (JSON.parse(r.stdout) as { results: { id: string; status: string }[] }).results.map((x) => [x.id, x.status]),
  );
  const diverging = (await committedTable())
    .filter((row) => live.get(row.id) !== row.ours)
    .map((row) => `${row.id}: table ${row.ours}, live ${live.get(row.id)}`);
  assert.deepEqual(diverging, []);
  assert.equal(live.size, 108);
});
