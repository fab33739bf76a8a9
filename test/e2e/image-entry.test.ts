/**
 * `customs sbom|scan|gate` run from their own entry (src/cli/image-main.ts, bundled once
 * per command by scripts/bundle.mjs), every other command from the full CLI: the same
 * command from either entry prints the same help, the same errors and exits the same way
 * (docs/adr/0003-bundled-cli.md).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, type RunResult, run } from '../support/images.js';

const BIN = join(REPO_ROOT, 'bin', 'customs.js');
const BUNDLE = join(REPO_ROOT, 'dist', 'bundle');
const IMAGE_COMMANDS = ['sbom', 'scan', 'gate'] as const;

/** The full CLI's entry run directly (what bin/customs.js runs for any other command). */
function runFullEntry(args: readonly string[]): Promise<RunResult> {
  const entry = pathToFileURL(join(BUNDLE, 'index.js')).href;
  const script = `const { main } = await import(${JSON.stringify(entry)}); process.exitCode = await main(${JSON.stringify(args)});`;
  return run(process.execPath, ['--input-type=module', '-e', script], { allowFailure: true });
}

/**
 * bin/customs.js, with a module hook that records every file of dist/ it loads: which
 * entry it picked. (The hook runs on its own thread: it appends to a file.)
 */
async function runBin(args: readonly string[]): Promise<RunResult & { readonly loaded: readonly string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'customs-entry-'));
  try {
    const log = join(dir, 'loaded.txt');
    const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes('/dist/')) appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    const r = await run(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(register)}`, BIN, ...args],
      {
        allowFailure: true,
      },
    );
    const text = await readFile(log, 'utf8').catch(() => '');
    const loaded = text
      .split('\n')
      .filter((l) => l !== '')
      .map((u) => u.slice(u.indexOf('/dist/') + 1));
    return { ...r, loaded };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('sbom, scan and gate print the same help from their own entry as from the full CLI', async () => {
  for (const command of IMAGE_COMMANDS) {
    for (const flag of ['--help', '-h']) {
      const own = await runBin([command, flag]);
      const full = await runFullEntry([command, flag]);
      assert.ok(own.loaded.includes(`dist/bundle/image-${command}.js`), `${command}: ${own.loaded.join(' ')}`);
      assert.ok(!own.loaded.includes('dist/bundle/index.js'), `${command} ${flag} loaded the full CLI`);
      assert.match(full.stdout, new RegExp(`^Usage: customs ${command} \\[options\\]`));
      assert.equal(own.stdout, full.stdout, `${command} ${flag}`);
      assert.equal(own.stderr, full.stderr, `${command} ${flag}`);
      assert.equal(own.code, 0);
      assert.equal(full.code, 0);
    }
  }
  // `customs help sbom` (the full CLI's help command) says the same.
  const viaHelp = await runBin(['help', 'sbom']);
  assert.ok(viaHelp.loaded.includes('dist/bundle/index.js'));
  assert.equal(viaHelp.stdout, (await runBin(['sbom', '--help'])).stdout);
});

test("usage errors from the image commands' entry: the same message, exit status 2", async () => {
  const cases: readonly (readonly string[])[] = [
    ['sbom', 'alpine:3.19', '--no-such-option'],
    ['scan', 'alpine:3.19', '--sevrity', 'HIGH'],
    ['gate', '--polcy', 'p.yaml', 'alpine:3.19'],
    ['sbom'],
    ['sbom', 'alpine:3.19', '--format', 'cyclonedx-xml'],
    ['scan', 'alpine:3.19', 'extra', 'arguments'],
    ['gate', 'alpine:3.19', '--exit-code', '300'],
  ];
  for (const args of cases) {
    const own = await runBin(args);
    const full = await runFullEntry(args);
    assert.ok(own.loaded.includes(`dist/bundle/image-${args[0]}.js`), args.join(' '));
    assert.equal(own.code, 2, `${args.join(' ')}: ${own.stderr}`);
    assert.equal(full.code, 2, `${args.join(' ')}: ${full.stderr}`);
    assert.equal(own.stderr, full.stderr, args.join(' '));
    assert.equal(own.stdout, full.stdout, args.join(' '));
    assert.match(own.stderr, /^customs: /);
  }
});

test('every other command, and `customs --help`, runs the full CLI', async () => {
  for (const args of [['--help'], ['--version'], ['cache', '--help'], ['targets']]) {
    const r = await runBin(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.loaded.includes('dist/bundle/index.js'), `${args.join(' ')}: ${r.loaded.join(' ')}`);
    assert.ok(!r.loaded.some((f) => f.startsWith('dist/bundle/image-')), args.join(' '));
  }
});

test("the sbom command's bundle holds the SBOM pipeline, not the matcher, policy engine, reports or server", async () => {
  const folders = async (prefix: string): Promise<Set<string>> => {
    const found = new Set<string>();
    for (const f of await readdir(BUNDLE)) {
      if (f !== `${prefix}.js` && !f.startsWith(`${prefix}-`)) continue;
      const text = await readFile(join(BUNDLE, f), 'utf8');
      for (const m of text.matchAll(/^\/\/ dist\/([a-z-]+)\//gm)) found.add(m[1] as string);
    }
    return found;
  };
  const full = await folders('index');
  const sbom = await folders('image-sbom');
  // The full CLI has them (so the check can fail) …
  for (const folder of ['match', 'policy', 'report', 'vulndb', 'sign', 'server']) assert.ok(full.has(folder), folder);
  // … the sbom command's bundle does not.
  for (const folder of ['match', 'policy', 'report', 'vulndb', 'sign', 'server', 'admission', 'runtime'])
    assert.ok(!sbom.has(folder), `image-sbom holds ${folder}`);
  for (const folder of ['analyze', 'image', 'sbom', 'engine']) assert.ok(sbom.has(folder), folder);
});

test('executed as a program, bin/customs.js starts node with a small young generation and a later optimiser, except for the servers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'customs-launch-'));
  try {
    // Every node started reports its flags on stderr before the CLI runs.
    const probe = join(dir, 'argv.mjs');
    await writeFile(probe, 'process.stderr.write(`execArgv=${JSON.stringify(process.execArgv)}\\n`);\n');
    const env = { ...process.env, NODE_OPTIONS: `--import=${pathToFileURL(probe).href}` };
    const flagsOf = (r: RunResult): string[] => JSON.parse(/execArgv=(.*)/.exec(r.stderr)?.[1] ?? 'null') as string[];
    const sbom = await run(BIN, ['sbom', '--help'], { env });
    assert.equal(sbom.code, 0);
    assert.deepEqual(flagsOf(sbom), ['--max-semi-space-size=2', '--interrupt-budget=1081344']);
    assert.equal(sbom.stdout, (await runFullEntry(['sbom', '--help'])).stdout, 'the same CLI behind the launcher');
    for (const server of ['serve', 'admit']) {
      const r = await run(BIN, [server, '--help'], { env });
      assert.equal(r.code, 0);
      assert.deepEqual(flagsOf(r), [], `${server} keeps V8's defaults`);
    }
    const bad = await run(BIN, ['sbom', '--no-such-flag'], { env, allowFailure: true });
    assert.equal(bad.code, 2, 'the exit status passes through the launcher');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
