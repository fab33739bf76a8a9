import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { collectSink } from './collect-sink.js';
import { parseEpss } from './epss.js';
import { parseKev } from './kev.js';
import { parseNvd } from './nvd.js';

const feeds = fileURLToPath(new URL('../../../test/feeds/', import.meta.url));
const read = (name: string): unknown => JSON.parse(readFileSync(join(feeds, name), 'utf8'));

test('NVD 2.0: CVSS v3.1 and v2 metrics scored, Primary = nvd, Secondary = the CNA', () => {
  const sink = collectSink();
  const page = parseNvd(read('nvd-cves.json'), sink);
  assert.equal(page.totalResults, 6);
  const log4j = sink.enrichments.find((e) => e.cve === 'CVE-2021-44228');
  assert.deepEqual(
    log4j?.nvd?.severity.map((s) => [s.source, s.cvssVersion, s.score, s.severity]),
    [
      ['nvd', '3.1', 10, 'critical'],
      ['nvd', '2.0', 9.3, 'high'],
    ],
  );
  assert.equal(
    sink.enrichments.find((e) => e.cve === 'CVE-2024-3094')?.nvd?.severity[0]?.source,
    'cna:secalert@redhat.com',
  );
});

test('NVD: bad items and vectors are skipped and counted', () => {
  const sink = collectSink();
  parseNvd(
    {
      vulnerabilities: [
        { cve: { id: 'CVE-2020-1234', metrics: { cvssMetricV31: [{ cvssData: { vectorString: 'CVSS:3.1/AV:N' } }] } } },
        { cve: { id: 'not-a-cve' } },
        { nope: 1 },
      ],
    },
    sink,
  );
  assert.deepEqual(
    sink.skips.map((s) => s.reason.slice(0, 20)),
    ['invalid CVSS vector ', 'schema: /cve/id: Exp', 'schema: /cve: Expect'],
  );
  assert.deepEqual(sink.enrichments, [{ cve: 'CVE-2020-1234', nvd: { severity: [] } }]);
});

test('KEV: date added, due date, ransomware use', () => {
  const sink = collectSink();
  assert.deepEqual(parseKev(read('kev.json'), sink), { timestamp: '2024-06-01T00:00:00.000Z' });
  assert.deepEqual(sink.enrichments[0], {
    cve: 'CVE-2021-44228',
    kev: { dateAdded: '2021-12-10', dueDate: '2021-12-24', ransomware: true },
  });
  const bad = collectSink();
  parseKev(
    {
      vulnerabilities: [
        { cveID: 'CVE-2021-1', dateAdded: '2021-12-10' },
        { cveID: 'CVE-2021-44228', dateAdded: 'yesterday' },
      ],
    },
    bad,
  );
  assert.equal(bad.skips.length, 2);
});

test('EPSS CSV: model comment line, header, rows; malformed rows counted', async () => {
  const sink = collectSink();
  const text = gunzipSync(readFileSync(join(feeds, 'epss_scores-current.csv.gz'))).toString('utf8');
  assert.deepEqual(await parseEpss(text.split('\n'), sink), { timestamp: '2024-06-01' });
  assert.deepEqual(sink.enrichments[0], {
    cve: 'CVE-2021-44228',
    epss: { score: 0.97565, percentile: 0.99995, date: '2024-06-01' },
  });
  const bad = collectSink();
  await parseEpss(
    [
      'cve,epss,percentile',
      'CVE-2021-1234,1.5,0.3',
      'CVE-2021-1234,,',
      'garbage',
      'CVE-2021-1234,0.1,0.2,9',
      'CVE-2021-1234,0.1,0.2',
    ],
    bad,
  );
  assert.deepEqual(
    bad.skips.map((s) => s.reason),
    ['score outside [0, 1]', 'score outside [0, 1]', 'malformed row', 'malformed row'],
  );
  assert.equal(bad.enrichments.length, 1);
});
