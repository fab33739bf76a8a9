/**
 * `customs scan --format html`: one self-contained HTML file. No network: the
 * stylesheet and the script are inline and allowed by their SHA-256 in a
 * Content-Security-Policy meta tag (CSP3 §8.3 hash-source; default-src 'none'
 * blocks everything else: fonts, images, fetches, frames). Parts: a summary
 * (target, OS, DB age, verdict and its failing rules), a severity chart (SVG),
 * the layers in order with the findings each brought, and one table per
 * scanner that ran (vulnerabilities, secrets, misconfigurations, malware,
 * licences), filterable by text, severity and layer and sortable by header.
 * Every string from the image or the feeds is escaped (html-escape.ts); the
 * output depends only on the input (the DB age is measured from the scan
 * time, not the clock), so the same scan gives the same bytes.
 */
import { createHash } from 'node:crypto';
import type { Verdict } from '../policy/index.js';
import { SEVERITIES, severityRank } from '../core/index.js';
import { severityChart } from './html-chart.js';
import { escapeHtml as esc, safeHref } from './html-escape.js';
import { describeSuppression, type SuppressionIndex, suppressionIndex } from './finding-refs.js';
import { HTML_SCRIPT } from './html-script.js';
import { HTML_STYLE } from './html-style.js';
import { countBySeverity } from './summary.js';
import type { ScanResult as ScanReportInput } from '../result/index.js';
import type { ScanWriter } from './types.js';

