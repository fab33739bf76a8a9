import assert from 'node:assert/strict';
import { test } from 'node:test';
import { yamlNestingProblem } from './yaml-nesting.js';

test('yamlNestingProblem: flow, block, indicators and JSON count; strings, comments and block scalars do not', () => {
  const flow = (n: number): string => `a: ${'['.repeat(n)}${']'.repeat(n)}\n`;
  assert.equal(yamlNestingProblem(flow(200)), undefined);
  assert.match(yamlNestingProblem(flow(300)) ?? '', /^line 1: nested more than 256 levels deep$/);
  assert.match(yamlNestingProblem(`x: 1\ny:\n  ${'- '.repeat(300)}z\n`) ?? '', /^line 3:/);
  assert.match(yamlNestingProblem(`${' '.repeat(300)}a: 1\n`) ?? '', /^line 1:/);
  const quiet = `# ${'['.repeat(400)}\ns: "${'['.repeat(400)}"\nt: '${'{'.repeat(400)}'\nu: |\n  ${'['.repeat(400)}\nv: [1, [2, {w: 3}]]\n`;
  assert.equal(yamlNestingProblem(quiet), undefined);
  assert.equal(yamlNestingProblem(''), undefined);
});
