import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCustomsError } from '../../core/index.js';
import { decodeHeader, parseNumeric } from './tar-header.js';
import { type FixtureEntry, tarBytes } from './test-support/tar-fixture.js';

const headerOf = (e: FixtureEntry): Buffer => tarBytes([e], false).subarray(0, 512);

/** `block` with its checksum field rewritten: the unsigned sum (archive/tar's), or the historic signed one. */
function withChecksum(block: Buffer, kind: 'unsigned' | 'signed'): Buffer {
  const h = Buffer.from(block);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += kind === 'signed' && b > 127 ? b - 256 : b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const corrupt = (block: Buffer, text: RegExp): void => {
  assert.throws(
    () => decodeHeader(block),
    (e: unknown) => isCustomsError(e) && e.code === 'LAYER_CORRUPT' && text.test(e.message),
  );
};

test('octal fields: spaces and NULs around the digits are trimmed, the text ends at a NUL, empty is 0', () => {
  const field = (text: string): number => {
    const b = Buffer.alloc(12);
    b.write(text, 0, 'latin1');
    return parseNumeric(b, 0, 12);
  };
  assert.equal(field('00000000644\0'), 0o644);
  assert.equal(field('  644 \0\0\0'), 0o644);
  assert.equal(field('\0\0 17'), 0o17);
  assert.equal(field('17\0 99'), 0o17);
  assert.equal(field(''), 0);
  assert.equal(field('   \0  '), 0);
  assert.equal(field('77777777777'), 0o77777777777);
  for (const bad of ['8', '1 2', '12a', '-1', '1\xb7']) assert.throws(() => field(bad), /octal/);
});

test('base-256 fields: big-endian, the high bit of the first byte a flag, negative in two’s complement', () => {
  const b = Buffer.alloc(12);
  b[0] = 0x80;
  b.writeUIntBE(2 ** 40 + 5, 6, 6);
  assert.equal(parseNumeric(b, 0, 12), 2 ** 40 + 5);
  assert.equal(parseNumeric(Buffer.alloc(8, 0xff), 0, 8), -1);
  const huge = Buffer.alloc(12, 0x7f);
  huge[0] = 0x80 | 0x3f;
  assert.throws(() => parseNumeric(huge, 0, 12), /too large/);
});

test('a header whose checksum is the unsigned or the historic signed sum reads; any other does not', () => {
  // A name with bytes over 127, so the two sums differ.
  const h = headerOf({ name: 'caf\u00e9/\u00fcber', body: 'x' });
  assert.equal(decodeHeader(withChecksum(h, 'unsigned')).name, 'caf\u00e9/\u00fcber');
  assert.equal(decodeHeader(withChecksum(h, 'signed')).name, 'caf\u00e9/\u00fcber');
  corrupt(headerOf({ name: 'a', badChecksum: true }), /checksum/);
  const blank = Buffer.from(h);
  blank.fill(0x20, 148, 156);
  corrupt(blank, /checksum/);
  const garbage = Buffer.from(h);
  garbage.write('9x\0', 148, 'latin1');
  corrupt(garbage, /checksum/);
});

test('a bad numeric field names the entry and the text it holds', () => {
  corrupt(headerOf({ name: 'etc/passwd', fields: [[100, '06x4\0']] }), /"etc\/passwd".*"06x4" is not an octal number/);
  // The size field is "00000000001\0": the text overwrites its start, and is read up to the NUL.
  corrupt(headerOf({ name: 'f', fields: [[124, ' 12 34 \0']] }), /"12 34 " is not an octal number/);
});

test('formats are told apart by their magic: ustar, star, GNU, v7', () => {
  const formatOf = (e: FixtureEntry): string => decodeHeader(headerOf(e)).format;
  assert.equal(formatOf({ name: 'a' }), 'ustar');
  assert.equal(formatOf({ name: 'a', format: 'star' }), 'star');
  assert.equal(formatOf({ name: 'a', format: 'gnu' }), 'gnu');
  assert.equal(formatOf({ name: 'a', format: 'v7' }), 'v7');
  // "ustar" with a wrong fifth byte of the GNU magic is neither.
  assert.equal(formatOf({ name: 'a', format: 'v7', fields: [[257, 'ustar \0\0']] }), 'v7');
});
