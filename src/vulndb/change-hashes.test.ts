import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { changedKeys } from './change-hashes.js';
import { openVulnDb } from './db-reader.js';
import { buildTestDb, type OsvSpec } from './test-support/osv-records.js';

const root = mkdtempSync(join(tmpdir(), 'customs-change-hashes-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const build = (records: readonly OsvSpec[], kev?: readonly string[]): Promise<string> =>
  buildTestDb(join(root, `v${n++}`), records, kev !== undefined ? { kev } : {});

const lodash: OsvSpec = {
  id: 'GHSA-aaaa-0001',
  aliases: ['CVE-2026-0001'],
  ecosystem: 'npm',
  name: 'lodash',
  fixed: '4.17.21',
  severity: 'HIGH',
};
const curl: OsvSpec = { id: 'CVE-2026-0002', ecosystem: 'Debian:12', name: 'curl', fixed: '7.88.1-10+deb12u4' };
const requests: OsvSpec = {
  id: 'GHSA-aaaa-0003',
  aliases: ['CVE-2026-0003'],
  ecosystem: 'PyPI',
  name: 'Requests',
  fixed: '2.31.0',
};
const minimist: OsvSpec = {
  id: 'GHSA-aaaa-0004',
  aliases: ['CVE-2026-0004'],
  ecosystem: 'npm',
  name: 'minimist',
  fixed: '1.2.6',
};
const zlib: OsvSpec = { id: 'CVE-2026-0005', ecosystem: 'Debian:12', name: 'zlib', fixed: '1:1.2.13.dfsg-1+deb12u1' };

test('changedKeys names the keys whose advisories were added, changed or withdrawn, with the advisory IDs', async () => {
  const older = await build([lodash, curl, requests, zlib]);
  const newer = await build([
    { ...lodash, fixed: '4.17.22' }, // changed range
    requests, // unchanged
    minimist, // added
    { ...zlib, withdrawn: '2026-02-01T00:00:00Z' }, // withdrawn in place
    // curl's advisory is gone
  ]);
  const changes = changedKeys(older, newer);
  assert.equal(changes.mode, 'keys');
  assert.deepEqual(changes.mode === 'keys' ? changes.keys : [], [
    { namespace: 'Debian:12', name: 'curl', added: [], changed: [], withdrawn: ['CVE-2026-0002'] },
    { namespace: 'Debian:12', name: 'zlib', added: [], changed: [], withdrawn: ['CVE-2026-0005'] },
    { namespace: 'npm', name: 'lodash', added: [], changed: ['GHSA-aaaa-0001'], withdrawn: [] },
    { namespace: 'npm', name: 'minimist', added: ['GHSA-aaaa-0004'], changed: [], withdrawn: [] },
  ]);
  assert.deepEqual(changedKeys(newer, newer), { mode: 'keys', keys: [] }, 'a DB has no changes against itself');
});

test('an enrichment change (a CVE listed in KEV) changes the keys of every advisory naming that CVE', async () => {
  const older = await build([lodash, requests]);
  const newer = await build([lodash, requests], ['CVE-2026-0003']);
  const changes = changedKeys(older, newer);
  assert.deepEqual(changes.mode === 'keys' ? changes.keys : changes, [
    { namespace: 'PyPI', name: 'requests', added: [], changed: ['GHSA-aaaa-0003'], withdrawn: [] },
  ]);
});

test('the same content built twice hashes the same (hashes do not depend on build time or row ids)', async () => {
  const a = await build([requests, lodash, curl]);
  const b = await build([curl, lodash, requests]);
  assert.deepEqual(changedKeys(a, b), { mode: 'keys', keys: [] });
});

test('a DB built without change hashes answers "full", naming the file and why; it still opens for scans', async () => {
  const older = await build([lodash]);
  const newer = await build([lodash, minimist]);
  const db = new Database(older);
  db.exec("DELETE FROM meta WHERE key = 'change_hashes'; DROP TABLE key_hash; DROP TABLE advisory_hash;");
  db.close();
  const changes = changedKeys(older, newer);
  assert.equal(changes.mode, 'full');
  assert.match(changes.mode === 'full' ? changes.reason : '', /v\d+\/db\/customs\.db was built without change hashes/);
  const reader = openVulnDb(older);
  assert.equal(reader.affecting('npm', 'lodash').length, 1);
  reader.close();
  assert.throws(() => changedKeys(join(root, 'nope.db'), newer), { code: 'VULNDB_MISSING' });
});
