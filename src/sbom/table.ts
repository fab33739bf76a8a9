import { clip, clipStart, type Package, terminalText as printable, type Unknown } from '../core/index.js';
import { sortPackages, sortUnknowns } from './sort.js';
import type { Inventory } from './types.js';

export interface TableOptions {
  /** Total line width in columns (default 120); columns shrink to fit, truncating with "…". */
  readonly width?: number;
  /** ANSI colour (bold headers, dim layer legend); off by default. */
  readonly color?: boolean;
}

const HEADERS = ['ECOSYSTEM', 'NAME', 'VERSION', 'LAYER', 'PATH'] as const;
/**
 * How columns give up width when a line is too long, as [column, floor]
 * steps: PATH and NAME first down to a readable width, then VERSION, then
 * all of them down to their minimum. LAYER (L1, L2 …) never shrinks.
 */
const SHRINK_STEPS: readonly (readonly [number, number])[] = [
  [4, 24],
  [1, 24],
  [2, 16],
  [4, 8],
  [1, 8],
  [2, 7],
  [0, 3],
];
/** Columns cut at their start (the file name is the informative end of a path). */
const CUT_START = new Set([4]);
const GAP = '  ';

/**
 * The human table of an inventory: a header (image, OS, package count),
 * one row per package (LAYER is L1 for the base layer, L2 for the next …,
 * with a legend below), then the unknowns ("N files could not be analysed").
 * Text from the image is made printable first (core's terminalText): control
 * characters, escape sequences, bidi overrides and invisible characters in a
 * hostile package name or history line are shown as "?".
 */
export function toTable(inv: Inventory, opts: TableOptions = {}): string {
  const width = Math.max(40, Math.floor(opts.width ?? 120));
  const style = styler(opts.color === true);
  const layerOrder: readonly string[] = inv.target.layers.map((l) => l.diffID);
  const layerLabel = (diffID: string): string => {
    const i = layerOrder.indexOf(diffID);
    return i >= 0 ? `L${i + 1}` : '?';
  };
  const digest = inv.target.manifestDigest ?? inv.target.configDigest;
  const out: string[] = [];
  const suffix = ` (${shortDigest(digest)})`;
  out.push(
    `${style.bold('Image:')}    ${clip(printable(inv.target.name), Math.max(8, width - 10 - suffix.length))}${suffix}`,
  );
  if (inv.os) {
    const os = `${inv.os.name || inv.os.family} [${inv.os.family} ${inv.os.version}]${inv.os.eol ? ' (end of life)' : ''}`;
    out.push(`${style.bold('OS:')}       ${clip(printable(os), width - 10)}`);
  } else {
    out.push(`${style.bold('OS:')}       unknown`);
  }
  out.push(`${style.bold('Packages:')} ${inv.packages.length}`);
  out.push('');

  const packages = sortPackages(inv.packages);
  if (packages.length > 0) {
    const rows = packages.map((p: Package) => [
      printable(p.ecosystem),
      printable(p.name),
      printable(p.version),
      layerLabel(p.layer),
      printable(p.paths[0] ?? ''),
    ]);
    const widths = fitWidths(
      HEADERS.map((h, c) => Math.max(h.length, ...rows.map((r) => length(r[c] ?? '')))),
      width,
    );
    out.push(style.bold(formatRow([...HEADERS], widths)));
    for (const r of rows) out.push(formatRow(r, widths));
  } else {
    out.push('No packages found.');
  }

  const used = new Set(packages.map((p) => p.layer));
  const legend = inv.target.layers
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => used.has(l.diffID) || inv.unknowns.some((u) => u.layer === l.diffID));
  if (legend.length > 0) {
    out.push('');
    for (const { l, i } of legend) {
      const by = l.createdBy ? `  ${printable(l.createdBy.trim())}` : '';
      out.push(style.dim(clip(`L${i + 1}  ${shortDigest(l.diffID)}${by}`, width).trimEnd()));
    }
  }

  const unknowns = sortUnknowns(inv.unknowns, layerOrder);
  if (unknowns.length > 0) {
    out.push('');
    const n = unknowns.length;
    out.push(style.bold(`${n} ${n === 1 ? 'file' : 'files'} could not be analysed:`));
    for (const u of unknowns as Unknown[]) {
      out.push(
        clip(
          `  ${layerLabel(u.layer)}  ${printable(u.path)}  [${printable(u.analyzer)}] ${printable(u.code)}: ${printable(u.message)}`,
          width,
        ),
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/** Shrink columns step by step (SHRINK_STEPS) until the row fits in `width`. */
function fitWidths(natural: number[], width: number): number[] {
  const w = [...natural];
  const total = () => w.reduce((a, b) => a + b, 0) + GAP.length * (w.length - 1);
  for (const [c, floor] of SHRINK_STEPS) {
    const excess = total() - width;
    if (excess <= 0) break;
    const cur = w[c] ?? 0;
    w[c] = Math.max(Math.min(cur, floor), cur - excess);
  }
  return w;
}

function formatRow(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, i) => {
      const w = widths[i] ?? 0;
      const text = CUT_START.has(i) ? clipStart(cell, w) : clip(cell, w);
      return i === cells.length - 1 ? text : text + ' '.repeat(Math.max(0, w - length(text)));
    })
    .join(GAP)
    .trimEnd();
}

/** Length in code points (what a monospace terminal shows for most scripts). */
function length(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function shortDigest(d: string): string {
  const i = d.indexOf(':');
  return i >= 0 ? `${d.slice(0, i)}:${d.slice(i + 1, i + 13)}` : d.slice(0, 12);
}

interface Style {
  bold(s: string): string;
  dim(s: string): string;
}

function styler(color: boolean): Style {
  if (!color) return { bold: (s) => s, dim: (s) => s };
  return { bold: (s) => `\u001b[1m${s}\u001b[22m`, dim: (s) => `\u001b[2m${s}\u001b[22m` };
}
