import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeadError, headEnd, parseHead } from './http1-head.js';

const head = (...lines: string[]) => parseHead(lines.join('\r\n'), 'GET');

test('status line, header names in lower case, repeated fields keep every value', () => {
  const h = head('HTTP/1.1 200 OK', 'Content-Length: 5', 'X-A:  one ', 'x-a: two', 'Empty:');
  assert.equal(h.statusCode, 200);
  assert.deepEqual(h.headers, { 'content-length': '5', 'x-a': ['one', 'two'], empty: '' });
  assert.deepEqual(h.framing, { kind: 'length', length: 5 });
  assert.equal(head('HTTP/1.0 404 Not Found').statusCode, 404);
  // The reason phrase may be empty; the space before it may not be left out.
  assert.equal(head('HTTP/1.1 307 ').statusCode, 307);
});

test('framing follows RFC 9112 §6.3', () => {
  assert.deepEqual(head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked').framing, { kind: 'chunked' });
  assert.deepEqual(head('HTTP/1.1 200 OK', 'Transfer-Encoding: Chunked').framing, { kind: 'chunked' });
  assert.deepEqual(head('HTTP/1.1 200 OK').framing, { kind: 'close' });
  assert.deepEqual(head('HTTP/1.1 200 OK', 'Content-Length:  7 ').framing, { kind: 'length', length: 7 });
  for (const status of ['204 No Content', '304 Not Modified', '100 Continue', '103 Early Hints'])
    assert.deepEqual(head(`HTTP/1.1 ${status}`, 'Content-Length: 10').framing, { kind: 'length', length: 0 });
  assert.deepEqual(parseHead('HTTP/1.1 200 OK\r\nContent-Length: 10', 'HEAD').framing, { kind: 'length', length: 0 });
});

test('a head that is not exactly HTTP/1.1 is an error naming what was wrong', () => {
  const bad: [string[], RegExp][] = [
    [['HTTP/2 200 OK'], /status line/],
    [['HTTP/1.1 20 OK'], /status line/],
    [['HTTP/1.1 200 OK\r'], /status line/],
    [['HTTP/1.1 200'], /status line/],
    [['HTTP/1.0 100 Continue'], /HTTP\/1.0 interim/],
    [['ICY 200 OK'], /status line/],
    [['HTTP/1.1 200 OK', 'No colon'], /not a header field/],
    [['HTTP/1.1 200 OK', 'Bad Name: x'], /not a header field/],
    [['HTTP/1.1 200 OK', 'X: a\x01b'], /not a header field/],
    [['HTTP/1.1 200 OK', 'X: a\x7fb'], /not a header field/],
    [
      ['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Content-Length: 9'],
      /both Transfer-Encoding and Content-Length/,
    ],
    [['HTTP/1.1 200 OK', 'A: b\nContent-Length: 0'], /bare LF/],
    [['HTTP/1.1 200 OK', 'A: b', ' folded'], /obs-fold/],
    [['HTTP/1.1 200 OK', 'Content-Length: 5', 'Content-Length: 6'], /invalid Content-Length/],
    [['HTTP/1.1 200 OK', 'Content-Length: -1'], /invalid Content-Length/],
    [['HTTP/1.1 200 OK', 'Content-Length: 7, 7'], /invalid Content-Length/],
    [['HTTP/1.1 200 OK', 'Content-Length: 7', 'Content-Length: 7'], /invalid Content-Length/],
    [['HTTP/1.1 200 OK', 'Content-Length:\xa07'], /invalid Content-Length/],
    [['HTTP/1.1 204 No Content', 'Content-Length: 1, 2'], /invalid Content-Length/],
    [['HTTP/1.1 200 OK', 'Transfer-Encoding: \xa0chunked'], /unsupported Transfer-Encoding/],
    [['HTTP/1.1 200 OK', 'Content-Length: 0x10'], /invalid Content-Length/],
    [['HTTP/1.1 200 OK', 'Content-Length: 1234567890123456'], /invalid Content-Length/],
    [['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip, chunked'], /unsupported Transfer-Encoding/],
    [['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked, gzip'], /unsupported Transfer-Encoding/],
    [['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], /unsupported/],
  ];
  for (const [lines, message] of bad) {
    assert.throws(
      () => head(...lines),
      (e: unknown) => e instanceof HeadError && e.code === 'CUSTOMS_HTTP_HEAD' && message.test(e.message),
      JSON.stringify(lines),
    );
  }
});

test('headEnd finds the blank line, and only a CRLF CRLF one', () => {
  const bytes = Buffer.from('HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody');
  assert.equal(headEnd(bytes, bytes.length), bytes.indexOf('body'));
  assert.equal(headEnd(bytes, bytes.indexOf('body') - 1), -1);
  const lf = Buffer.from('HTTP/1.1 200 OK\n\nbody');
  assert.equal(headEnd(lf, lf.length), -1);
});
