/**
 * `customs sensor` runs from its own entry (src/cli/sensor-main.ts, bundled on its
 * own by scripts/bundle.mjs): the long-running process holds the sensor's code,
 * not the server's or the full CLI's. docs/runtime.md "Cost" has the memory this saves.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, run } from '../support/images.js';
import { sensorTail, startSensor } from '../support/sensor-process.js';

/** The project's modules bundled into a file, by folder (esbuild marks each with a `// dist/…` comment). */
function bundledFolders(file: string): Set<string> {
  const text = readFileSync(join(REPO_ROOT, 'dist', 'bundle', file), 'utf8');
  return new Set([...text.matchAll(/^\/\/ dist\/([a-z-]+)\//gm)].map((m) => m[1] as string));
}

test("the sensor's bundle leaves out the server and the rest of the CLI", () => {
  const full = bundledFolders('index.js');
  const sensor = bundledFolders('sensor.js');
  // The full CLI has them (so the check can fail) …
  for (const folder of ['server', 'admission', 'bench']) assert.ok(full.has(folder), folder);
  // … the sensor's does not.
  for (const folder of ['server', 'admission', 'bench', 'web']) assert.ok(!sensor.has(folder), folder);
  assert.ok(sensor.has('runtime'));
  const text = readFileSync(join(REPO_ROOT, 'dist', 'bundle', 'sensor.js'), 'utf8');
  assert.doesNotMatch(text, /FST_ERR_/, 'no fastify');
});

test('`customs sensor` runs from the sensor entry; its sub-commands and help from the full CLI', {
  timeout: 120_000,
}, async (t) => {
  const sensor = await startSensor(['--window', '0', '--duration', '60s', '--no-store']);
  t.after(() => sensor.stop());
  const cmdline = readFileSync(`/proc/${sensor.pid()}/cmdline`, 'utf8');
  assert.match(cmdline, /^customs sensor/, cmdline);
  assert.equal(await sensor.stop(), 0, sensorTail(sensor.logs));
  const help = await run(process.execPath, [join(REPO_ROOT, 'bin', 'customs.js'), 'sensor', '--help']);
  for (const sub of ['inventory', 'drift', 'segmentation', 'netpol'])
    assert.match(help.stdout, new RegExp(`^  ${sub}`, 'm'));
});
