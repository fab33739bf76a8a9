// Build the dashboard (docs/dashboard.md): web/src → dist/web/assets/ with content-hashed
// names (served immutable), and dist/web/index.html naming them. Prints the initial
// load gzipped and fails above the budget (docs/adr/0008-dashboard.md); the numbers go to
// dist/web/manifest.json, which a test reads.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const BUDGET_GZIP_BYTES = 200 * 1024;
const out = 'dist/web';
// A clean output: assets of an earlier build must not linger (the server serves the whole folder).
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: 'web/src/main.tsx' },
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: 'web/tsconfig.json',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs);
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error(`web build: expected one .js and one .css output, got ${outputs.join(', ')}`);

// No inline script or style: the page's CSP is script-src 'self'; style-src 'self'.
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>customs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/${basename(css)}">
<script type="module" src="/assets/${basename(js)}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The customs dashboard needs JavaScript; the REST API (/api/v1) and the CLI work without it.</noscript>
</body>
</html>
`;
writeFileSync(join(out, 'index.html'), html);

const initial = [join(out, 'index.html'), js, css];
const files = initial.map((f) => {
  const data = readFileSync(f);
  return { file: f.replace(`${out}/`, ''), bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length };
});
const total = files.reduce((n, f) => n + f.gzipBytes, 0);
writeFileSync(
  join(out, 'manifest.json'),
  `${JSON.stringify({ initial: files, initialGzipBytes: total, budgetGzipBytes: BUDGET_GZIP_BYTES }, null, 2)}\n`,
);
console.log(
  `dashboard: initial load ${(total / 1024).toFixed(1)} KB gzipped (${files.map((f) => `${f.file} ${(f.gzipBytes / 1024).toFixed(1)} KB`).join(', ')}; budget ${BUDGET_GZIP_BYTES / 1024} KB)`,
);
if (total > BUDGET_GZIP_BYTES) {
  console.error(`dashboard: the initial load is over its ${BUDGET_GZIP_BYTES / 1024} KB budget`);
  process.exit(1);
}
