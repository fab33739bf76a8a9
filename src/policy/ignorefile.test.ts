import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { isIgnoreExpired, parseIgnoreFile } from './ignorefile.js';

// The example of Trivy's docs ("Filtering > By Finding IDs"), plus the forms it accepts.
const TRIVYIGNORE = `# Accept the risk
CVE-2018-14618

# Accept the risk until 2023-01-01
CVE-2019-14697 exp:2023-01-01

\tCVE-2019-1543   # no impact in our settings\r
AVD-DS-0002
generic-unwanted-rule
`;

test('parseIgnoreFile reads the .trivyignore format: IDs, exp: dates, comments, blank lines, CRLF', () => {
  const entries = parseIgnoreFile(TRIVYIGNORE, '.trivyignore');
  assert.deepEqual(
    entries.map((e) => [e.id, e.expires, e.reason, e.line]),
    [
      ['CVE-2018-14618', undefined, 'listed in .trivyignore', 2],
      ['CVE-2019-14697', '2023-01-01', 'listed in .trivyignore', 5],
      ['CVE-2019-1543', undefined, 'no impact in our settings', 7],
      ['AVD-DS-0002', undefined, 'listed in .trivyignore', 8],
      ['generic-unwanted-rule', undefined, 'listed in .trivyignore', 9],
    ],
  );
});

test('an entry expires at 00:00 UTC of its date, as Trivy compares it', () => {
  const [e] = parseIgnoreFile('CVE-2019-14697 exp:2023-01-01\n', 'f');
  assert.ok(e);
  assert.equal(isIgnoreExpired(e, new Date('2022-12-31T23:59:59Z')), false);
  assert.equal(isIgnoreExpired(e, new Date('2023-01-01T00:00:01Z')), true);
  const [forever] = parseIgnoreFile('CVE-1\n', 'f');
  assert.ok(forever);
  assert.equal(isIgnoreExpired(forever, new Date('2999-01-01T00:00:00Z')), false);
});

test('bad dates are refused with every bad line named, not silently ignored forever', () => {
  assert.throws(
    () => parseIgnoreFile('CVE-1 exp:2023-02-30\nCVE-2\nCVE-3 exp:tomorrow\n', '.trivyignore'),
    (e: unknown) =>
      e instanceof CustomsError &&
      e.code === 'GATE_IGNOREFILE_INVALID' &&
      e.message.includes('line 1') &&
      e.message.includes('line 3') &&
      !e.message.includes('line 2'),
  );
});

test('an empty or comment-only file ignores nothing', () => {
  assert.deepEqual(parseIgnoreFile('', 'f'), []);
  assert.deepEqual(parseIgnoreFile('\uFEFF# nothing\n\n   \n', 'f'), []);
});
