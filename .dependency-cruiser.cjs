/**
 * Dependency direction (docs/architecture.md "Layers"), checked by `make lint`:
 * a folder of src/ imports only from lower layers, and only through that folder's
 * index.ts; nothing imports cli; server, admission and runtime never import each other.
 *
 *   0 core · 1 version image · 2 analyze sign vulndb · 3 sbom checks bench · 4 match
 *   4.5 result · 5 policy · 6 report · 7 engine store · 8 server admission runtime · 9 cli
 */
const FOLDERS = 'core|version|image|analyze|sign|vulndb|sbom|checks|bench|match|result|policy|report|engine|store|server|admission|runtime|cli|web';

/** Files in src/NAME/ may import src/ only from NAME itself and the folders listed. */
const layer = (name, lower) => ({
  name: `layer-${name}`,
  severity: 'error',
  comment: `${name} imports only from lower layers (${lower.join(', ') || 'none'}); see docs/architecture.md "Layers"`,
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: `^src/(${[name, ...lower].join('|')})/` },
});

module.exports = {
  forbidden: [
    // One rule per line: folder, then the folders below it that it may use.
    layer('core', []),
    layer('version', ['core']),
    layer('image', ['core']),
    layer('analyze', ['core', 'version', 'image']),
    layer('sign', ['core', 'version', 'image']),
    layer('vulndb', ['core', 'version', 'image']),
    layer('sbom', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb']),
    layer('checks', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb']),
    layer('bench', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb', 'checks']),
    layer('match', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb', 'sbom', 'checks', 'bench']),
    // result: the ScanResult and Finding model, just above everything a result holds (docs/adr/0006).
    layer('result', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb', 'sbom', 'checks', 'bench', 'match']),
    layer('policy', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb', 'sbom', 'checks', 'bench', 'match', 'result']),
    layer('report', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb', 'sbom', 'checks', 'bench', 'match', 'result', 'policy']),
    layer('engine', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb', 'sbom', 'checks', 'bench', 'match', 'result', 'policy', 'report']),
    layer('store', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb', 'sbom', 'checks', 'bench', 'match', 'result', 'policy', 'report']),
    layer('server', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb', 'sbom', 'checks', 'bench', 'match', 'result', 'policy', 'report', 'engine', 'store']),
    layer('admission', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb', 'sbom', 'checks', 'bench', 'match', 'result', 'policy', 'report', 'engine', 'store']),
    layer('runtime', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb', 'sbom', 'checks', 'bench', 'match', 'result', 'policy', 'report', 'engine', 'store']),
    layer('cli', ['core', 'version', 'image', 'analyze', 'sign', 'vulndb', 'sbom', 'checks', 'bench', 'match', 'result', 'policy', 'report', 'engine', 'store', 'server', 'admission', 'runtime']),
    // (bench: CIS host checks reuse checks' rule and result types, hence checks below it.)
    // Tests may also use another folder's test-support/ (never exported from an index.ts); the rule below keeps it out of the product.
    { name: 'through-index', severity: 'error', comment: 'import another folder only through its index.ts', from: { path: '^src/([^/]+)/' }, to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '/test-support/'] } },
    { name: 'no-test-support-in-product', severity: 'error', comment: 'test helpers live in test-support/ folders and serve *.test.ts only: product code (index.ts included) never imports them, so they are neither exported nor bundled', from: { path: '^src/', pathNot: ['\\.test\\.ts$', '/test-support/'] }, to: { path: '(^|/)test-support/|\\.test\\.ts$' } },
    { name: 'nothing-imports-cli', severity: 'error', comment: 'cli is the top; nothing imports it', from: { pathNot: '^src/cli/' }, to: { path: '^src/cli/' } },
    { name: 'layer-8-siblings', severity: 'error', comment: 'server, admission and runtime never import each other', from: { path: '^src/(server|admission|runtime)/' }, to: { path: '^src/(server|admission|runtime)/', pathNot: '^src/$1/' } },
    { name: 'known-folder', severity: 'error', comment: `every folder of src/ has a layer in docs/architecture.md (${FOLDERS})`, from: { path: '^src/[^/]+/', pathNot: `^src/(${FOLDERS})/` }, to: {} },
    { name: 'not-to-unresolvable', severity: 'error', comment: 'an import that resolves to nothing', from: {}, to: { couldNotResolve: true } },
    { name: 'no-circular', severity: 'warn', comment: 'cycles make modules hard to test alone', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|dist-test|node_modules)/' },
    // The project's TypeScript is 7 (the native compiler), which has no JS API that
    // dependency-cruiser can load; swc parses .ts instead and keeps `import type`
    // edges, so type-only imports obey the layers too.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
