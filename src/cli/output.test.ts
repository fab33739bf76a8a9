import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { Command, Option } from 'commander';
import { CustomsError } from '../core/index.js';
import { chosenFormat, formatOfFile, writeOutput } from './output.js';

function sink(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return Object.assign(w, { isTTY, text: () => Buffer.concat(chunks).toString('utf8') });
}

test('a report on a terminal loses C1 controls, bidi overrides and carriage returns; a pipe gets it unchanged', async () => {
  // What JSON.stringify leaves raw: U+009B (a one-character CSI) and U+202E, from a package name.
  const json = `${JSON.stringify({ name: 'a\u009b2J\u202eb\r' })}\n`;
  const tty = sink(true);
  await writeOutput(json, undefined, tty);
  assert.equal(tty.text(), '{"name":"a?2J?b\\r"}\n');
  const pipe = sink(false);
  await writeOutput(json, '-', pipe);
  assert.equal(pipe.text(), json);
});

const SCAN = ['table', 'json', 'sarif', 'junit', 'gitlab', 'cyclonedx', 'html', 'markdown'] as const;

test('formatOfFile: a known extension names its format, longest suffix first', () => {
  const cases: [string, string | undefined][] = [
    ['out/customs.sarif', 'sarif'],
    ['x.SARIF', 'sarif'],
    ['r.sarif.json', 'sarif'],
    ['vex.cdx.json', 'cyclonedx'],
    ['scan.json', 'json'],
    ['junit.xml', 'junit'],
    ['report.html', 'html'],
    ['summary.md', 'markdown'],
    ['report.txt', undefined],
    ['plain', undefined],
    ['-', undefined],
    ['.json', undefined],
  ];
  for (const [file, want] of cases) assert.equal(formatOfFile(file, SCAN, 'customs scan'), want, file);
});

test('formatOfFile: an extension the command cannot write is refused, naming the choices', () => {
  assert.throws(
    () => formatOfFile('app.spdx.json', SCAN, 'customs scan'),
    (e: unknown) =>
      e instanceof CustomsError &&
      e.code === 'USAGE_BAD_FLAG' &&
      /spdx/.test(e.message) &&
      e.message.includes(SCAN.join(', ')),
  );
  assert.throws(() => formatOfFile('x.sarif', ['table', 'json', 'cyclonedx', 'spdx'], 'customs sbom'), /sarif/);
});

/** What commander hands the action: the flags and where --format came from. */
function parsed(argv: string[]): { cmd: Command; flags: { format: (typeof SCAN)[number]; output?: string } } {
  const cmd = new Command('scan')
    .addOption(new Option('-f, --format <format>').choices(SCAN).default('table'))
    .option('-o, --output <file>')
    .exitOverride();
  cmd.parse(argv, { from: 'user' });
  return { cmd, flags: cmd.opts() };
}

test('chosenFormat: -o x.sarif without --format writes SARIF; an explicit --format wins; other names keep the default', () => {
  const a = parsed(['-o', 'x.sarif']);
  assert.equal(chosenFormat(a.cmd, a.flags, SCAN), 'sarif');
  const b = parsed(['-o', 'x.sarif', '-f', 'json']);
  assert.equal(chosenFormat(b.cmd, b.flags, SCAN), 'json');
  const c = parsed(['-o', 'x.txt']);
  assert.equal(chosenFormat(c.cmd, c.flags, SCAN), 'table');
  const d = parsed([]);
  assert.equal(chosenFormat(d.cmd, d.flags, SCAN), 'table');
});
