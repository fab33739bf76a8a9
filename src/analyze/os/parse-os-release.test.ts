import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOsRelease } from './parse-os-release.js';

test('os-release(5) quoting: double, single, unquoted, escapes', () => {
  const v = parseOsRelease(
    [
      '# a comment',
      '',
      'ID=debian',
      'NAME="Debian GNU/Linux"',
      "PRETTY_NAME='Single Quoted $HOME'",
      'VARIANT="A \\"quoted\\" \\$word and \\\\ back \\n kept"',
      'BAD LINE',
      'ALSO_BAD',
      '  INDENTED="yes"',
      'CRLF="x"\r',
      'EMPTY=',
    ].join('\n'),
  );
  assert.equal(v.get('ID'), 'debian');
  assert.equal(v.get('NAME'), 'Debian GNU/Linux');
  assert.equal(v.get('PRETTY_NAME'), 'Single Quoted $HOME');
  // Inside double quotes only $ ` " \ are escapable (sh); "\n" stays two characters.
  assert.equal(v.get('VARIANT'), 'A "quoted" $word and \\ back \\n kept');
  assert.equal(v.get('INDENTED'), 'yes');
  assert.equal(v.get('CRLF'), 'x');
  assert.equal(v.get('EMPTY'), '');
  assert.equal(v.has('BAD LINE'), false);
  assert.equal(v.has('ALSO_BAD'), false);
  assert.equal(v.has('# a comment'), false);
});

test('unquoted values: backslash escapes, trailing blanks trimmed, later assignment wins', () => {
  const v = parseOsRelease('A=foo\\ bar  \nB=1\nB=2\nC="unterminated\n');
  assert.equal(v.get('A'), 'foo bar');
  assert.equal(v.get('B'), '2');
  assert.equal(v.get('C'), 'unterminated');
});
