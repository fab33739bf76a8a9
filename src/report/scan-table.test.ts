import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderScanTable } from './scan-table.js';
import { htmlSample, sampleVerdict } from './test-support/html-sample.js';

test('table with a verdict: grouped by target then severity, suppressed findings shown and marked', () => {
  const text = renderScanTable({ ...htmlSample(), scanners: ['vuln'] }, { width: 140, verdict: sampleVerdict() });
  const lines = text.split('\n');
  const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
  const os = at(/^debian 12\.1 \(deb\): 3$/);
  const pip = at(/^app\/requirements\.txt \(pypi\): 1$/);
  assert.ok(os > 0 && pip > os, text);
  // Within the OS target: severity headings in order, each followed by its rows.
  assert.ok(at(/^ {2}CRITICAL \(1\)$/) > os);
  assert.match(lines[at(/^ {2}CRITICAL \(1\)$/) + 1] ?? '', /^CRITICAL\s+CVE-2023-38545\s+curl/);
  assert.match(
    lines[at(/^ {2}HIGH \(1\)$/) + 1] ?? '',
    /^HIGH\s+CVE-2023-44487\s+libnghttp2-14\s+1\.52\.0-1\s+1\.52\.0-1\+deb12u1\s+suppressed\s+L1$/,
  );
  assert.ok(at(/^ {2}LOW \(1\)$/) > at(/^ {2}HIGH \(1\)$/));
  assert.ok(at(/^ {2}MEDIUM \(1\)$/) > pip);
  // The hostile name is printable text.
  assert.ok(!text.includes('\u001b'));
  assert.match(
    text,
    /Suppressed: 1\n {2}- CVE-2023-44487 in libnghttp2-14 1\.52\.0-1: vex: HTTP\/2 is not used \[VEX not_affected: vulnerable_code_not_in_execute_path\]/,
  );
  assert.match(text, /Total: 4 \(critical: 1, high: 1, medium: 1, low: 1, unknown: 0\) in 4 packages; 1 suppressed/);
});

test('table without a verdict: flat rows, no grouping (unchanged)', () => {
  const text = renderScanTable({ ...htmlSample(), scanners: ['vuln'] }, { width: 140 });
  assert.ok(!/\(deb\): \d/.test(text));
  assert.ok(!text.includes('suppressed'));
  assert.match(text, /^HIGH\s+CVE-2023-44487\s+libnghttp2-14\s+\S+\s+\S+\s+fixed\s+L1$/m);
});
