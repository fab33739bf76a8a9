import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTarget } from './image-command.js';

test('renderTarget: off a terminal nothing is cut and there is no colour, whatever COLUMNS says', () => {
  assert.deepEqual(renderTarget(undefined, { isTTY: false, columns: 80 }, { COLUMNS: '80' }), {
    color: false,
    width: Number.POSITIVE_INFINITY,
  });
  assert.deepEqual(renderTarget(undefined, {}, {}), { color: false, width: Number.POSITIVE_INFINITY });
  // A file is never cut, even when stdout is a terminal.
  assert.deepEqual(renderTarget('out.txt', { isTTY: true, columns: 80 }, {}), {
    color: false,
    width: Number.POSITIVE_INFINITY,
  });
});

test('renderTarget: on a terminal COLUMNS wins when set, else the terminal width', () => {
  assert.equal(renderTarget(undefined, { isTTY: true, columns: 80 }, { COLUMNS: '200' }).width, 200);
  assert.equal(renderTarget(undefined, { isTTY: true, columns: 80 }, {}).width, 80);
  assert.equal(renderTarget(undefined, { isTTY: true, columns: 80 }, { COLUMNS: 'wide' }).width, 80);
  assert.equal(renderTarget(undefined, { isTTY: true }, {}).width, 120);
  assert.equal(renderTarget(undefined, { isTTY: true, columns: 80 }, {}).color, true);
});
