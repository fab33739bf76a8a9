/** The one-box search: what each query is taken for, and what the API answers over generated images. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { debPackage, digestOf, scanDocument } from '../../store/test-support/scan-docs.js';
import { sqliteFixture } from '../../store/test-support/harness.js';
import { type ApiHarness, apiHarness } from '../test-support/api-harness.js';
import { classifyQuery, purlName, repositoryCandidates } from './search.js';

test('classifyQuery: IDs, digests, purls, references and names', () => {
  const hex = randomBytes(32).toString('hex');
  assert.deepEqual(classifyQuery(' cve-2024-12345 '), { kind: 'vulnerability', value: 'CVE-2024-12345' });
  assert.deepEqual(classifyQuery('GHSA-JFH8-C2JP-5V3Q'), { kind: 'vulnerability', value: 'GHSA-jfh8-c2jp-5v3q' });
  assert.deepEqual(classifyQuery('DSA-5123-1').kind, 'vulnerability');
  assert.deepEqual(classifyQuery(`SHA256:${hex.toUpperCase()}`), { kind: 'digest', value: `sha256:${hex}` });
  assert.equal(classifyQuery(`sha256:${hex.slice(1)}`).kind, 'reference');
  assert.equal(classifyQuery('pkg:npm/lodash@4.17.15').kind, 'purl');
  assert.equal(classifyQuery('registry.example/team/app:1.2').kind, 'reference');
  assert.equal(classifyQuery('openssl').kind, 'name');
  assert.equal(purlName('pkg:npm/%40babel/core@7.0.0?x=1'), 'core');
  assert.equal(purlName('pkg:deb/debian/openssl@3.0.11-1?distro=debian-12'), 'openssl');
  assert.equal(purlName('pkg:nothing'), undefined);
  assert.equal(purlName('pkg:npm/%E0%A4%A@1'), undefined);
  assert.deepEqual(repositoryCandidates('registry.example:5000/team/app:1.2@sha256:00'), [
    'registry.example:5000/team/app',
    'team/app',
  ]);
  assert.deepEqual(repositoryCandidates('team/app'), ['team/app']);
  assert.deepEqual(repositoryCandidates('nginx:1.27'), ['nginx', 'library/nginx']);
});

let h: ApiHarness;
const fixture = sqliteFixture();
const cve = `CVE-2030-${(10000 + Math.floor(Math.random() * 80000)).toString()}`;
const digests = [digestOf(`search-a-${cve}`), digestOf(`search-b-${cve}`), digestOf(`search-c-${cve}`)];

before(async () => {
  await fixture.setup();
  h = await apiHarness(fixture);
  const reg = await h.store.registries.add({ name: 'hub', url: 'https://registry.example' });
  const repo = await h.store.images.ensureRepository(reg.id, 'team/app');
  for (const [i, digest] of digests.entries()) {
    const vulnerable = i < 2;
    await h.store.scans.record({
      imageDigest: digest,
      document: scanDocument({
        vulns: vulnerable
          ? [{ id: cve, pkg: 'openssl', severity: 'high', fixedVersions: [`3.0.${i.toString()}-1`] }]
          : [],
      }),
      packages: [debPackage(i === 2 ? 'zlib1g' : 'openssl')],
    });
    await h.store.images.setTag(repo.id, `v${i.toString()}`, digest);
  }
});
after(async () => {
  await h.close();
  await fixture.teardown();
});

const search = async (q: string) => {
  const res = await h.call('viewer', { method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(q)}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { kind: string; items: { digest: string; fixedVersions?: string[]; tags: { tag: string }[] }[] };
};

test('GET /api/v1/search answers each kind of query with the images it names', async () => {
  const byCve = await search(cve.toLowerCase());
  assert.equal(byCve.kind, 'vulnerability');
  assert.deepEqual(byCve.items.map((i) => i.digest).sort(), digests.slice(0, 2).sort());
  assert.deepEqual(byCve.items.map((i) => i.fixedVersions?.join()).sort(), ['3.0.0-1', '3.0.1-1']);
  assert.deepEqual(
    (await search(digests[2] ?? '')).items.map((i) => i.digest),
    [digests[2]],
  );
  assert.deepEqual(
    (await search('zlib1g')).items.map((i) => i.digest),
    [digests[2]],
  );
  assert.equal((await search('pkg:deb/debian/openssl@1.0-1?distro=debian-12')).items.length, 2);
  const ref = await search('registry.example/team/app:v1');
  assert.equal(ref.items.length, 3);
  assert.equal(ref.items[0]?.digest, digests[1], 'the tagged image first');
  assert.equal((await search('CVE-1999-0001')).items.length, 0);
  assert.equal((await h.call('none', { method: 'GET', url: '/api/v1/search?q=openssl' })).statusCode, 401);
});

test('GET /api/v1/overview counts the stored inventory and ranks open vulnerabilities by reach', async () => {
  const res = await h.call('viewer', { method: 'GET', url: '/api/v1/overview?top=5' });
  assert.equal(res.statusCode, 200, res.body);
  const o = res.json() as { images: number; tags: number; topVulnerabilities: { findingId: string; images: number }[] };
  assert.equal(o.images, 3);
  assert.equal(o.tags, 3);
  assert.deepEqual(o.topVulnerabilities, [{ findingId: cve, severity: 'high', images: 2 }]);
});
