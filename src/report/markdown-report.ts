/**
 * `customs scan --format markdown`: a summary for pull-request comments and
 * $GITHUB_STEP_SUMMARY, in GitHub-flavoured Markdown (https://github.github.com/gfm/):
 * the verdict, counts by severity, failing rules, remediation, the top findings
 * (at most 50 rows, then "… and N more"), suppressions and notes.
 *
 * Text from the image or the feeds (package names and versions, paths, the
 * OS name from os-release, finding summaries and notes that quote them) goes
 * in code spans: nothing inside one is markup, an autolink (GFM §6.9: "www.",
 * "http:", "a@b.c") or, on GitHub, an @mention or #reference. A span's fence
 * is longer than any backtick run inside, with a space inside the fence when
 * the text starts or ends with a backtick or with a space at both ends (§6.1);
 * in table cells "|" is written "\|", which GFM (§4.10) applies before inline
 * parsing, code spans included. Text customs or the policy author wrote
 * (messages, reasons) is escaped instead: ASCII punctuation that starts inline
 * syntax is backslash-escaped (CommonMark §2.4 allows it for any ASCII
 * punctuation), "@" and the "." of "www." too, so no autolink starts. Line
 * breaks become spaces; controls, bidi overrides and invisible characters
 * become "?" (core's terminalText: the report is read on terminals too).
 */
import { terminalText } from '../core/index.js';
import type { Verdict } from '../policy/index.js';
import { SEVERITIES, severityRank } from '../core/index.js';
import { describeSuppression, type SuppressionIndex, suppressionIndex } from './finding-refs.js';
import type { ScanResult as ScanReportInput } from '../result/index.js';
import type { ScanWriter } from './types.js';

export interface MarkdownOptions {
  readonly verdict?: Verdict;
  /** Rows of the top-findings table (default 50). */
  readonly maxFindings?: number;
}

const oneLine = (s: string): string => terminalText(s.replace(/\r\n?|\n/g, ' '));

/**
 * Plain text in a table cell or a list item (never at a line's start, so "-", "=" and digits
 * cannot open a block). `$` too: GitHub renders $…$ as maths; ":" stops :emoji: shortcodes and
 * protocol autolinks, "@" email autolinks, "www\." www autolinks (GFM §6.9).
 */
