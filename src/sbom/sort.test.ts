import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Package, Unknown } from '../core/index.js';
import { sortPackages, sortUnknowns } from './sort.js';

const p = (
  ecosystem: Package['ecosystem'],
  name: string,
  version: string,
  path: string,
  layer: string,
  id = name,
): Package => ({
  ecosystem,
  name,
  version,
  paths: [path],
  layer,
  id,
  purl: `pkg:${ecosystem}/${name}@${version}`,
});

test('sortPackages orders by ecosystem, name, version, first path, layer, then id', () => {
  const list = [
    p('npm', 'b', '1', 'x', 'L1'),
    p('deb', 'z', '1', 'x', 'L1'),
    p('npm', 'a', '2', 'x', 'L1'),
    p('npm', 'a', '10', 'x', 'L1'),
    p('npm', 'a', '2', 'w', 'L2'),
    p('npm', 'a', '2', 'w', 'L1', 'id2'),
    p('npm', 'a', '2', 'w', 'L1', 'id1'),
  ];
  const sorted = sortPackages(list).map(
    (x) => `${x.ecosystem}/${x.name}@${x.version} ${x.paths[0]} ${x.layer} ${x.id}`,
  );
  assert.deepEqual(sorted, [
    'deb/z@1 x L1 z',
    // Versions compare as strings (code units): the order is documented, not semantic.
    'npm/a@10 x L1 a',
    'npm/a@2 w L1 id1',
    'npm/a@2 w L1 id2',
    'npm/a@2 w L2 a',
    'npm/a@2 x L1 a',
    'npm/b@1 x L1 b',
  ]);
  assert.equal(list[0]?.name, 'b', 'input is not mutated');
});

test('sortPackages compares by code unit, not by locale', () => {
  const sorted = sortPackages([
    p('npm', 'a', '1', 'x', 'L'),
    p('npm', 'B', '1', 'x', 'L'),
    p('npm', 'é', '1', 'x', 'L'),
  ]);
  assert.deepEqual(
    sorted.map((x) => x.name),
    ['B', 'a', 'é'],
  );
});

test('sortUnknowns orders by layer index (not diffID), path, analyzer; unknown layers last', () => {
  const u = (layer: string, path: string, analyzer: string): Unknown => ({
    layer,
    path,
    analyzer,
    code: 'C',
    message: 'm',
  });
  const layers = ['sha256:ff', 'sha256:00'];
  const sorted = sortUnknowns(
    [
      u('sha256:00', 'a', 'x'),
      u('sha256:zz', 'a', 'x'),
      u('sha256:ff', 'b', 'x'),
      u('sha256:ff', 'a', 'y'),
      u('sha256:ff', 'a', 'x'),
    ],
    layers,
  );
  assert.deepEqual(
    sorted.map((x) => `${x.layer} ${x.path} ${x.analyzer}`),
    ['sha256:ff a x', 'sha256:ff a y', 'sha256:ff b x', 'sha256:00 a x', 'sha256:zz a x'],
  );
});
