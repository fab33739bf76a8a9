/**
 * Reports of `customs bench`: a table and a JSON document of every control (pass,
 * fail, warn, info, manual, with the evidence that decided it), JUnit with one test
 * case per control, and SARIF through the scan writer: failed and warned controls
 * are misconfiguration findings of the one result model (bench/misconfigurations.ts),
 * so the SARIF writer renders them as it renders any check (docs/bench.md).
 */
import { type BenchReport, benchMisconfigurations, countStatuses } from '../bench/index.js';
import { misconfigOnlyResult, type ScanResult } from '../result/index.js';
import { xmlEscape } from './junit.js';
import { renderSarif } from './sarif.js';
import { printable } from './text.js';

const STATUS_LABEL = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', info: 'INFO', manual: 'MANUAL' } as const;

export function renderBenchTable(r: BenchReport): string {
  const out = [`${r.benchmark} ${r.benchmarkVersion} — ${printable(r.target)}`, ''];
  let section = '';
  for (const c of r.results) {
    if (c.section !== section) {
      section = c.section;
      out.push(`[${c.id.split('.')[0]}] ${section}`);
    }
    const tag = `L${c.level}${c.scored ? '' : ' manual'}`;
    out.push(`  ${STATUS_LABEL[c.status].padEnd(6)} ${c.id.padEnd(7)} ${printable(c.title)} (${tag})`);
    if (c.status !== 'pass') for (const e of c.evidence) out.push(`           ${printable(e)}`);
  }
  const n = countStatuses(r.results);
  out.push(
    '',
    `Total: ${r.results.length} (pass ${n.pass}, fail ${n.fail}, warn ${n.warn}, info ${n.info}, manual ${n.manual})`,
  );
  return `${out.join('\n')}\n`;
}

export function renderBenchJson(r: BenchReport): string {
  const doc = {
    schemaVersion: 1,
    benchmark: r.benchmark,
    benchmarkVersion: r.benchmarkVersion,
    target: r.target,
    summary: countStatuses(r.results),
    results: r.results.map((c) => ({
      id: c.id,
      title: c.title,
      section: c.section,
      level: c.level,
      scored: c.scored,
      status: c.status,
      evidence: [...c.evidence],
      remediation: c.remediation,
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** JUnit: one suite per benchmark section, a test case per control; fail is a failure, warn too, info/manual skipped. */
export function renderBenchJunit(r: BenchReport, now: Date): string {
  const sections = [...new Set(r.results.map((c) => c.section))];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="customs bench ${xmlEscape(r.benchmark)}">`,
  ];
  for (const s of sections) {
    const cs = r.results.filter((c) => c.section === s);
    const failures = cs.filter((c) => c.status === 'fail' || c.status === 'warn').length;
    const skipped = cs.filter((c) => c.status === 'info' || c.status === 'manual').length;
    lines.push(
      `  <testsuite name="${xmlEscape(`${r.benchmark} ${s}`)}" tests="${cs.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0" timestamp="${now.toISOString()}">`,
    );
    for (const c of cs) {
      const open = `    <testcase classname="${xmlEscape(r.benchmark)}" name="${xmlEscape(`${c.id} ${c.title}`)}" time="0"`;
      const ev = c.evidence.join('\n');
      if (c.status === 'fail' || c.status === 'warn')
        lines.push(
          `${open}>`,
          `      <failure message="${xmlEscape(`${c.status}: ${c.evidence[0] ?? ''}`)}" type="${c.status}">${xmlEscape(`${ev}\nRemediation: ${c.remediation}`)}</failure>`,
          '    </testcase>',
        );
      else if (c.status === 'info' || c.status === 'manual')
        lines.push(`${open}>`, `      <skipped message="${xmlEscape(`${c.status}: ${ev}`)}"/>`, '    </testcase>');
      else lines.push(`${open}>`, `      <system-out>${xmlEscape(ev)}</system-out>`, '    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** A bench report as a ScanResult holding its failed and warned controls as misconfigurations. */
export function benchAsResult(r: BenchReport, now: Date): ScanResult {
  return misconfigOnlyResult(
    { name: r.target, transport: r.benchmark, content: { benchmark: r.benchmark, results: r.results } },
    benchMisconfigurations(r),
    now,
  );
}

export const BENCH_FORMATS = ['table', 'json', 'sarif', 'junit'] as const;
export type BenchFormat = (typeof BENCH_FORMATS)[number];

export function renderBench(r: BenchReport, format: BenchFormat, now: Date): string {
  switch (format) {
    case 'table':
      return renderBenchTable(r);
    case 'json':
      return renderBenchJson(r);
    case 'junit':
      return renderBenchJunit(r, now);
    case 'sarif':
      return renderSarif(benchAsResult(r, now));
  }
}
