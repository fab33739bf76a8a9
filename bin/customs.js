#!/usr/bin/env node
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
