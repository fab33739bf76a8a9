/**
 * The compliance report's inputs and formats: input files recognised by their shape
 * (a customs scan JSON, a Dockerfile/Kubernetes check JSON, a bench JSON), and the
 * report as JSON, HTML (self-contained, no script, a style allowed by its hash in
 * the Content-Security-Policy), CSV (RFC 4180) and JUnit (a test case per control:
 * fail is a failure, not-assessed is skipped).
 */
import { BENCH_STATUSES, type BenchReport, type BenchResult } from '../bench/index.js';
import type { Misconfiguration } from '../checks/index.js';
import { createHash } from 'node:crypto';
import { CustomsError, RATED_SEVERITIES } from '../core/index.js';
import type { ComplianceInput, ComplianceReport } from './compliance.js';
import { escapeHtml } from './html-escape.js';
import { xmlEscape } from './junit.js';
import { isScanResultJson, parseScanResultJson } from './scan-json-read.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function benchOf(v: Record<string, unknown>, source: string): BenchReport {
  const bad = (what: string) =>
    new CustomsError(
      'COMPLIANCE_INPUT_INVALID',
      `${source}: a bench report whose ${what}; give \`customs bench … -f json\` output unchanged`,
    );
  if (!Array.isArray(v.results)) throw bad('"results" is not a list');
  const results = v.results.map((r, i): BenchResult => {
    if (!isObject(r) || typeof r.id !== 'string' || typeof r.title !== 'string' || !Array.isArray(r.evidence))
      throw bad(`result ${i} lacks id, title or evidence`);
    if (!(BENCH_STATUSES as readonly unknown[]).includes(r.status))
      throw bad(`result ${r.id} has status ${JSON.stringify(r.status)}`);
    return {
      id: r.id,
      title: r.title,
      section: typeof r.section === 'string' ? r.section : '',
      level: r.level === 2 ? 2 : 1,
      scored: r.scored === true,
      remediation: typeof r.remediation === 'string' ? r.remediation : '',
      status: r.status as BenchResult['status'],
      evidence: r.evidence.map(String),
    };
  });
  return {
    schemaVersion: 1,
    benchmark: v.benchmark as BenchReport['benchmark'],
    benchmarkVersion: String(v.benchmarkVersion ?? ''),
    target: String(v.target ?? ''),
    results,
  };
}

function configOf(v: Record<string, unknown>, source: string): ComplianceInput {
  const ms = v.misconfigurations;
  if (!Array.isArray(ms))
    throw new CustomsError('COMPLIANCE_INPUT_INVALID', `${source}: "misconfigurations" is not a list`);
  const misconfigurations = ms.map((m, i): Misconfiguration => {
    if (!isObject(m) || typeof m.checkId !== 'string' || typeof m.message !== 'string')
      throw new CustomsError('COMPLIANCE_INPUT_INVALID', `${source}: misconfiguration ${i} lacks checkId or message`);
    return {
      checkId: m.checkId,
      severity: RATED_SEVERITIES.find((s) => s === m.severity) ?? 'low',
      title: String(m.title ?? ''),
      message: m.message,
      target: String(m.target ?? v.target ?? ''),
    };
  });
  return {
    source,
    kind: 'config',
    config: { kind: String(v.kind), target: String(v.target ?? ''), misconfigurations },
  };
}

/** One input file, by its shape; anything else is refused naming the file and what is accepted. */
export function parseComplianceInput(text: string, source: string): ComplianceInput {
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new CustomsError('COMPLIANCE_INPUT_INVALID', `${source}: not JSON (${(e as Error).message})`, e);
  }
  if (isObject(v) && typeof v.benchmark === 'string' && (v.benchmark as string).startsWith('cis-'))
    return { source, kind: 'bench', bench: benchOf(v, source) };
  if (isObject(v) && (v.kind === 'dockerfile' || v.kind === 'k8s')) return configOf(v, source);
  if (isScanResultJson(v)) return { source, kind: 'scan', scan: parseScanResultJson(text, source) };
  throw new CustomsError(
    'COMPLIANCE_INPUT_INVALID',
    `${source}: not a customs scan (customs scan -f json), Dockerfile/Kubernetes check (customs scan dockerfile|k8s -f json) or bench report (customs bench … -f json)`,
  );
}

