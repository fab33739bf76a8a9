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
const { main } = await import(useBundle ? '../dist/bundle/index.js' : '../dist/cli/index.js');

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
