/**
 * The CLI as bin/customs.js runs it, from the unbundled modules compiled into
 * dist-test/: tests that preload code into the CLI's module graph (--import)
 * run this instead of the bundle.
 */
import { main } from '../../src/cli/index.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
