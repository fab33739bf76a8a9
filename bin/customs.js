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
// `customs sensor` running (no sub-command, no help) is a long-lived node agent: its own entry
// loads only the sensor's code (src/cli/sensor-main.ts, docs/runtime.md "Cost").
const args = process.argv.slice(2);
const SENSOR_SUBCOMMANDS = new Set(['inventory', 'drift', 'segmentation', 'netpol', 'help', '-h', '--help']);
const sensorRun = args[0] === 'sensor' && !args.slice(1).some((a) => SENSOR_SUBCOMMANDS.has(a));
const entry = sensorRun
  ? useBundle && mtime('../dist/bundle/sensor.js') >= mtime('../dist/cli/sensor-main.js')
    ? '../dist/bundle/sensor.js'
    : '../dist/cli/sensor-main.js'
  : useBundle
    ? '../dist/bundle/index.js'
    : '../dist/cli/index.js';
const { main } = await import(entry);

main(args).then((code) => {
  process.exitCode = code;
});
