/**
 * The HTML report's stylesheet, inlined (no fonts or images from the
 * network) and allowed by its SHA-256 in the Content-Security-Policy.
 */
export const HTML_STYLE = `
:root { --crit: #8b0000; --high: #d9382c; --med: #c98a00; --low: #2b7bb9; --unk: #777; --line: #ddd; --bg: #fafafa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d1d1d; background: #fff; }
header, main { padding: 0 24px; }
header { border-bottom: 1px solid var(--line); background: var(--bg); padding-top: 12px; padding-bottom: 12px; }
h1 { font-size: 20px; margin: 0 0 6px; word-break: break-all; }
h2 { font-size: 17px; margin: 28px 0 8px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; word-break: break-all; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; font-weight: 700; text-transform: uppercase; color: #fff; }
.verdict-pass { background: #2e7d32; } .verdict-warn { background: #c98a00; } .verdict-fail { background: #b71c1c; }
.sev { display: inline-block; min-width: 64px; padding: 0 6px; border-radius: 3px; color: #fff; font-size: 12px; text-align: center; text-transform: uppercase; }
.sev-critical { background: var(--crit); } .sev-high { background: var(--high); } .sev-medium { background: var(--med); } .sev-low { background: var(--low); } .sev-unknown { background: var(--unk); }
svg .bar-critical { fill: var(--crit); } svg .bar-high { fill: var(--high); } svg .bar-medium { fill: var(--med); } svg .bar-low { fill: var(--low); } svg .bar-unknown { fill: var(--unk); }
svg text { font: 12px system-ui, sans-serif; fill: #1d1d1d; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
td { word-break: break-word; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
tr.suppressed td { color: #777; text-decoration: line-through; }
tr.suppressed td.why { text-decoration: none; }
.tag { display: inline-block; padding: 0 5px; border: 1px solid #999; border-radius: 3px; font-size: 11px; text-transform: uppercase; color: #444; text-decoration: none; }
.filters { position: sticky; top: 0; background: #fff; padding: 8px 0; border-bottom: 1px solid var(--line); display: flex; gap: 12px; align-items: center; flex-wrap: wrap; z-index: 1; }
.filters input { width: 320px; max-width: 100%; padding: 4px 6px; }
ol.layers { padding-left: 0; list-style: none; margin: 0; }
ol.layers li { margin: 2px 0; }
ol.layers button { font: inherit; width: 100%; text-align: left; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 4px 8px; cursor: pointer; display: grid; grid-template-columns: 48px 1fr max-content; gap: 12px; }
ol.layers button[aria-pressed="true"] { border-color: #1d1d1d; background: #eef3fb; }
ol.layers code { word-break: break-all; white-space: pre-wrap; }
.muted { color: #666; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
`;
