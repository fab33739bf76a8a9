#!/bin/sh
//bin/true; case "$1" in serve | admit) exec node "$0" "$@" ;; esac; exec node --max-semi-space-size=2 --interrupt-budget=1081344 "$0" "$@"
// The line above is for sh, which runs this file when it is executed (`customs …`, npm's link
// to it): it starts node on this same file, to which the line is a comment. A
// scan's main thread walks layers too; V8 lets its young generation grow to 16 MB semi-spaces,
// which put each of the four image sources 30-40 MB over the 300 MB a scan of the 1.9 GB
// benchmark image may take, at no measured gain in CPU (docs/adr/0009). V8 considers a function
// for optimisation after it has run through its interrupt budget a few times; at 16 times the
// default (66 KiB of bytecode), a run of seconds spends less CPU optimising (and re-optimising)
// code it runs only briefly: cold scans 0.3-0.5 s less CPU, a warm one ~14 ms less time
// (docs/adr/0009). The servers (`serve`,
// `admit`) keep V8's defaults: they run for days, and their young objects are requests.
// `node bin/customs.js` skips this line and runs with V8's defaults.
import { statSync } from 'node:fs';

// `customs sbom x | head`: a reader that goes away is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// The bundle (make build) starts faster; a plain `tsc` build newer than it wins,
// so a stale bundle never runs (docs/adr/0003-bundled-cli.md).
const mtime = (rel) => {
  try {
    return statSync(new URL(rel, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const useBundle = mtime('../dist/bundle/index.js') >= mtime('../dist/cli/index.js');
const args = process.argv.slice(2);
// Two commands have an entry of their own, holding only their code: `customs sensor` running
// (no sub-command, no help) is a long-lived node agent (src/cli/sensor-main.ts, docs/runtime.md
// "Cost"); `customs sbom|scan|gate`, run by CI on every commit, start in a fraction of the full
// CLI's time (src/cli/image-main.ts, docs/adr/0003-bundled-cli.md). Everything else, `customs
// --help` included, runs the full CLI.
const SENSOR_SUBCOMMANDS = new Set(['inventory', 'drift', 'segmentation', 'netpol', 'help', '-h', '--help']);
const IMAGE_COMMANDS = new Set(['sbom', 'scan', 'gate']);
const [bundled, compiled] =
  args[0] === 'sensor' && !args.slice(1).some((a) => SENSOR_SUBCOMMANDS.has(a))
    ? ['sensor.js', 'sensor-main.js']
    : IMAGE_COMMANDS.has(args[0])
      ? [`image-${args[0]}.js`, 'image-main.js']
      : ['index.js', 'index.js'];
const entry =
  useBundle && mtime(`../dist/bundle/${bundled}`) >= mtime(`../dist/cli/${compiled}`)
    ? `../dist/bundle/${bundled}`
    : `../dist/cli/${compiled}`;
const { main } = await import(entry);

main(args).then((code) => {
  process.exitCode = code;
});