export interface HtmlOptions {
  /** The gate's verdict: adds the verdict, failing rules, remediation, and marks suppressed findings. */
  readonly verdict?: Verdict;
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');
/** The page's CSP: only the inline style and script below, by hash. */
export const HTML_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${sha256(HTML_SCRIPT)}'`,
  `style-src 'sha256-${sha256(HTML_STYLE)}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

interface Cell {
  readonly html: string;
  /** Sort key when the text does not sort right (severity rank, layer index, score). */
  readonly key?: string | number;
  readonly cls?: string;
}
interface Row {
  readonly cells: readonly Cell[];
  readonly sev?: string;
  readonly layer?: number;
  readonly suppressed?: boolean;
}
interface Table {
  readonly id: string;
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly Row[];
  readonly empty: string;
}

const text = (s: string, key?: string | number): Cell => (key === undefined ? { html: esc(s) } : { html: esc(s), key });
const code = (s: string): Cell => ({ html: `<code>${esc(s)}</code>` });
const sevCell = (s: string): Cell => ({
  html: `<span class="sev sev-${esc(s)}">${esc(s)}</span>`,
  // Sorting by the severity column puts the worst first (ascending rank).
  key: severityRank(s),
});

function layerIndex(result: ScanReportInput): (diffID: string | undefined) => number | undefined {
  const byId = new Map<string, number>();
  for (const [i, l] of result.inventory.target.layers.entries()) if (!byId.has(l.diffID)) byId.set(l.diffID, i + 1);
  return (d) => (d === undefined ? undefined : byId.get(d));
}

function layerCell(n: number | undefined, hiddenBy?: number): Cell {
  if (n === undefined) return { html: '<span class="muted">-</span>', key: 0 };
  const deleted = hiddenBy !== undefined ? ` <span class="tag">deleted in L${hiddenBy}</span>` : '';
  return { html: `L${n}${deleted}`, key: n };
}

function notesCell(s: ReturnType<SuppressionIndex['vuln']>, extra: readonly string[] = []): Cell {
  const tags = extra.map((t) => `<span class="tag">${esc(t)}</span>`);
  if (s) tags.push(`<span class="tag">suppressed</span> ${esc(describeSuppression(s))}`);
  return { html: tags.join(' '), cls: 'why' };
}

function tables(r: ScanReportInput, sup: SuppressionIndex): Table[] {
  const layer = layerIndex(r);
  const out: Table[] = [];
  const ran = (s: string): boolean => r.scanners.includes(s);
  if (ran('vuln')) {
    out.push({
      id: 't-vulns',
      title: 'Vulnerabilities',
      headers: ['Severity', 'ID', 'Package', 'Installed', 'Fixed in', 'Status', 'CVSS', 'Layer', 'Title', 'Notes'],
      empty: 'No vulnerabilities found.',
      rows: r.vulnerabilities.map((f) => {
        const s = sup.vuln(f);
        const href = safeHref(f.url);
        const aliases = f.aliases.length > 0 ? `<br><span class="muted">${esc(f.aliases.join(', '))}</span>` : '';
        const l = layer(f.layer);
        return {
          sev: f.severity,
          ...(l !== undefined ? { layer: l } : {}),
          suppressed: s !== undefined,
          cells: [
            sevCell(f.severity),
            {
              html: `${href ? `<a href="${href}" rel="noreferrer noopener">${esc(f.id)}</a>` : esc(f.id)}${aliases}`,
              key: f.id,
            },
            {
              html: `${esc(f.package.name)}<br><span class="muted">${esc(f.package.ecosystem)}</span>`,
              key: f.package.name,
            },
            code(f.installedVersion),
            code(f.fixedVersions.join(', ') || '-'),
            text(f.state),
            text(f.cvss ? f.cvss.score.toFixed(1) : '-', f.cvss ? f.cvss.score : -1),
            layerCell(l),
            text(f.title ?? ''),
            notesCell(s, f.kev ? ['KEV'] : []),
          ],
        };
      }),
    });
  }
  if (ran('secret')) {
    out.push({
      id: 't-secrets',
      title: 'Secrets',
      headers: ['Severity', 'Rule', 'Title', 'Where', 'Layer', 'Match (redacted)', 'Notes'],
      empty: 'No secrets found.',
      rows: (r.secrets ?? []).map((x) => {
        const s = sup.secret(x);
        const l = layer(x.layer);
        return {
          sev: x.severity,
          ...(l !== undefined ? { layer: l } : {}),
          suppressed: s !== undefined,
          cells: [
            sevCell(x.severity),
            text(x.ruleId),
            text(x.title),
            code(`${x.location}${x.line !== undefined ? `:${x.line}` : ''}`),
            layerCell(l, layer(x.hiddenByLayer)),
            code(x.match),
            notesCell(s),
          ],
        };
      }),
    });
  }
  if (ran('misconfig')) {
    out.push({
      id: 't-misconfigs',
      title: 'Misconfigurations',
      headers: ['Severity', 'Check', 'Title', 'Where', 'Finding', 'Notes'],
      empty: 'No misconfigurations found.',
      rows: (r.misconfigurations ?? []).map((m) => {
        const s = sup.misconfig(m);
        return {
          sev: m.severity,
          suppressed: s !== undefined,
          cells: [
            sevCell(m.severity),
            text(m.checkId),
            text(m.title),
            code(m.location ? `${m.location.path}:${m.location.startLine}` : m.target),
            text(m.message),
            notesCell(s),
          ],
        };
      }),
    });
  }
  if (ran('malware')) {
    out.push({
      id: 't-malware',
      title: 'Malware',
      headers: ['Severity', 'Rule', 'Kind', 'Path', 'Layer', 'Detail', 'Notes'],
      empty: 'No malware found.',
      rows: (r.malware ?? []).map((m) => {
        const s = sup.malware(m);
        const l = layer(m.layer);
        return {
          sev: m.severity,
          ...(l !== undefined ? { layer: l } : {}),
          suppressed: s !== undefined,
          cells: [
            sevCell(m.severity),
            text(m.ruleId),
            text(m.kind),
            code(m.path),
            layerCell(l, layer(m.hiddenByLayer)),
            text(m.detail),
            notesCell(s),
          ],
        };
      }),
    });
  }
  if (ran('license') && r.licenses) {
    const pkgLayer = new Map<string, number | undefined>();
    for (const p of r.inventory.packages) if (!pkgLayer.has(p.purl)) pkgLayer.set(p.purl, layer(p.layer));
    out.push({
      id: 't-licenses',
      title: 'Licences',
      headers: ['Licence', 'Category', 'Package', 'Layer'],
      empty: 'No packages.',
      rows: r.licenses.byLicense.flatMap((e) =>
        e.packages.map((purl) => {
          const l = pkgLayer.get(purl);
          return {
            ...(l !== undefined ? { layer: l } : {}),
            cells: [text(e.license || '(none declared)'), text(e.category), code(purl), layerCell(l)],
          };
        }),
      ),
    });
  }
  return out;
}

function renderTable(t: Table): string {
  const head = t.headers.map((h) => `<th scope="col"><button type="button">${esc(h)}</button></th>`).join('');
  const rows = t.rows.map((row) => {
    const attrs = [
      row.sev !== undefined ? ` data-sev="${esc(row.sev)}"` : '',
      row.layer !== undefined ? ` data-layer="${row.layer}"` : '',
      row.suppressed ? ' class="suppressed"' : '',
    ].join('');
    const cells = row.cells.map(
      (c) =>
        `<td${c.key !== undefined ? ` data-k="${esc(String(c.key))}"` : ''}${c.cls ? ` class="${c.cls}"` : ''}>${c.html}</td>`,
    );
    return `<tr${attrs}>${cells.join('')}</tr>`;
  });
  const n = t.rows.length;
  return [
    `<section id="${t.id}-section">`,
    `<h2>${esc(t.title)} <span class="muted">(<span id="${t.id}-shown">${n}</span> of ${n})</span></h2>`,
    n === 0 ? `<p class="empty">${esc(t.empty)}</p>` : '',
    `<table class="findings" id="${t.id}"><thead><tr>${head}</tr></thead><tbody>`,
    ...rows,
    '</tbody></table></section>',
  ].join('\n');
}

/** Whole days between the DB build and the scan, when both parse. */
function dbAge(builtAt: string, scannedAt: string): string {
  const built = Date.parse(builtAt);
  const scanned = Date.parse(scannedAt);
  if (Number.isNaN(built) || Number.isNaN(scanned)) return esc(builtAt || 'unknown');
  const days = Math.floor((scanned - built) / 86_400_000);
  const age =
    days < 0
      ? 'built after the scan'
      : days === 0
        ? 'less than a day old at scan time'
        : `${days} day${days === 1 ? '' : 's'} old at scan time`;
  return `${esc(builtAt)} <span class="muted">(${age})</span>`;
}

function summary(r: ScanReportInput, verdict: Verdict | undefined): string {
  const inv = r.inventory;
  const t = inv.target;
  const facts: [string, string][] = [['Target', `<code>${esc(t.name)}</code>`]];
  if (verdict)
    facts.push([
      'Verdict',
      `<span class="verdict verdict-${esc(verdict.status)}" id="verdict">${esc(verdict.status)}</span>`,
    ]);
  facts.push(['OS', inv.os ? esc(`${inv.os.name || inv.os.family} (${inv.os.family} ${inv.os.version})`) : 'unknown']);
  if (t.platform) facts.push(['Platform', esc(t.platform)]);
  if (t.manifestDigest) facts.push(['Manifest', `<code>${esc(t.manifestDigest)}</code>`]);
  facts.push(['Config', `<code>${esc(t.configDigest)}</code>`]);
  if (t.created) facts.push(['Image created', esc(t.created)]);
  facts.push(['Scanned', esc(inv.createdAt)]);
  facts.push(['Packages', String(inv.packages.length)]);
  facts.push(['Scanners', esc(r.scanners.join(', ') || 'none')]);
  if (r.db) facts.push(['Vulnerability DB', dbAge(r.db.builtAt, inv.createdAt)]);
  if (verdict && verdict.policies.length > 0) facts.push(['Policies', esc(verdict.policies.join(', '))]);
  const dl = facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
  return `<dl class="facts">${dl}</dl>`;
}

function countsTable(r: ScanReportInput): string {
  const bySev = (list: readonly { readonly severity: string }[]): string[] =>
    SEVERITIES.map((s) => String(list.filter((x) => x.severity === s).length));
  const rows: [string, string, readonly { readonly severity: string }[]][] = [
    ['vuln', 'Vulnerabilities', r.vulnerabilities],
    ['secret', 'Secrets', r.secrets ?? []],
    ['misconfig', 'Misconfigurations', r.misconfigurations ?? []],
    ['malware', 'Malware', r.malware ?? []],
  ];
  const body = rows
    .filter(([scanner]) => r.scanners.includes(scanner))
    .map(
      ([scanner, label, list]) =>
        `<tr data-kind="${scanner}"><th scope="row">${label}</th>${bySev(list)
          .map((n) => `<td>${n}</td>`)
          .join('')}<td>${list.length}</td></tr>`,
    );
  if (body.length === 0) return '';
  return `<table class="counts" id="counts"><thead><tr><th></th>${SEVERITIES.map((s) => `<th scope="col">${s}</th>`).join('')}<th scope="col">total</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function verdictSection(v: Verdict): string {
  const out = ['<section id="verdict-section"><h2>Policy verdict</h2>'];
  if (v.rules.length === 0) out.push('<p>No rule failed or warned.</p>');
  else {
    out.push(
      '<table class="rules" id="rules"><thead><tr><th>Rule</th><th>Action</th><th>Message</th><th>Findings</th><th>Policy</th></tr></thead><tbody>',
    );
    for (const rule of v.rules) {
      const shown = rule.findings.slice(0, 20).map((f) => `<li>${esc(f.summary || f.id)}</li>`);
      if (rule.findings.length > 20) shown.push(`<li class="muted">… and ${rule.findings.length - 20} more</li>`);
      out.push(
        `<tr data-action="${esc(rule.action)}"><td><code>${esc(rule.ruleId)}</code></td><td>${esc(rule.action)}</td><td>${esc(rule.message)}</td><td>${rule.findings.length}<ul>${shown.join('')}</ul></td><td>${esc(rule.source)}</td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }
  if (v.remediation.length > 0) {
    out.push('<h3>Remediation</h3><ul id="remediation">');
    for (const m of v.remediation) {
      const how = m.how === 'rebuild-base' ? 'rebuild on a newer base image' : 'upgrade';
      out.push(
        `<li>${esc(how)}: <code>${esc(m.package)}</code> ${esc(m.from)} → ${esc(m.to)} <span class="muted">(clears ${esc(m.clears.join(', '))})</span></li>`,
      );
    }
    out.push('</ul>');
  }
  if (v.suppressed.length > 0) {
    out.push(`<h3>Suppressed (${v.suppressed.length})</h3><ul id="suppressed">`);
    for (const s of v.suppressed)
      out.push(`<li>${esc(s.finding.summary || s.finding.id)} — ${esc(describeSuppression(s))}</li>`);
    out.push('</ul>');
  }
  if (v.expiredExceptions.length > 0) {
    out.push(`<h3>Expired exceptions (${v.expiredExceptions.length})</h3><ul id="expired">`);
    for (const e of v.expiredExceptions)
      out.push(
        `<li><code>${esc(e.id)}</code> expired ${esc(e.expired)}: ${esc(e.reason)}${e.owner ? ` (owner ${esc(e.owner)})` : ''} <span class="muted">${esc(e.source)}</span></li>`,
      );
    out.push('</ul>');
  }
  out.push('</section>');
  return out.join('\n');
}

function layersSection(r: ScanReportInput): string {
  const layers = r.inventory.target.layers;
  const count = (list: readonly { readonly layer?: string }[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const x of list) if (x.layer !== undefined) m.set(x.layer, (m.get(x.layer) ?? 0) + 1);
    return m;
  };
  const vulns = count(r.vulnerabilities);
  const secrets = count(r.secrets ?? []);
  const malware = count(r.malware ?? []);
  const packages = count(r.inventory.packages);
  const seen = new Set<string>();
  const items = layers.map((l, i) => {
    // A layer repeated in the image (same diffID) brought its findings once: counted at its first position.
    const first = !seen.has(l.diffID);
    seen.add(l.diffID);
    const n = (m: Map<string, number>): number => (first ? (m.get(l.diffID) ?? 0) : 0);
    const total = n(vulns) + n(secrets) + n(malware);
    const parts = [`${n(packages)} packages`, `${n(vulns)} vulnerabilities`];
    if (r.scanners.includes('secret')) parts.push(`${n(secrets)} secrets`);
    if (r.scanners.includes('malware')) parts.push(`${n(malware)} malware`);
    const created = l.createdBy ? `<code>${esc(l.createdBy)}</code>` : '<span class="muted">(no history)</span>';
    const size = l.size !== undefined ? ` · ${l.size} bytes` : '';
    return (
      `<li><button type="button" data-layer="${i + 1}" aria-pressed="false" title="${esc(l.diffID)}">` +
      `<strong>L${i + 1}</strong><span>${created}<br><span class="muted">${esc(l.diffID.slice(0, 19))}${size}</span></span>` +
      `<span><span class="layer-findings" data-count="${total}">${total} findings</span><br><span class="muted">${parts.join(' · ')}</span></span></button></li>`
    );
  });
  return `<section id="layers-section"><h2>Layers</h2><p class="muted">Click a layer to show only the findings it brought; click it again to show all.</p><ol class="layers" id="layers">${items.join('')}</ol></section>`;
}

function filters(): string {
  const options = [
    '<option value="">all severities</option>',
    ...SEVERITIES.map((s) => `<option value="${s}">${s}</option>`),
  ].join('');
  return (
    '<div class="filters" role="search">' +
    '<label>Filter <input type="search" id="filter-text" placeholder="package, ID, path…" autocomplete="off"></label>' +
    `<label>Severity <select id="filter-sev">${options}</select></label>` +
    '<span>Layer: <span id="filter-layer">all layers</span></span>' +
    '<button type="button" id="filter-clear">Clear filters</button></div>'
  );
}

export function renderHtml(result: ScanReportInput, opts: HtmlOptions = {}): string {
  const verdict = opts.verdict;
  const sup = suppressionIndex(verdict);
  const counts = countBySeverity(result.vulnerabilities);
  const chart = result.scanners.includes('vuln')
    ? severityChart(
        'Vulnerabilities by severity',
        SEVERITIES.map((s) => ({ label: s, count: counts[s] })),
      )
    : '';
  const notes = result.notes.map((n) => `<li>${esc(n.message)}</li>`);
  if (result.inventory.unknowns.length > 0)
    notes.push(
      `<li>${result.inventory.unknowns.length} file(s) could not be analysed; run customs sbom to see them</li>`,
    );
  const title = `customs report: ${result.inventory.target.name}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${esc(title)}</h1>${summary(result, verdict)}</header>`,
    '<main>',
    '<section id="summary-section"><h2>Summary</h2>',
    countsTable(result),
    chart,
    '</section>',
    verdict ? verdictSection(verdict) : '',
    notes.length > 0 ? `<section id="notes-section"><h2>Notes</h2><ul>${notes.join('')}</ul></section>` : '',
    layersSection(result),
    filters(),
    ...tables(result, sup).map(renderTable),
    '</main>',
    `<script>${HTML_SCRIPT}</script>`,
    '</body>',
    '</html>',
  ]
    .filter((s) => s !== '')
    .join('\n')
    .concat('\n');
}

/** The `html` scan writer (for SCAN_WRITERS). */
export const scanHtml: ScanWriter = { format: 'html', render: (result) => renderHtml(result) };
