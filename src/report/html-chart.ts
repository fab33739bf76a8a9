/**
 * The HTML report's severity chart: an inline SVG horizontal bar chart (no
 * script, no network), one bar per severity, labelled with the count. Colours
 * come from the page's stylesheet (classes), so the CSP needs no inline styles.
 */
import { escapeHtml } from './html-escape.js';

export interface ChartBar {
  readonly label: string;
  readonly count: number;
}

const ROW = 24;
const LABEL = 80;
const BAR = 260;
const WIDTH = LABEL + BAR + 60;

export function severityChart(title: string, bars: readonly ChartBar[]): string {
  const max = Math.max(1, ...bars.map((b) => b.count));
  const height = bars.length * ROW + 4;
  const summary = `${title}: ${bars.map((b) => `${b.label} ${b.count}`).join(', ')}`;
  const rows = bars.map((b, i) => {
    const y = i * ROW + 2;
    const w = b.count === 0 ? 0 : Math.max(2, Math.round((b.count / max) * BAR));
    const label = escapeHtml(b.label);
    return (
      `<g class="bar" data-severity="${label}">` +
      `<text x="0" y="${y + 16}">${label}</text>` +
      `<rect class="bar-${label}" x="${LABEL}" y="${y + 3}" width="${w}" height="${ROW - 8}" rx="2"/>` +
      `<text x="${LABEL + w + 6}" y="${y + 16}">${b.count}</text></g>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" aria-label="${escapeHtml(summary)}">` +
    `<title>${escapeHtml(summary)}</title>${rows.join('')}</svg>`
  );
}
