import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderLog } from './progress.js';

/** A stand-in for process.stderr that records what is written. */
function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = {
    text: '',
    isTTY,
    columns: 200,
    write(chunk: string): boolean {
      s.text += chunk;
      return true;
    },
  };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

test('warnings, info and progress labels from images reach the terminal without their escapes', () => {
  const stream = fakeStream(true);
  const log = renderLog({ quiet: false, verbose: true, stream });
  const hostile = 'usr/bin/\u001b]0;owned\u0007x\u001b[2K\r\u202eevil\ncustoms: scan passed';
  log({ kind: 'progress-start', id: 'a', label: `layer ${hostile}`, total: 10 });
  log({ kind: 'progress', id: 'a', done: 5 });
  log({ kind: 'warn', message: `cannot read ${hostile}` });
  log({ kind: 'info', message: hostile });
  log({ kind: 'debug', message: hostile });
  log.finish();
  // The renderer's own "\r\x1b[2K" clears the progress line; nothing else of that kind may appear.
  const own = stream.text.replaceAll('\r\u001b[2K', '');
  const bad = [...own].filter((c) => {
    const n = c.codePointAt(0) ?? 0;
    return (n < 0x20 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f) || (n >= 0x202a && n <= 0x202e);
  });
  assert.deepEqual(bad, [], JSON.stringify(stream.text));
  assert.ok(!/^customs: scan passed/m.test(stream.text), 'no forged line at column 0');
  assert.match(stream.text, /warning: cannot read usr\/bin\/\?\]0;owned\?x\?\[2K\?\?evil\n {2}customs: scan passed/);
});
