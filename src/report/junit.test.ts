import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { renderJunit, xmlEscape } from './junit.js';
import { sampleResult, sampleVerdict } from './test-support/machine-sample.js';
import { writerTester } from './test-support/writer-tester.js';

const dir = mkdtempSync(join(tmpdir(), 'customs-junit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** libxml2's xmllint (Debian libxml2-utils): well-formedness, then XPath over the parsed document. */
function xpath(xml: string, expr: string): string {
  const file = join(dir, `${n++}.xml`);
  writeFileSync(file, xml);
  return execFileSync('xmllint', ['--xpath', expr, file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}
function wellFormed(xml: string): void {
  const file = join(dir, `${n++}.xml`);
  writeFileSync(file, xml);
  execFileSync('xmllint', ['--noout', file], { stdio: ['ignore', 'pipe', 'pipe'] });
}

test('JUnit without a verdict: a suite per scanner, high and critical fail, counts add up, xmllint parses it', () => {
  const xml = writerTester('junit').renders(sampleResult()).deterministic().text;
  wellFormed(xml);
  assert.equal(xpath(xml, 'string(/testsuites/@tests)'), '8');
  assert.equal(xpath(xml, 'count(/testsuites/testsuite)'), '4');
  assert.equal(xpath(xml, 'string(/testsuites/testsuite[1]/@name)'), 'customs vuln');
  // critical curl, critical AWS key, high GitHub token, high root image, critical miner
  assert.equal(xpath(xml, 'count(//testcase[failure])'), '5');
  assert.equal(xpath(xml, 'string(/testsuites/@failures)'), '5');
  assert.equal(xpath(xml, 'count(//testcase[skipped])'), '0');
  // Escaping survives the round trip: the name comes back as written.
  assert.equal(
    xpath(xml, 'string(//testcase[@classname=\'npm.<odd&"pkg">\']/@name)'),
    'CVE-2024-0001 in <odd&"pkg"> 1.0.0',
  );
  assert.match(
    xpath(xml, 'string(//testcase[contains(@name,"CVE-2023-38545")]/failure)'),
    /Fix: Upgrade curl .* to 7\.88\.1-10\+deb12u4/,
  );
});

test('JUnit with a verdict: only fail rules fail, suppressed findings are skipped, a suite per policy rule', () => {
  const xml = renderJunit(sampleResult(), { verdict: sampleVerdict() });
  wellFormed(xml);
  assert.equal(xpath(xml, 'count(/testsuites/testsuite)'), '6');
  assert.equal(xpath(xml, 'string(/testsuites/testsuite[5]/@name)'), 'policy no-critical');
  assert.equal(xpath(xml, 'string(/testsuites/testsuite[6]/@name)'), 'policy no-secrets');
  // The curl finding (scanner suite) and the no-critical rule's case fail; the warn rule does not.
  assert.equal(xpath(xml, 'count(//testcase[failure])'), '2');
  assert.equal(xpath(xml, 'string(/testsuites/testsuite[6]/@failures)'), '0');
  assert.equal(
    xpath(xml, 'string(//testcase[contains(@name,"CVE-2023-38545")]/failure/@message)'),
    'fail no-critical: No critical vulnerabilities',
  );
  // VEX-suppressed (through an alias) and exception-suppressed findings are skipped, with why.
  assert.equal(xpath(xml, 'count(//testcase[skipped])'), '2');
  assert.equal(
    xpath(xml, 'string(//testcase[contains(@name,"CVE-2023-32681")]/skipped/@message)'),
    'suppressed by vex: no proxy is configured',
  );
});

test('JUnit: hostile text (control characters, lone surrogates, CDATA ends) stays well-formed', () => {
  const r = sampleResult();
  const v = r.vulnerabilities[0];
  assert.ok(v);
  const hostile = 'a\u0001b\u001b[31m]]><x/>&amp;\uD800 "q" \'s\'\r\n';
  const xml = renderJunit({
    ...r,
    vulnerabilities: [{ ...v, title: hostile, package: { ...v.package, name: hostile } }],
  });
  wellFormed(xml);
  assert.equal(xmlEscape('\u0001<&>"\''), '\uFFFD&lt;&amp;&gt;&quot;&apos;');
  assert.equal(xmlEscape('\uD83D\uDE00'), '\uD83D\uDE00');
  // A scanner that ran and found nothing still shows one passing case.
  const empty = renderJunit({ ...r, vulnerabilities: [], secrets: [], misconfigurations: [], malware: [] });
  assert.equal(xpath(empty, 'count(//testcase)'), '4');
  assert.equal(xpath(empty, 'string(//testcase[1]/@name)'), 'vuln: no findings');
});
