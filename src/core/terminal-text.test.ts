import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clip, clipStart, terminalDocument, terminalMessage, terminalText } from './terminal-text.js';

/** Every code point a terminal must not receive from untrusted text (the list of terminal-text.ts). */
function unsafeCodePoints(): number[] {
  const ranges: [number, number][] = [
    [0x00, 0x1f],
    [0x7f, 0x9f],
    [0xad, 0xad],
    [0x61c, 0x61c],
    [0x180e, 0x180e],
    [0x200b, 0x200f],
    [0x2028, 0x202e],
    [0x2060, 0x2069],
    [0xfeff, 0xfeff],
    [0xfff9, 0xfffb],
    [0xe0000, 0xe007f],
  ];
  return ranges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
}

/** A C0/C1 control, DEL or a bidi embedding/override in the text (checked by code point, not by the regex under test). */
function hasControlOrBidi(s: string): boolean {
  return [...s].some((c) => {
    const n = c.codePointAt(0) ?? 0;
    return n < 0x20 || (n >= 0x7f && n <= 0x9f) || (n >= 0x202a && n <= 0x202e);
  });
}

test('terminalText: every control, bidi, separator and invisible code point becomes "?"', () => {
  for (const cp of unsafeCodePoints()) {
    const c = String.fromCodePoint(cp);
    assert.equal(terminalText(`a${c}b`), 'a?b', `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
  }
});

test('terminalText: an escape sequence that would forge a line loses its ESC, CR and LF', () => {
  const forged = `libfoo\u001b[2K\r\u001b[32m✔ scan passed\u001b[0m\n\u009b1A\u202eevil`;
  const out = terminalText(forged);
  assert.ok(!hasControlOrBidi(out));
  assert.equal(out, 'libfoo?[2K??[32m✔ scan passed?[0m??1A?evil');
});

test('terminalText: printable text of any script is unchanged', () => {
  const samples = [
    'openssl 3.0.13-1~deb12u1',
    'Ünïcödé ñ',
    '日本語のパッケージ',
    'עברית',
    'emoji 🎉',
    'a\u00a0b',
    '~!@#$%^&*()',
  ];
  for (const s of samples) assert.equal(terminalText(s), s);
  // Every printable ASCII character survives.
  const ascii = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
  assert.equal(terminalText(ascii), ascii);
});

test('terminalMessage: lines after the first are indented, so a name cannot start a line of its own', () => {
  const name = 'layer.tar\ncustoms: scan passed\r\n\u001b[1A';
  const msg = `cannot read ${name}: no such entry\n  hint line`;
  const out = terminalMessage(msg);
  const lines = out.split('\n');
  assert.equal(lines[0], 'cannot read layer.tar');
  for (const l of lines.slice(1)) assert.match(l, /^ {2}/, `continuation line ${JSON.stringify(l)} is indented`);
  assert.ok(lines.includes('  customs: scan passed'));
  assert.ok(!hasControlOrBidi(out.replaceAll('\n', '')));
  // The usual layout of a problem list stays as it is.
  assert.equal(terminalMessage('policy is invalid:\n  a: bad\n  b: bad'), 'policy is invalid:\n  a: bad\n  b: bad');
});

test('terminalDocument: keeps lines, tabs and colour; every other unsafe character becomes "?"', () => {
  const doc = `{\n\t"name": "a\u009b2J\u202eb\r\u{e0041}"\n}\n\u001b[1;31mCRITICAL\u001b[0m \u001b[2K\u001b]0;t\u0007`;
  assert.equal(terminalDocument(doc), '{\n\t"name": "a?2J?b??"\n}\n\u001b[1;31mCRITICAL\u001b[0m ?[2K?]0;t?');
  for (const cp of unsafeCodePoints()) {
    if (cp === 0x0a || cp === 0x09) continue;
    assert.equal(terminalDocument(`a${String.fromCodePoint(cp)}b`), 'a?b', `U+${cp.toString(16)}`);
  }
});

const WHALE = '\u{1F433}';

test('clip: at most `width` code points, the cut marked', () => {
  assert.equal(clip('abcdef', 6), 'abcdef');
  assert.equal(clip('abcdef', 4), 'abc…');
  assert.equal(clip('abcdef', 1), '…');
  assert.equal(clip('abcdef', 0), '');
  assert.equal(clip('abcdef', -3), '');
  assert.equal(clip('', 0), '');
  assert.equal(clip('abcdefgh', 5, '...'), 'ab...');
});

test('clip counts code points and never splits a surrogate pair', () => {
  const s = WHALE.repeat(10);
  assert.equal(clip(s, 10), s);
  assert.equal(clip(s, 4), `${WHALE.repeat(3)}…`);
  for (let w = 1; w < 12; w++) {
    const c = clip(`x${s}`, w);
    assert.ok([...c].length <= w, `width ${w}`);
    assert.doesNotMatch(c, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/, `width ${w}`);
  }
});

test('clipStart keeps the end', () => {
  assert.equal(clipStart('/usr/lib/libssl.so.3', 10), '…bssl.so.3');
  assert.equal(clipStart('short', 10), 'short');
  assert.equal(clipStart('abc', 1), '…');
  assert.equal(clipStart('abc', 0), '');
  assert.equal(clipStart(`${WHALE.repeat(5)}z`, 3), `…${WHALE}z`);
});
