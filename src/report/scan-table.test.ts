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

/** Code points a terminal must not receive from the image (checked one by one, not with the regex under test). */
function unsafeIn(s: string): string[] {
  return [...s].filter((c) => {
    const n = c.codePointAt(0) ?? 0;
    return (
      (n < 0x20 && n !== 0x0a) ||
      (n >= 0x7f && n <= 0x9f) ||
      n === 0x061c ||
      (n >= 0x200b && n <= 0x200f) ||
      (n >= 0x202a && n <= 0x202e) ||
      (n >= 0x2066 && n <= 0x2069)
    );
  });
}

test('image-derived text in every part of the table is made safe: escapes, bidi overrides and isolates, marks', () => {
  // ESC sequences, CR, a C1 CSI, RLO, an isolate, RLM, ALM and a zero-width space.
  const h = (s: string): string => `${s}\u001b[2K\r\u009b1A\u202eevil\u2067x\u2069\u200f\u061c\u200b`;
  const base = htmlSample();
  const [first, ...rest] = base.vulnerabilities;
  const input = {
    ...base,
    inventory: {
      ...base.inventory,
      target: { ...base.inventory.target, name: h('docker-archive:app.tar') },
      os: { family: 'debian', version: h('12'), name: h('Debian') },
      unknowns: [{ path: h('etc/x'), layer: '', analyzer: 'a', code: 'c', message: h('m') }],
    },
    vulnerabilities: [
      ...(first
        ? [
            {
              ...first,
              package: { ...first.package, name: h('curl') },
              installedVersion: h('1'),
              fixedVersions: [h('2')],
              state: h('fixed'),
            },
          ]
        : []),
      ...rest,
    ],
    notes: [{ message: h('note') }],
    secrets: (base.secrets ?? []).map((s) => ({
      ...s,
      location: h(s.location),
      match: h(s.match),
      ruleId: h(s.ruleId),
    })),
    misconfigurations: (base.misconfigurations ?? []).map((m) => ({
      ...m,
      message: h(m.message),
      target: h(m.target),
    })),
    malware: (base.malware ?? []).map((m) => ({ ...m, path: h(m.path), detail: h(m.detail) })),
  } as typeof base;
  for (const verdict of [undefined, sampleVerdict()]) {
    const text = renderScanTable(input, { width: 400, ...(verdict ? { verdict } : {}) });
    assert.deepEqual(unsafeIn(text), [], text);
    assert.match(text, /curl\?\[2K\?\?1A\?evil\?x\?\?\?\?/);
  }
});

test('table with no width limit (a file, a pipe): nothing is cut with "…"', () => {
  const sample = htmlSample();
  const long = `lib${'x'.repeat(150)}`;
  const [first, ...rest] = sample.vulnerabilities;
  assert.ok(first);
  const result = {
    ...sample,
    scanners: ['vuln', 'misconfig'],
    vulnerabilities: [{ ...first, package: { ...first.package, name: long } }, ...rest],
    misconfigurations: [
      {
        checkId: 'CUS-IMG-001',
        severity: 'high' as const,
        title: 't',
        message: `m${'y'.repeat(200)}`,
        target: `/etc/${'z'.repeat(60)}`,
      },
    ],
  };
  const unlimited = renderScanTable(result, { width: Number.POSITIVE_INFINITY });
  assert.ok(!unlimited.includes('…'), unlimited);
  assert.ok(unlimited.includes(long));
  assert.ok(unlimited.includes(`/etc/${'z'.repeat(60)}`));
  assert.ok(unlimited.includes(`m${'y'.repeat(200)}`));
  // A terminal width still cuts.
  assert.ok(renderScanTable(result, { width: 100 }).includes('…'));
});

test('secret and misconfiguration sections list findings most severe first', () => {
  const sample = htmlSample();
  const mis = (checkId: string, severity: 'critical' | 'high' | 'medium' | 'low', line: number) => ({
    checkId,
    severity,
    title: 't',
    message: checkId,
    target: 'Dockerfile',
    location: { path: 'Dockerfile', startLine: line, endLine: line },
  });
  const sec = (ruleId: string, severity: 'critical' | 'high' | 'medium' | 'low', line: number) => ({
    ruleId,
    category: 'generic',
    title: 't',
    severity,
    match: '***',
    location: 'app/.env',
    path: 'app/.env',
    line,
    layer: sample.inventory.target.layers[0]?.diffID ?? '',
  });
  const text = renderScanTable(
    {
      ...sample,
      scanners: ['secret', 'misconfig'],
      secrets: [sec('s-low', 'low', 1), sec('s-crit', 'critical', 2), sec('s-high', 'high', 3)],
      misconfigurations: [mis('M-LOW', 'low', 1), mis('M-HIGH', 'high', 2), mis('M-MED', 'medium', 3)],
    },
    { width: 200 },
  );
  const order = (ids: string[]): number[] => ids.map((id) => text.indexOf(id));
  const s = order(['s-crit', 's-high', 's-low']);
  const m = order(['M-HIGH', 'M-MED', 'M-LOW']);
  assert.ok(
    s.every((v, i) => v > 0 && (i === 0 || v > (s[i - 1] ?? 0))),
    text,
  );
  assert.ok(
    m.every((v, i) => v > 0 && (i === 0 || v > (m[i - 1] ?? 0))),
    text,
  );
});

test('licences are summarised in a few lines, not a row per licence', () => {
  const sample = htmlSample();
  const entry = (
    license: string,
    category: 'permissive' | 'weak-copyleft' | 'strong-copyleft' | 'unknown',
    n: number,
  ) => ({
    license,
    category,
    packages: Array.from({ length: n }, (_, i) => `pkg:deb/debian/${license}-${i}`),
  });
  const byLicense = [
    ...Array.from({ length: 40 }, (_, i) => entry(`Permissive-${i}`, 'permissive', 1)),
    ...Array.from({ length: 8 }, (_, i) => entry(`GPL-Variant-${i}`, 'strong-copyleft', i + 1)),
    entry('LGPL-2.1-only', 'weak-copyleft', 2),
    entry('', 'unknown', 3),
  ];
  const byCategory = { permissive: 40, 'weak-copyleft': 2, 'strong-copyleft': 36, unknown: 3 };
  const text = renderScanTable(
    { ...sample, scanners: ['license'], licenses: { byLicense, byCategory, unknown: [] } },
    { width: Number.POSITIVE_INFINITY },
  );
  const section = text.slice(text.indexOf('Licences:')).split('\n\n')[0] ?? '';
  const lines = section.split('\n').filter((l) => l !== '');
  assert.ok(lines.length <= 6, section);
  assert.match(
    lines[0] ?? '',
    /^Licences: 81 packages \(permissive: 40, weak-copyleft: 2, strong-copyleft: 36, unknown: 3\)$/,
  );
  assert.ok(!section.includes('Permissive-'), section);
  // Most packages first, the rest counted.
  assert.match(section, /strong-copyleft: GPL-Variant-7 \(8\), GPL-Variant-6 \(7\), .*, … and 3 more/);
  assert.match(section, /weak-copyleft: LGPL-2\.1-only \(2\)/);
  assert.match(section, /unknown: \(none declared\) \(3\)/);
});
