import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Package } from '../core/index.js';
import { testdata } from '../core/test-support/testdata.js';
import { toTable } from './table.js';
import { assertGolden } from '../core/test-support/golden.js';
import { LAYERS, sampleInventory } from './test-support/sample-inventory.js';

test('table of the sample inventory matches the golden file (width 120)', () => {
  assertGolden(testdata(import.meta.url, 'golden', 'sample.table.txt'), toTable(sampleInventory(), { width: 120 }));
});

test('table header names the image, the OS and the package count', () => {
  const lines = toTable(sampleInventory()).split('\n');
  assert.match(lines[0] ?? '', /^Image: +registry\.example\.com:5000\/shop\/web:1\.4\.2 \(sha256:05b3abf2579a\)$/);
  assert.match(lines[1] ?? '', /^OS: +Debian GNU\/Linux 12 \(bookworm\) \[debian 12\]$/);
  assert.match(lines[2] ?? '', /^Packages: 14$/);
  assert.match(lines[4] ?? '', /^ECOSYSTEM +NAME +VERSION +LAYER +PATH$/);
});

test('rows show the short layer index and the first path; a legend maps L1.. to diffIDs', () => {
  const out = toTable(sampleInventory(), { width: 200 });
  assert.match(out, /\ndeb +openssh-client +1:9\.2p1-2\+deb12u3 +L2 +var\/lib\/dpkg\/status\n/);
  assert.match(out, /\nnpm +@babel\/core +7\.24\.0 +L3 +app\/node_modules\/@babel\/core\/package\.json\n/);
  assert.match(out, /\nL1 +sha256:[0-9a-f]{12} +\/bin\/sh -c #\(nop\) ADD file/);
});

test('unknowns are listed clearly after the packages', () => {
  const out = toTable(sampleInventory(), { width: 200 });
  const at = out.indexOf('2 files could not be analysed:');
  assert.ok(at > out.indexOf('ECOSYSTEM'), out);
  const tail = out.slice(at).split('\n');
  assert.match(
    tail[1] ?? '',
    /^ +L2 +usr\/lib\/python3\/dist-packages\/odd-1\.0\.dist-info\/METADATA +\[python-metadata\] ANALYZE_TOO_LARGE: /,
  );
  assert.match(
    tail[2] ?? '',
    /^ +L3 +app\/lib\/broken\.jar +\[java-archive\] ANALYZE_ARCHIVE_CORRUPT: zip central directory not found$/,
  );
  const none = toTable({ ...sampleInventory(), unknowns: [] });
  assert.ok(!none.includes('could not be analysed'));
});

test('every line fits the requested width; cut cells end with "…"', () => {
  for (const width of [60, 80, 100]) {
    const out = toTable(sampleInventory(), { width });
    for (const line of out.split('\n'))
      assert.ok([...line].length <= width, `width ${width}: ${line.length} > ${width}: ${line}`);
    assert.ok(out.includes('…'), `width ${width} truncates something`);
  }
  const wide = toTable(sampleInventory(), { width: 300 });
  assert.ok(wide.includes('usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA'));
});

test('colour is off by default and on when asked', () => {
  assert.ok(!toTable(sampleInventory()).includes('\u001b['));
  assert.ok(toTable(sampleInventory(), { color: true }).includes('\u001b[1mECOSYSTEM'));
});

test('hostile text cannot drive the terminal: control characters are shown as "?"', () => {
  const inv = sampleInventory();
  const evil: Package = {
    ...(inv.packages[0] as Package),
    name: 'evil\u001b]0;pwned\u0007\u001b[2J',
    version: '1\r\n2',
    paths: ['x\u202eyz'],
    layer: LAYERS[0].diffID,
  };
  const out = toTable({ ...inv, packages: [evil] }, { width: 200 });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/.test(out), JSON.stringify(out));
  assert.match(out, /evil\?\]0;pwned\?\?\[2J/);
});

test('an inventory without OS or packages still renders', () => {
  const inv = sampleInventory();
  const { os: _os, ...noOs } = inv;
  const out = toTable({ ...noOs, packages: [], unknowns: [] });
  assert.match(out, /OS: +unknown/);
  assert.match(out, /Packages: 0/);
  assert.match(out, /No packages found\./);
});

test('the layer legend and every cell drop marks, isolates and zero-width characters too', () => {
  const inv = sampleInventory();
  const evil: Package = {
    ...(inv.packages[0] as Package),
    name: 'open\u200bssl',
    paths: ['usr/lib/\u2067txt.exe\u2069\u200f\u061c'],
    layer: LAYERS[0].diffID,
  };
  const layers = inv.target.layers.map((l, i) =>
    i === 0 ? { ...l, createdBy: '/bin/sh -c true\u001b[1A\u001b[2K\r\u2028customs: scan passed' } : l,
  );
  const out = toTable({ ...inv, target: { ...inv.target, layers }, packages: [evil] }, { width: 200 });
  const bad = [...out].filter((c) => {
    const n = c.codePointAt(0) ?? 0;
    return (
      (n < 0x20 && n !== 0x0a) ||
      n === 0x061c ||
      (n >= 0x200b && n <= 0x200f) ||
      n === 0x2028 ||
      (n >= 0x2066 && n <= 0x2069)
    );
  });
  assert.deepEqual(bad, [], JSON.stringify(out));
  assert.match(out, /open\?ssl/);
  assert.match(out, /L1 {2}sha256:\w+ {2}\/bin\/sh -c true\?\[1A\?\[2K\?\?customs: scan passed/);
});
