import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parseAlpineSecdb } from './alpine-secdb.js';
import { collectSink } from './collect-sink.js';
import { parseDebianTracker } from './debian-tracker.js';

const feeds = fileURLToPath(new URL('../../../test/feeds/', import.meta.url));
const read = (name: string): unknown => JSON.parse(readFileSync(join(feeds, name), 'utf8'));

test('Debian tracker: releases by code name, fixed / not-affected, one advisory per CVE', () => {
  const sink = collectSink();
  parseDebianTracker(read('debian-tracker.json'), sink);
  assert.deepEqual(sink.skips, []);
  const xz = sink.advisories.find((a) => a.id === 'CVE-2024-3094');
  assert.deepEqual(
    xz?.affected.map((p) => [p.ecosystem, p.state, p.ranges.length]),
    [
      ['Debian:12', 'not-affected', 0],
      ['Debian:11', 'not-affected', 0],
      ['Debian:sid', 'fixed', 1],
    ],
  );
  const curl = sink.advisories.find((a) => a.id === 'CVE-2023-38545');
  assert.deepEqual(curl?.affected[0]?.ranges[0]?.events, [{ introduced: '0' }, { fixed: '7.88.1-10+deb12u4' }]);
});

test('Debian tracker: open issues become unfixed, no-dsa ignored → will-not-fix, end-of-life; urgency rated', () => {
  const sink = collectSink();
  parseDebianTracker(
    {
      demo: {
        'CVE-2020-0001': {
          releases: { bookworm: { status: 'open', urgency: 'low*', nodsa: 'Minor issue', nodsa_reason: 'ignored' } },
        },
        'CVE-2020-0002': {
          releases: {
            bookworm: { status: 'open', urgency: 'medium', nodsa: 'Minor issue', nodsa_reason: 'postponed' },
          },
        },
        'CVE-2020-0003': { releases: { bullseye: { status: 'open', urgency: 'end-of-life' } } },
        'CVE-2020-0004': { releases: { bookworm: { status: 'undetermined', urgency: 'not yet assigned' } } },
        'TEMP-0000000-ABCDEF': { releases: { bookworm: { status: 'open', urgency: 'unimportant' } } },
        // Bad: unknown release, unknown status, resolved without version, bad ID, not an object.
        'CVE-2020-0005': { releases: { hurd: { status: 'open' } } },
        'CVE-2020-0006': { releases: { bookworm: { status: 'wontfix' } } },
        'CVE-2020-0007': { releases: { bookworm: { status: 'resolved' } } },
        'NOT-AN-ID': { releases: {} },
        'CVE-2020-0008': 'x',
      },
      'Bad Name': {},
    },
    sink,
  );
  const state = Object.fromEntries(
    sink.advisories.map((a) => [a.id, [a.affected[0]?.state, a.affected[0]?.severity?.[0]?.severity]]),
  );
  assert.deepEqual(state, {
    'CVE-2020-0001': ['will-not-fix', 'low'],
    'CVE-2020-0002': ['unfixed', 'medium'],
    'CVE-2020-0003': ['end-of-life', undefined],
    'CVE-2020-0004': ['unfixed', undefined],
    'TEMP-0000000-ABCDEF': ['unfixed', 'low'],
  });
  assert.deepEqual(
    sink.skips.map((s) => s.reason.replace(/:.*$/, '')),
    [
      'unknown Debian release "hurd"',
      'schema',
      'resolved without fixed_version',
      'invalid tracker ID',
      'schema',
      'invalid source package entry',
    ],
  );
});

test('Alpine secdb: secfixes → fixed ranges for the release, "0" → not affected, bad packages skipped', () => {
  const sink = collectSink();
  parseAlpineSecdb(read('alpine-secdb-v3.19-main.json'), sink);
  const curl = sink.advisories.find((a) => a.id === 'CVE-2023-38545');
  assert.deepEqual(curl?.affected, [
    {
      ecosystem: 'Alpine:v3.19',
      name: 'curl',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '8.4.0-r0' }] }],
      versions: [],
      state: 'fixed',
    },
  ]);
  const bad = collectSink();
  parseAlpineSecdb(
    {
      distroversion: 'v3.19',
      packages: [
        { pkg: { name: 'musl', secfixes: { '0': ['CVE-2019-14697'], '1.2.4-r2': ['CVE-2025-26519 some note'] } } },
        { pkg: { name: '../evil', secfixes: {} } },
        { pkg: { name: 'x', secfixes: { '1.0-r0': 'CVE-2020-1' } } },
        'junk',
      ],
    },
    bad,
  );
  assert.deepEqual(
    bad.advisories.map((a) => [a.id, a.affected[0]?.state]),
    [
      ['CVE-2019-14697', 'not-affected'],
      ['CVE-2025-26519', 'fixed'],
    ],
  );
  assert.equal(bad.skips.length, 3);
  const notAFile = collectSink();
  parseAlpineSecdb({ distroversion: '../../x', packages: [] }, notAFile);
  assert.match(notAFile.skips[0]?.reason ?? '', /schema: \/distroversion/);
});