export function renderComplianceJson(r: ComplianceReport): string {
  const summary = { pass: 0, fail: 0, 'not-assessed': 0 };
  for (const c of r.controls) summary[c.status]++;
  return `${JSON.stringify({ ...r, summary }, null, 2)}\n`;
}

/** RFC 4180: fields quoted when they hold a comma, quote or line break; CRLF line ends. */
const csvField = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
/** A cell a spreadsheet would run as a formula is prefixed with a quote (OWASP "CSV injection"). */
const cell = (s: string): string => csvField(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

export function renderComplianceCsv(r: ComplianceReport): string {
  const rows = [['framework', 'id', 'group', 'title', 'status', 'evidence']];
  for (const c of r.controls) rows.push([r.framework, c.id, c.group, c.title, c.status, c.evidence.join('\n')]);
  return `${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

export function renderComplianceJunit(r: ComplianceReport, now: Date): string {
  const groups = [...new Set(r.controls.map((c) => c.group))];
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="customs compliance ${xmlEscape(r.framework)}">`,
  ];
  for (const g of groups) {
    const cs = r.controls.filter((c) => c.group === g);
    out.push(
      `  <testsuite name="${xmlEscape(g)}" tests="${cs.length}" failures="${cs.filter((c) => c.status === 'fail').length}" errors="0" skipped="${cs.filter((c) => c.status === 'not-assessed').length}" time="0" timestamp="${now.toISOString()}">`,
    );
    for (const c of cs) {
      const open = `    <testcase classname="${xmlEscape(r.framework)}" name="${xmlEscape(`${c.id} ${c.title}`)}" time="0">`;
      const ev = xmlEscape(c.evidence.join('\n'));
      if (c.status === 'fail')
        out.push(
          open,
          `      <failure message="${xmlEscape(c.evidence[0] ?? '')}" type="fail">${ev}</failure>`,
          '    </testcase>',
        );
      else if (c.status === 'not-assessed')
        out.push(open, `      <skipped message="not assessed: ${xmlEscape(c.evidence[0] ?? '')}"/>`, '    </testcase>');
      else out.push(open, `      <system-out>${ev}</system-out>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d1d1d}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:4px 8px;vertical-align:top;text-align:left}
.pass{color:#1b7f3b;font-weight:600}.fail{color:#b3261e;font-weight:600}.not-assessed{color:#777}
ul{margin:0;padding-left:18px}`;
/** The page runs no script and loads nothing; its one style is allowed by hash. */
export const COMPLIANCE_HTML_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;

export function renderComplianceHtml(r: ComplianceReport): string {
  const n = { pass: 0, fail: 0, 'not-assessed': 0 };
  for (const c of r.controls) n[c.status]++;
  const rows: string[] = [];
  let group = '';
  for (const c of r.controls) {
    if (c.group !== group) {
      group = c.group;
      rows.push(`<tr><th colspan="4">${escapeHtml(group)}</th></tr>`);
    }
    rows.push(
      `<tr><td>${escapeHtml(c.id)}</td><td>${escapeHtml(c.title)}</td><td class="${c.status}">${c.status}</td><td><ul>${c.evidence.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></td></tr>`,
    );
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${COMPLIANCE_HTML_CSP}">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(r.frameworkTitle)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(r.frameworkTitle)}</h1>
<p>pass ${n.pass} · fail ${n.fail} · not assessed ${n['not-assessed']}</p>
<p>Inputs:</p>
<ul>${r.inputs.map((i) => `<li>${escapeHtml(i.source)}: ${escapeHtml(i.what)}</li>`).join('') || '<li>(none)</li>'}</ul>
<table>
<thead><tr><th>id</th><th>control</th><th>status</th><th>evidence</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

export const COMPLIANCE_FORMATS = ['json', 'html', 'csv', 'junit'] as const;
export type ComplianceFormat = (typeof COMPLIANCE_FORMATS)[number];

export function renderCompliance(r: ComplianceReport, format: ComplianceFormat, now: Date): string {
  switch (format) {
    case 'json':
      return renderComplianceJson(r);
    case 'html':
      return renderComplianceHtml(r);
    case 'csv':
      return renderComplianceCsv(r);
    case 'junit':
      return renderComplianceJunit(r, now);
  }
}
