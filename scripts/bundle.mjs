// Bundle the CLI (and the layer and sandbox workers it starts) into dist/bundle/: one file
// each instead of ~400 modules, which takes ~0.15 s off every start
// (docs/adr/0003-bundled-cli.md). Native and CommonJS-only packages stay external.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

// Two CommonJS dependencies sort a fixed table with the ICU collator when they are loaded:
// packageurl-js the names of its eight purl components (src/strings.js), spdx-correct its
// transpositions and last resorts (index.js). Whichever comes first makes V8 load ICU's collation
// data: 6-8 ms of every start that loads them, a warm `customs sbom` included (docs/adr/0009).
// Here both compare by code point instead, and the build checks, on the installed versions, that
// this sorts every one of their tables exactly as the collator did; if a library changes the line
// or a table whose order would change, the build fails rather than ship a different order.
const byCodePoint = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
const collatorPatches = [
  {
    file: /[\\/]packageurl-js[\\/]src[\\/]strings\.js$/,
    from: 'const { compare: localeCompare } = new Intl.Collator()',
    to: 'const localeCompare = (a, b) => { const x = String(a); const y = String(b); return x < y ? -1 : x > y ? 1 : 0 }',
    // What it sorts: componentSortOrder() of its component names, i.e. their order numbers.
    check: () => {
      const keys = ['0', '1', '2', '3', '4', '5', '6', '7'];
      const icu = new Intl.Collator();
      return keys.every((a) => keys.every((b) => Math.sign(icu.compare(a, b)) === byCodePoint(a, b)));
    },
  },
  {
    file: /[\\/]spdx-correct[\\/]index\.js$/,
    from: 'return a[0].toUpperCase().localeCompare(b[0].toUpperCase())',
    to: 'const x = a[0].toUpperCase(); const y = b[0].toUpperCase(); return x < y ? -1 : x > y ? 1 : 0',
    // Its two sorted tables, from the original and the patched source: the same order.
    check: (path, original, patched) => {
      const tables = (source) => {
        const module = { exports: {} };
        const load = new Function('module', 'exports', 'require', `${source}\n;return [transpositions, lastResorts];`);
        return JSON.stringify(load(module, module.exports, createRequire(path)));
      };
      return tables(original) === tables(patched);
    },
  },
];
const noCollator = {
  name: 'no-icu-collator-at-load',
  setup(b) {
    for (const p of collatorPatches) {
      b.onLoad({ filter: p.file }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(p.from)) throw new Error(`${args.path}: no "${p.from}" to replace (scripts/bundle.mjs)`);
        const patched = text.replace(p.from, p.to);
        if (!p.check(args.path, text, patched))
          throw new Error(`${args.path}: comparing by code point would change an order (scripts/bundle.mjs)`);
        return { contents: patched, loader: 'js' };
      });
    }
  },
};

/** What every bundle shares. Native and CommonJS-only packages stay external. */
const common = {
  outdir: 'dist/bundle',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', '@cyclonedx/cyclonedx-library'],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __customsRequire } from 'node:module'; const require = __customsRequire(import.meta.url);",
  },
  logLevel: 'warning',
  plugins: [noCollator],
};

await build({
  ...common,
  entryPoints: {
    index: 'dist/cli/index.js',
    'layer-worker': 'dist/analyze/layer-worker.js',
    'sandbox-worker': 'dist/analyze/sandbox/sandbox-worker.js',
  },
});

// `customs sensor` runs for days on every node: its own entry (src/cli/sensor-main.ts), so the
// process holds only the sensor's code. One file, not split: the store and image scanning, imported
// when used, stay in it unevaluated until then, where split chunks would be evaluated whole at
// start (measured: 23 MB anonymous memory against 34; docs/runtime.md "Cost"). The project's own modules are declared
// free of side effects here, so a module re-exported by an index.ts but never used by the sensor
// (the scanners behind src/runtime/index.ts) is left out rather than evaluated for nothing.
const ownModulesArePure = {
  name: 'own-modules-are-pure',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === 'pure' || !args.resolveDir.includes('/dist/')) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'pure' });
      return r.errors.length > 0 ? undefined : { path: r.path, sideEffects: false };
    });
  },
};

await build({
  ...common,
  entryPoints: { sensor: 'dist/cli/sensor-main.js' },
  plugins: [...common.plugins, ownModulesArePure],
});

// `customs sbom|scan|gate`, what CI runs on every commit: their own entry
// (src/cli/image-main.ts), bundled once per command with the other two left out, so each
// bundle is tree-shaken for its command alone (the project's modules are pure, as for the
// sensor): `customs sbom` holds the SBOM pipeline, not the matcher, the policy engine or the
// report writers. Split at every dynamic import into chunks, so a run compiles and evaluates
// only what it loads (`--help`: not even the pipeline). Measured in docs/adr/0003-bundled-cli.md.
// The chunks sit in dist/bundle/ itself, so every `new URL('./…', import.meta.url)` (the
// workers, the web assets) resolves as from the full bundle.
const IMAGE_COMMANDS = ['sbom', 'scan', 'gate'];
// Chunk names carry a content hash: the previous build's chunks go first, so none lingers.
for (const f of readdirSync('dist/bundle')) if (f.startsWith('image-')) rmSync(`dist/bundle/${f}`);
for (const command of IMAGE_COMMANDS) {
  const otherCommands = {
    name: 'other-commands-left-out',
    setup(b) {
      const others = new RegExp(`^\\./commands/(${IMAGE_COMMANDS.filter((c) => c !== command).join('|')})\\.js$`);
      b.onResolve({ filter: others }, (args) =>
        args.importer.endsWith('/dist/cli/image-main.js') ? { path: args.path, namespace: 'left-out' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({ contents: 'export {};' }));
    },
  };
  await build({
    ...common,
    // The CycloneDX library is bundled here (src/sbom/cyclonedx.ts loadCycloneDx), its optional
    // validation and XML plug-ins not: they are never loaded.
    external: ['better-sqlite3', 'ajv', 'ajv-formats', 'ajv-formats-draft2019', 'libxmljs2', 'xmlbuilder2'],
    entryPoints: { [`image-${command}`]: 'dist/cli/image-main.js' },
    splitting: true,
    chunkNames: `image-${command}-[name]-[hash]`,
    plugins: [...common.plugins, otherCommands, ownModulesArePure],
  });
}
