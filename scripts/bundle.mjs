// Bundle the CLI (and the layer and sandbox workers it starts) into dist/bundle/: one file
// each instead of ~400 modules, which takes ~0.15 s off every start
// (docs/adr/0003-bundled-cli.md). Native and CommonJS-only packages stay external.
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

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

await build({ ...common, entryPoints: { sensor: 'dist/cli/sensor-main.js' }, plugins: [ownModulesArePure] });

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
    plugins: [otherCommands, ownModulesArePure],
  });
}
