import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { writeOutput } from './output.js';

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