export function mdText(s: string): string {
  return oneLine(s)
    .replace(/[\\`*_{}[\]()<>#+!|~&$:@]/g, (c) => `\\${c}`)
    .replace(/(www)\./gi, '$1\\.');
}

/**
 * A code span that holds any text. `where`: "cell" (the default) escapes "|" for a GFM table
 * cell; "inline" is for text outside tables, where a backslash in a code span is literal.
 */
export function mdCode(s: string, where: 'cell' | 'inline' = 'cell'): string {
  const text = oneLine(s);
  if (text === '') return '';
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  // §6.1 strips one space at each end only when both are spaces and the text is not all spaces.
  const pad =
    text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '')
      ? ' '
      : '';
  // GFM splits a row at a "|" not escaped by a backslash, reading "\\" as an escaped backslash
  // first, and removes one backslash before a "|" in a cell: backslashes right before a pipe are
  // doubled so the pipe stays escaped (the cell then shows them doubled, its only way to hold them).
  const body = where === 'cell' ? text.replace(/(\\*)\|/g, (_, bs: string) => `${bs}${bs}\\|`) : text;
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** Text in the raw HTML of a <details> summary (an HTML block: Markdown escapes do not apply there). */
const htmlText = (s: string): string => oneLine(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const row = (cells: readonly string[]): string => `| ${cells.map((c) => c || ' ').join(' | ')} |`;
const ICON: Readonly<Record<string, string>> = { pass: '✅', warn: '⚠️', fail: '❌' };

interface Top {
  readonly severity: string;
  readonly kind: string;
  readonly id: string;
  readonly where: string;
  readonly fix: string;
  readonly suppressed?: string;
}

function topFindings(r: ScanReportInput, sup: SuppressionIndex): Top[] {
  const out: Top[] = [];
  const layer = new Map<string, string>();
  for (const [i, l] of r.inventory.target.layers.entries()) if (!layer.has(l.diffID)) layer.set(l.diffID, `L${i + 1}`);
  const ran = (s: string): boolean => r.scanners.includes(s);
  const at = (d: string | undefined): string => (d !== undefined && layer.has(d) ? ` (${layer.get(d)})` : '');
  const with_ = (t: Omit<Top, 'suppressed'>, s: ReturnType<SuppressionIndex['vuln']>): Top =>
    s ? { ...t, suppressed: describeSuppression(s) } : t;
  for (const f of ran('vuln') ? r.vulnerabilities : [])
    out.push(
      with_(
        {
          severity: f.severity,
          kind: 'vulnerability',
          id: mdCode(f.id),
          where: `${mdCode(`${f.package.name} ${f.installedVersion}`)}${at(f.layer)}`,
          fix: f.fixedVersions.length > 0 ? mdCode(f.fixedVersions.join(', ')) : mdText(f.state),
        },
        sup.vuln(f),
      ),
    );
  for (const s of ran('secret') ? (r.secrets ?? []) : [])
    out.push(
      with_(
        {
          severity: s.severity,
          kind: 'secret',
          id: mdCode(s.ruleId),
          where: `${mdCode(`${s.location}${s.line !== undefined ? `:${s.line}` : ''}`)}${at(s.layer)}`,
          fix: 'remove and rotate',
        },
        sup.secret(s),
      ),
    );
  for (const m of ran('malware') ? (r.malware ?? []) : [])
    out.push(
      with_(
        {
          severity: m.severity,
          kind: 'malware',
          id: mdCode(m.ruleId),
          where: `${mdCode(m.path)}${at(m.layer)}`,
          fix: 'remove',
        },
        sup.malware(m),
      ),
    );
  for (const m of ran('misconfig') ? (r.misconfigurations ?? []) : [])
    out.push(
      with_(
        {
          severity: m.severity,
          kind: 'misconfiguration',
          id: mdCode(m.checkId),
          where: mdCode(m.location ? `${m.location.path}:${m.location.startLine}` : m.target),
          fix: mdText(m.title),
        },
        sup.misconfig(m),
      ),
    );
  // Worst first; what a policy suppressed after what it did not; otherwise the scan's order (stable sort).
  return out.sort(
    (a, b) =>
      Number(a.suppressed !== undefined) - Number(b.suppressed !== undefined) ||
      severityRank(a.severity) - severityRank(b.severity),
  );
}

function countsTable(r: ScanReportInput): string[] {
  const lists: [string, string, readonly { readonly severity: string }[]][] = [
    ['vuln', 'Vulnerabilities', r.vulnerabilities],
    ['secret', 'Secrets', r.secrets ?? []],
    ['misconfig', 'Misconfigurations', r.misconfigurations ?? []],
    ['malware', 'Malware', r.malware ?? []],
  ];
  const ran = lists.filter(([s]) => r.scanners.includes(s));
  if (ran.length === 0) return [];
  return [
    row(['', ...SEVERITIES.map((s) => s[0]?.toUpperCase() + s.slice(1)), 'Total']),
    `|---|${SEVERITIES.map(() => '---:|').join('')}---:|`,
    ...ran.map(([, label, list]) =>
      row([label, ...SEVERITIES.map((s) => String(list.filter((x) => x.severity === s).length)), String(list.length)]),
    ),
  ];
}

function verdictParts(v: Verdict): string[] {
  const out: string[] = [];
  if (v.rules.length > 0) {
    out.push('', '### Failing rules', '', row(['Rule', 'Action', 'Message', 'Findings']), '|---|---|---|---:|');
    for (const rule of v.rules)
      out.push(
        row([
          mdCode(rule.ruleId),
          rule.action === 'fail' ? '❌ fail' : '⚠️ warn',
          mdText(rule.message),
          String(rule.findings.length),
        ]),
      );
    for (const rule of v.rules) {
      if (rule.findings.length === 0) continue;
      out.push(
        '',
        `<details><summary>${htmlText(rule.ruleId)}: ${rule.findings.length} finding${rule.findings.length === 1 ? '' : 's'}</summary>`,
        '',
      );
      // Summaries quote the image (package names and versions, label values).
      for (const f of rule.findings.slice(0, 50)) out.push(`- ${mdCode(f.summary || f.id, 'inline')}`);
      if (rule.findings.length > 50) out.push(`- … and ${rule.findings.length - 50} more`);
      out.push('', '</details>');
    }
  }
  if (v.remediation.length > 0) {
    out.push('', '### Remediation', '');
    for (const m of v.remediation) {
      const how = m.how === 'rebuild-base' ? 'Rebuild on a newer base image to get' : 'Upgrade';
      out.push(
        `- ${how} ${mdCode(m.package, 'inline')} ${mdCode(m.from, 'inline')} → ${mdCode(m.to, 'inline')} (clears ${m.clears.map((c) => mdCode(c, 'inline')).join(', ')})`,
      );
    }
  }
  if (v.expiredExceptions.length > 0) {
    out.push('', '### Expired exceptions', '');
    for (const e of v.expiredExceptions)
      out.push(
        `- ${mdCode(e.id, 'inline')} expired ${mdText(e.expired)}: ${mdText(e.reason)}${e.owner ? ` (owner ${mdText(e.owner)})` : ''}`,
      );
  }
  return out;
}

export function renderMarkdown(result: ScanReportInput, opts: MarkdownOptions = {}): string {
  const v = opts.verdict;
  const max = Math.max(0, Math.floor(opts.maxFindings ?? 50));
  const inv = result.inventory;
  const out: string[] = [];
  const status = v ? `${ICON[v.status] ?? ''} ${v.status.toUpperCase()}` : '';
  out.push(`## customs scan${status ? `: ${status}` : ''}`, '');
  out.push(`**Target:** ${mdCode(inv.target.name, 'inline')}  `);
  const facts = [
    // os-release text is the image's: PRETTY_NAME="www.example.com @org/team" must stay text.
    inv.os ? mdCode(`${inv.os.name || inv.os.family} (${inv.os.family} ${inv.os.version})`, 'inline') : 'OS unknown',
    `${inv.packages.length} packages`,
  ];
  if (result.db) facts.push(`DB built ${mdText(result.db.builtAt || 'unknown')}`);
  out.push(facts.join(' · '));
  if (v) {
    const fails = v.rules.filter((r) => r.action === 'fail').length;
    const warns = v.rules.length - fails;
    out.push(
      '',
      `**Verdict: ${v.status}** — ${fails} rule${fails === 1 ? '' : 's'} failed, ${warns} warned, ${v.suppressed.length} finding${v.suppressed.length === 1 ? '' : 's'} suppressed${v.policies.length > 0 ? ` (policies: ${v.policies.map((p) => mdCode(p, 'inline')).join(', ')})` : ''}`,
    );
  }
  const counts = countsTable(result);
  if (counts.length > 0) out.push('', '### Findings by severity', '', ...counts);
  if (v) out.push(...verdictParts(v));

  const top = topFindings(result, suppressionIndex(v));
  if (top.length > 0) {
    out.push(
      '',
      '### Top findings',
      '',
      row(['Severity', 'Kind', 'ID', 'Where', 'Fix', 'Notes']),
      '|---|---|---|---|---|---|',
    );
    for (const t of top.slice(0, max)) {
      out.push(
        row([
          t.suppressed ? `~~${t.severity}~~` : t.severity,
          t.kind,
          t.id,
          t.where,
          t.fix,
          t.suppressed ? `suppressed: ${mdText(t.suppressed)}` : '',
        ]),
      );
    }
    if (top.length > max) out.push('', `… and ${top.length - max} more`);
  }
  // Notes quote the image (package names, the OS release).
  const notes = result.notes.map((n) => `- ${mdCode(n.message, 'inline')}`);
  if (inv.unknowns.length > 0)
    notes.push(`- ${inv.unknowns.length} file(s) could not be analysed; run customs sbom to see them`);
  if (notes.length > 0) out.push('', '### Notes', '', ...notes);
  return `${out.join('\n')}\n`;
}

/** The `markdown` scan writer (for SCAN_WRITERS). */
export const scanMarkdown: ScanWriter = { format: 'markdown', render: (result) => renderMarkdown(result) };
