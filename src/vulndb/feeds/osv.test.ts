import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { collectSink } from './collect-sink.js';
import { osvToAdvisory, parseOsvDocument } from './osv.js';

const feeds = fileURLToPath(new URL('../../../test/feeds/osv/', import.meta.url));
const read = (name: string): unknown => JSON.parse(readFileSync(join(feeds, name), 'utf8'));

test('GHSA record: ranges, aliases, CVSS scored from the vector, database_specific severity', () => {
  const a = osvToAdvisory(read('npm-GHSA-xvch-5gv4-984h.json'));
  assert.ok(typeof a !== 'string', String(a));
  assert.equal(a.id, 'GHSA-xvch-5gv4-984h');
  assert.deepEqual(a.aliases, ['CVE-2021-44906']);
  assert.equal(a.source, 'osv:npm');
  assert.deepEqual(a.affected[0]?.ranges[1], {
    type: 'ECOSYSTEM',
    events: [{ introduced: '1.0.0' }, { fixed: '1.2.6' }],
  });
  assert.deepEqual(
    a.severity.map((s) => [s.source, s.severity, s.score]),
    [
      ['ghsa', 'critical', 9.8],
      ['ghsa', 'critical', undefined],
    ],
  );
});

test('distro records: release keys normalised, upstream kept, Ubuntu priority read', () => {
  const usn = osvToAdvisory(read('ubuntu-USN-6429-1.json'));
  assert.ok(typeof usn !== 'string');
  assert.equal(usn.affected[0]?.ecosystem, 'Ubuntu:22.04');
  assert.deepEqual(usn.upstream, ['CVE-2023-38545', 'CVE-2023-38546']);
  assert.deepEqual(usn.severity, [{ source: 'ubuntu', severity: 'high' }]);
  const go = osvToAdvisory(read('go-GO-2023-2102.json'));
  assert.ok(typeof go !== 'string');
  assert.deepEqual(
    go.affected.map((p) => [p.ecosystem, p.name, p.ranges[0]?.type]),
    [
      ['Go', 'stdlib', 'SEMVER'],
      ['Go', 'golang.org/x/net', 'SEMVER'],
    ],
  );
});

const base = {
  id: 'TEST-1',
  modified: '2024-01-01T00:00:00Z',
  affected: [
    {
      package: { ecosystem: 'npm', name: 'x' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }],
    },
  ],
};

test('withdrawn, last_affected, limit and versions lists are kept for the matcher', () => {
  const a = osvToAdvisory({
    ...base,
    withdrawn: '2024-02-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'Demo_Pkg' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { last_affected: '1.4' }, { limit: '2.0' }] }],
        versions: ['1.0', '1.4'],
        ecosystem_specific: { severity: 'LOW' },
      },
      { ranges: [{ type: 'GIT', repo: 'https://example.org/x.git', events: [{ introduced: 'abc' }] }] },
    ],
  });
  assert.ok(typeof a !== 'string', String(a));
  assert.equal(a.withdrawn, '2024-02-01T00:00:00Z');
  assert.equal(a.affected.length, 1, 'package-less (GIT-only) entries are dropped');
  assert.deepEqual(a.affected[0]?.ranges[0]?.events, [
    { introduced: '1.0' },
    { last_affected: '1.4' },
    { limit: '2.0' },
  ]);
  assert.deepEqual(a.affected[0]?.versions, ['1.0', '1.4']);
  assert.deepEqual(a.affected[0]?.severity, [{ source: 'osv:test', severity: 'low' }]);
});

test('bad and hostile records are skipped with a reason naming the problem', () => {
  const cases: [unknown, RegExp][] = [
    [null, /schema/],
    [{ ...base, id: undefined }, /schema: \/id/],
    [{ ...base, modified: 5 }, /schema: \/modified/],
    [{ ...base, id: '../../etc/passwd' }, /schema: \/id/],
    [
      {
        ...base,
        affected: [
          { package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'WEIRD', events: [{ introduced: '0' }] }] },
        ],
      },
      /schema: \/affected\/0\/ranges\/0\/type/,
    ],
    [
      {
        ...base,
        affected: [
          {
            package: { ecosystem: 'npm', name: 'x' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1' }] }],
          },
        ],
      },
      /exactly one/,
    ],
    [
      {
        ...base,
        affected: [
          { package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ fixed: '1' }] }] },
        ],
      },
      /without an "introduced"/,
    ],
    [
      {
        ...base,
        affected: [
          {
            package: { ecosystem: 'Go', name: 'x' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2' }] }],
          },
        ],
      },
      /non-SemVer/,
    ],
    [{ ...base, affected: [{ package: { ecosystem: 'npm\u0000', name: 'x' } }] }, /invalid ecosystem/],
    [
      {
        ...base,
        affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [] }] }],
      },
      /schema/,
    ],
  ];
  for (const [rec, why] of cases) {
    const r = osvToAdvisory(rec);
    assert.equal(typeof r, 'string', JSON.stringify(rec));
    assert.match(r as string, why);
  }
});

test('a document of several records: good ones kept, bad ones counted', () => {
  const sink = collectSink();
  parseOsvDocument([base, { ...base, id: 'TEST-2' }, { id: 'TEST-3' }, 42], 'mixed.json', sink);
  assert.deepEqual(
    sink.advisories.map((a) => a.id),
    ['TEST-1', 'TEST-2'],
  );
  assert.equal(sink.skips.length, 2);
  assert.match(sink.skips[0]?.where ?? '', /mixed\.json \(TEST-3\)/);
});
