/**
 * The API test suite, one function run against each store backend
 * (api/api-sqlite.test.ts, api/api-postgres.test.ts): the same requests and
 * expectations on SQLite and PostgreSQL. Every answer a test receives goes
 * through the OpenAPI check (its body must match the documented schema of
 * its route and status); the last test asserts the document is a valid
 * OpenAPI 3.1 document.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { renderScanJson } from '../../report/index.js';
import { scanFixture } from '../../policy/test-support/scan-fixture.js';
import type { InventoryPackage, Store, TokenRole } from '../../store/index.js';
import type { BackendFixture } from '../../store/test-support/harness.js';
import { failInserts } from '../../store/test-support/inject-failure.js';
import { debPackage, digestOf, scanDocument, type VulnSpec } from '../../store/test-support/scan-docs.js';
import { apiRoutes } from '../api/index.js';
import { type ApiHarness, apiHarness } from './api-harness.js';
import { ResponseChecker, validateDocument } from './openapi-check.js';

interface SeedImage {
  readonly seed: string;
  readonly registryId?: number;
  readonly repository?: string;
  readonly tag?: string;
  readonly packages?: readonly InventoryPackage[];
  readonly vulns?: readonly VulnSpec[];
}

/** Store an image the way a scan does: its inventory, findings and (optionally) a tag. */
export async function seedImage(store: Store, s: SeedImage): Promise<string> {
  const digest = digestOf(s.seed);
  await store.images.put({ digest, platform: 'linux/amd64' });
  await store.scans.record({
    imageDigest: digest,
    document: scanDocument({ vulns: s.vulns ?? [] }),
    packages: s.packages ?? [debPackage('base-files')],
  });
  if (s.registryId !== undefined && s.repository !== undefined) {
    const repo = await store.images.ensureRepository(s.registryId, s.repository);
    await store.images.setTag(repo.id, s.tag ?? 'latest', digest);
  }
  return digest;
}

const alpinePackage = (name: string): InventoryPackage => ({
  ecosystem: 'apk',
  namespace: 'Alpine:v3.19',
  name,
  version: '1.0-r0',
  purl: `pkg:apk/alpine/${name}@1.0-r0?distro=alpine-3.19`,
  layer: digestOf('layer-a'),
});

export function apiSuite(fixture: BackendFixture): void {
  describe(`API on ${fixture.dialect}`, () => {
    let doc: { openapi: string; paths: Record<string, Record<string, object>> } | undefined;
    let checker: ResponseChecker | undefined;
    const open: ApiHarness[] = [];
    before(() => fixture.setup());
    after(async () => {
      for (const h of open) await h.close();
      await fixture.teardown();
    });

    /** A fresh store and app; `call` checks every answer against the OpenAPI document. */
    const fresh = async (opts: Parameters<typeof apiHarness>[1] = {}) => {
      const h = await apiHarness(fixture, opts);
      open.push(h);
      if (!doc) {
        doc = JSON.parse((await h.app.inject({ url: '/api/openapi.json' })).body) as NonNullable<typeof doc>;
        checker = new ResponseChecker(doc as ConstructorParameters<typeof ResponseChecker>[0]);
      }
      const call = async (role: TokenRole | 'none', o: InjectOptions): Promise<LightMyRequestResponse> => {
        const res = await h.call(role, o);
        const url = String(o.url);
        if (url.startsWith('/metrics')) checker?.check('GET', url, res.statusCode, undefined);
        else if (res.statusCode !== 304) {
          const body: unknown = res.body === '' ? null : JSON.parse(res.body);
          if (res.statusCode !== 204) checker?.check(o.method ?? 'GET', url, res.statusCode, body);
          else checker?.check(o.method ?? 'GET', url, 204, undefined);
        }
        return res;
      };
      return { ...h, call };
    };
    const json = <T = Record<string, unknown>>(r: LightMyRequestResponse): T => JSON.parse(r.body) as T;
    type ErrorBody = { error: { code: string; message: string; hint: string } };

    test('401 without or with a bad token, 403 for a role too low, both with the documented error body', async () => {
      const h = await fresh();
      const none = await h.call('none', { method: 'GET', url: '/api/v1/images' });
      assert.equal(none.statusCode, 401);
      assert.match(String(none.headers['www-authenticate']), /^Bearer/);
      assert.equal(json<ErrorBody>(none).error.code, 'API_UNAUTHENTICATED');
      assert.ok(json<ErrorBody>(none).error.hint.length > 20);

      const bad = await h.app.inject({ url: '/api/v1/images', headers: { authorization: 'Bearer cst_forged' } });
      assert.equal(bad.statusCode, 401);
      assert.match(json<ErrorBody>(bad).error.message, /unknown, revoked or expired/);
      const basic = await h.app.inject({ url: '/api/v1/images', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      assert.equal(basic.statusCode, 401);

      // viewer ⊂ ci ⊂ admin
      const viewerWrites = await h.call('viewer', { method: 'POST', url: '/api/v1/verdicts', payload: { scan: {} } });
      assert.equal(viewerWrites.statusCode, 403);
      assert.equal(json<ErrorBody>(viewerWrites).error.code, 'API_FORBIDDEN');
      assert.match(json<ErrorBody>(viewerWrites).error.message, /role viewer.*needs ci/);
      const ciAdmin = await h.call('ci', { method: 'GET', url: '/api/v1/tokens' });
      assert.equal(ciAdmin.statusCode, 403);
      for (const role of ['viewer', 'ci', 'admin'] as const) {
        assert.equal((await h.call(role, { method: 'GET', url: '/api/v1/images' })).statusCode, 200, role);
      }
      assert.equal((await h.call('admin', { method: 'GET', url: '/api/v1/tokens' })).statusCode, 200);
      // Public routes need nothing.
      assert.equal((await h.call('none', { method: 'GET', url: '/healthz' })).statusCode, 200);
      assert.equal((await h.call('none', { method: 'GET', url: '/readyz' })).statusCode, 200);
    });

    test('registries: CRUD; credentials are write-only and sealed', async () => {
      const h = await fresh();
      const password = `pw-${Math.random().toString(36).slice(2)}`;
      const created = await h.call('admin', {
        method: 'POST',
        url: '/api/v1/registries',
        payload: { name: 'ghcr', url: 'https://ghcr.io', credentials: { username: 'bot', password } },
      });
      assert.equal(created.statusCode, 201);
      const reg = json<{ id: number; hasCredentials: boolean }>(created);
      assert.equal(reg.hasCredentials, true);
      assert.ok(!created.body.includes(password));
      const got = await h.call('viewer', { method: 'GET', url: `/api/v1/registries/${reg.id}` });
      assert.ok(!got.body.includes(password) && !got.body.includes('"credentials"'));
      assert.deepEqual(await h.store.registries.credentials(reg.id), { username: 'bot', password });

      const dup = await h.call('admin', {
        method: 'POST',
        url: '/api/v1/registries',
        payload: { name: 'ghcr', url: 'https://x.io' },
      });
      assert.equal(dup.statusCode, 409);
      assert.equal(json<ErrorBody>(dup).error.code, 'STORE_CONFLICT');
      const invalid = await h.call('admin', {
        method: 'POST',
        url: '/api/v1/registries',
        payload: { name: 'x', url: 'ftp://x' },
      });
      assert.equal(invalid.statusCode, 400);
      assert.equal(json<ErrorBody>(invalid).error.code, 'API_REQUEST_INVALID');

      const patched = await h.call('admin', {
        method: 'PATCH',
        url: `/api/v1/registries/${reg.id}`,
        payload: { credentials: null, url: 'https://ghcr.example' },
      });
      assert.equal(patched.statusCode, 200);
      assert.equal(json<{ hasCredentials: boolean }>(patched).hasCredentials, false);
      const list = await h.call('viewer', { method: 'GET', url: '/api/v1/registries' });
      assert.equal(json<{ items: unknown[] }>(list).items.length, 1);
      assert.equal((await h.call('admin', { method: 'DELETE', url: `/api/v1/registries/${reg.id}` })).statusCode, 204);
      assert.equal((await h.call('viewer', { method: 'GET', url: `/api/v1/registries/${reg.id}` })).statusCode, 404);
      assert.equal((await h.call('admin', { method: 'DELETE', url: `/api/v1/registries/${reg.id}` })).statusCode, 404);
    });

    test('every change is in the audit log: who, what, on what, from where; 403s too, 401s and reads not', async () => {
      const h = await fresh();
      await h.call('admin', {
        method: 'POST',
        url: '/api/v1/registries',
        payload: { name: 'r1', url: 'https://r1.example' },
        headers: { 'user-agent': 'audit-test/1' },
      });
      await h.call('viewer', { method: 'DELETE', url: '/api/v1/registries/1' });
      await h.call('none', { method: 'DELETE', url: '/api/v1/registries/1' });
      await h.call('viewer', { method: 'GET', url: '/api/v1/registries' });
      const res = await h.call('admin', { method: 'GET', url: '/api/v1/audit' });
      assert.equal(res.statusCode, 200);
      const items = json<{
        items: {
          actor: string;
          action: string;
          target: string;
          source: string;
          at: number;
          detail: { status: number };
        }[];
      }>(res).items;
      assert.deepEqual(
        items.map((e) => [e.actor, e.action, e.target, e.detail.status]),
        [
          ['admin-token', 'POST /api/v1/registries', '/api/v1/registries', 201],
          ['viewer-token', 'DELETE /api/v1/registries/:id', '/api/v1/registries/1', 403],
        ],
      );
      assert.match(items[0]?.source ?? '', /^127\.0\.0\.1 \(audit-test\/1\)$/);
      assert.ok((items[0]?.at ?? 0) > 0);
      const byActor = await h.call('admin', { method: 'GET', url: '/api/v1/audit?actor=viewer-token' });
      assert.equal(json<{ items: unknown[] }>(byActor).items.length, 1);
    });

    test('rate limits are per token: the limit answers 429 with the error body and Retry-After', async () => {
      const h = await fresh({ app: { log: false, rateLimit: { max: 3, windowMs: 60_000 } } });
      for (let i = 0; i < 3; i++)
        assert.equal((await h.call('viewer', { method: 'GET', url: '/api/v1/images' })).statusCode, 200);
      const limited = await h.call('viewer', { method: 'GET', url: '/api/v1/images' });
      assert.equal(limited.statusCode, 429);
      assert.equal(json<ErrorBody>(limited).error.code, 'API_RATE_LIMITED');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      // Another token has its own budget.
      assert.equal((await h.call('ci', { method: 'GET', url: '/api/v1/images' })).statusCode, 200);
      // Guessing tokens is limited per address before any token is looked up.
      const guess = (n: number) =>
        h.app.inject({
          url: '/api/v1/images',
          remoteAddress: '10.0.0.9',
          headers: { authorization: `Bearer cst_guess${n}` },
        });
      for (let i = 0; i < 3; i++) assert.equal((await guess(i)).statusCode, 401);
      const blocked = await guess(3);
      assert.equal(blocked.statusCode, 429);
      assert.equal(json<ErrorBody>(blocked).error.code, 'API_RATE_LIMITED');
      assert.ok(Number(blocked.headers['retry-after']) > 0);
      // Not the valid tokens of other addresses.
      assert.equal((await h.call('admin', { method: 'GET', url: '/api/v1/images' })).statusCode, 200);
    });

    test('images: filters by registry, repository, OS, package, severity and verdict', async () => {
      const h = await fresh();
      const { store } = h;
      const reg = await store.registries.add({ name: 'hub', url: 'https://hub.example' });
      const other = await store.registries.add({ name: 'quay', url: 'https://quay.example' });
      const web = await seedImage(store, {
        seed: 'web',
        registryId: reg.id,
        repository: 'team/web',
        tag: '1',
        packages: [debPackage('libssl3', '3.0.11-1', 'openssl'), debPackage('curl')],
        vulns: [{ id: 'CVE-2024-0001', pkg: 'openssl', severity: 'critical' }],
      });
      const api = await seedImage(store, {
        seed: 'api',
        registryId: other.id,
        repository: 'team/api',
        packages: [alpinePackage('busybox')],
        vulns: [{ id: 'CVE-2024-0002', pkg: 'busybox', severity: 'low' }],
      });
      const bare = await seedImage(store, { seed: 'bare', packages: [debPackage('zlib1g', '1.0-1', 'zlib')] });
      await store.verdicts.record({ imageDigest: web, status: 'fail', document: {} });
      await store.verdicts.record({ imageDigest: api, status: 'fail', document: {} });
      await store.verdicts.record({ imageDigest: api, status: 'pass', document: {} });
      const digests = async (query: string) => {
        const r = await h.call('viewer', { method: 'GET', url: `/api/v1/images${query}` });
        assert.equal(r.statusCode, 200, r.body);
        return json<{ items: { digest: string }[] }>(r).items.map((i) => i.digest);
      };
      assert.deepEqual(await digests(''), [web, api, bare]);
      assert.deepEqual(await digests(`?registry=${reg.id}`), [web]);
      assert.deepEqual(await digests('?repository=team/api'), [api]);
      assert.deepEqual(await digests('?os=debian'), [web, bare]);
      assert.deepEqual(await digests('?os=alpine:v3.19'), [api]);
      assert.deepEqual(await digests('?package=openssl'), [web]); // by source name
      assert.deepEqual(await digests('?package=zlib1g'), [bare]);
      assert.deepEqual(await digests('?severity=high'), [web]);
      assert.deepEqual(await digests('?severity=low'), [web, api]);
      assert.deepEqual(await digests('?verdict=pass'), [api]); // the latest verdict counts
      assert.deepEqual(await digests('?verdict=fail'), [web]);
      assert.deepEqual(await digests('?os=debian&severity=critical'), [web]);

      const detail = json<{
        tags: { registry: string; repository: string; tag: string }[];
        openFindings: { critical: number };
        verdict: string;
      }>(await h.call('viewer', { method: 'GET', url: `/api/v1/images/${web}` }));
      assert.deepEqual(
        detail.tags.map((t) => `${t.registry}/${t.repository}:${t.tag}`),
        ['hub/team/web:1'],
      );
      assert.equal(detail.openFindings.critical, 1);
      assert.equal(detail.verdict, 'fail');
      const pkgs = json<{ items: { name: string }[] }>(
        await h.call('viewer', { method: 'GET', url: `/api/v1/images/${web}/packages` }),
      );
      assert.deepEqual(pkgs.items.map((p) => p.name).sort(), ['curl', 'libssl3']);
      const findings = json<{ items: { findingId: string }[] }>(
        await h.call('viewer', { method: 'GET', url: `/api/v1/images/${web}/findings` }),
      );
      assert.deepEqual(
        findings.items.map((f) => f.findingId),
        ['CVE-2024-0001'],
      );
      assert.equal((await h.call('viewer', { method: 'GET', url: `/api/v1/images/${web}/layers` })).statusCode, 200);
      const verdicts = json<{ items: { status: string }[] }>(
        await h.call('viewer', { method: 'GET', url: `/api/v1/images/${api}/verdicts` }),
      );
      assert.deepEqual(
        verdicts.items.map((v) => v.status),
        ['pass', 'fail'],
      );
      assert.equal(
        (await h.call('viewer', { method: 'GET', url: `/api/v1/images/${digestOf('absent')}` })).statusCode,
        404,
      );
      assert.equal((await h.call('viewer', { method: 'GET', url: '/api/v1/images?severity=severe' })).statusCode, 400);

      const repos = json<{ items: { id: number; name: string; registry: string; tagCount: number }[] }>(
        await h.call('viewer', { method: 'GET', url: '/api/v1/repositories' }),
      );
      assert.deepEqual(
        repos.items.map((r) => `${r.registry}/${r.name}:${r.tagCount}`),
        ['hub/team/web:1', 'quay/team/api:1'],
      );
      const tags = json<{ items: { tag: string; digest: string }[] }>(
        await h.call('viewer', { method: 'GET', url: `/api/v1/repositories/${repos.items[0]?.id}/tags` }),
      );
      assert.deepEqual(
        tags.items.map((t) => [t.tag, t.digest]),
        [['1', web]],
      );
      const repo = await store.images.ensureRepository(reg.id, 'team/web');
      await store.images.setTag(repo.id, '1', bare);
      const history = json<{ items: { digest: string; previousDigest?: string }[] }>(
        await h.call('viewer', { method: 'GET', url: `/api/v1/repositories/${repo.id}/tags/1/history` }),
      );
      assert.deepEqual(
        history.items.map((e) => [e.digest, e.previousDigest]),
        [
          [web, undefined],
          [bare, web],
        ],
      );
    });

    test('where is CVE-X: images, repositories and tags, paged, through the findings index', async () => {
      const h = await fresh();
      const { store } = h;
      const reg = await store.registries.add({ name: 'hub', url: 'https://hub.example' });
      const hit: string[] = [];
      for (let i = 0; i < 5; i++) {
        hit.push(
          await seedImage(store, {
            seed: `hit-${i}`,
            registryId: reg.id,
            repository: `team/svc${i % 2}`,
            tag: `v${i}`,
            packages: [debPackage('curl')],
            vulns: [
              { id: 'CVE-2023-38545', pkg: 'curl', severity: 'critical' },
              { id: 'CVE-2023-0002', pkg: 'curl' },
            ],
          }),
        );
        await seedImage(store, { seed: `miss-${i}`, vulns: [{ id: 'CVE-2023-0002', pkg: 'curl' }] });
      }
      const first = await h.call('viewer', {
        method: 'GET',
        url: '/api/v1/vulnerabilities/CVE-2023-38545/images?limit=2',
      });
      assert.equal(first.statusCode, 200);
      const p1 = json<{
        images: number;
        repositories: { registry: string; name: string; images: number }[];
        items: { digest: string; tags: { tag: string }[]; packages: string[]; severity: string }[];
        nextCursor?: string;
      }>(first);
      assert.equal(p1.images, 5);
      assert.deepEqual(
        p1.repositories.map((r) => `${r.registry}/${r.name}=${r.images}`),
        ['hub/team/svc0=3', 'hub/team/svc1=2'],
      );
      assert.deepEqual(
        p1.items.map((i) => i.digest),
        hit.slice(0, 2),
      );
      assert.deepEqual(
        p1.items[0]?.tags.map((t) => t.tag),
        ['v0'],
      );
      assert.match(p1.items[0]?.packages[0] ?? '', /^pkg:deb\/debian\/curl@/);
      assert.equal(p1.items[0]?.severity, 'critical');
      const seen = [...p1.items.map((i) => i.digest)];
      let cursor = p1.nextCursor;
      while (cursor !== undefined) {
        const r = json<{ items: { digest: string }[]; nextCursor?: string; images?: number }>(
          await h.call('viewer', {
            method: 'GET',
            url: `/api/v1/vulnerabilities/CVE-2023-38545/images?limit=2&cursor=${cursor}`,
          }),
        );
        assert.equal(r.images, undefined, 'totals come with the first page only');
        seen.push(...r.items.map((i) => i.digest));
        cursor = r.nextCursor;
      }
      assert.deepEqual(seen, hit);
      const none = json<{ images: number; items: unknown[] }>(
        await h.call('viewer', { method: 'GET', url: '/api/v1/vulnerabilities/CVE-1999-0001/images' }),
      );
      assert.deepEqual([none.images, none.items.length], [0, 0]);
      // Answers are cached per store generation: a new scan shows at once.
      await seedImage(store, {
        seed: 'hit-late',
        packages: [debPackage('curl')],
        vulns: [{ id: 'CVE-2023-38545', pkg: 'curl', severity: 'critical' }],
      });
      const fresher = json<{ images: number }>(
        await h.call('viewer', { method: 'GET', url: '/api/v1/vulnerabilities/CVE-2023-38545/images?limit=2' }),
      );
      assert.equal(fresher.images, 6);
      // A cursor belongs to its listing.
      const wrong = await h.call('viewer', {
        method: 'GET',
        url: `/api/v1/vulnerabilities/CVE-2023-0002/images?cursor=${p1.nextCursor}`,
      });
      assert.equal(wrong.statusCode, 400);
    });

    test('cursor pagination is stable while rows are added; bad cursors are 400', async () => {
      const h = await fresh();
      for (let i = 0; i < 7; i++) await seedImage(h.store, { seed: `img-${i}` });
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const r = await h.call('viewer', {
          method: 'GET',
          url: `/api/v1/images?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        });
        const body = json<{ items: { digest: string }[]; nextCursor?: string }>(r);
        pages.push(body.items.map((i) => i.digest));
        // A row added meanwhile appears at the end, never shifting what comes next.
        if (pages.length === 1) await seedImage(h.store, { seed: 'late' });
        cursor = body.nextCursor;
      } while (cursor !== undefined);
      assert.deepEqual(
        pages.map((p) => p.length),
        [3, 3, 2],
      );
      assert.deepEqual(pages.flat(), [...Array.from({ length: 7 }, (_, i) => digestOf(`img-${i}`)), digestOf('late')]);
      for (const bad of [
        'garbage',
        Buffer.from('{"l":"images","a":-1}').toString('base64url'),
        Buffer.from('{"l":"jobs","a":1}').toString('base64url'),
      ]) {
        const r = await h.call('viewer', { method: 'GET', url: `/api/v1/images?cursor=${bad}` });
        assert.equal(r.statusCode, 400, bad);
        assert.equal(json<ErrorBody>(r).error.code, 'API_REQUEST_INVALID');
      }
    });

    test('ETags: If-None-Match gives 304 until the resource changes', async () => {
      const h = await fresh();
      await seedImage(h.store, { seed: 'one' });
      const a = await h.call('viewer', { method: 'GET', url: '/api/v1/images' });
      const etag = String(a.headers.etag);
      assert.match(etag, /^"[A-Za-z0-9_-]{32}"$/);
      const b = await h.call('viewer', { method: 'GET', url: '/api/v1/images', headers: { 'if-none-match': etag } });
      assert.equal(b.statusCode, 304);
      assert.equal(b.body, '');
      const weak = await h.call('viewer', {
        method: 'GET',
        url: '/api/v1/images',
        headers: { 'if-none-match': `"x", W/${etag}` },
      });
      assert.equal(weak.statusCode, 304);
      await seedImage(h.store, { seed: 'two' });
      const c = await h.call('viewer', { method: 'GET', url: '/api/v1/images', headers: { 'if-none-match': etag } });
      assert.equal(c.statusCode, 200);
      assert.notEqual(c.headers.etag, etag);
    });

    test('policies, exceptions (owner, reason, expiry; approved by an admin) and verdicts by the central policy', async () => {
      let now = Date.UTC(2026, 5, 1);
      const h = await fresh({ now: () => now });
      const bad = await h.call('admin', {
        method: 'PUT',
        url: '/api/v1/policies/org',
        payload: { body: 'apiVersion: nope' },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(json<ErrorBody>(bad).error.code, 'POLICY_INVALID');
      const policy = [
        'apiVersion: customs/v1',
        'kind: Policy',
        'rules:',
        '  - id: no-critical',
        '    action: fail',
        '    message: No critical vulnerabilities.',
        '    vulnerabilities: { minSeverity: critical }',
      ].join('\n');
      const put = await h.call('admin', { method: 'PUT', url: '/api/v1/policies/org', payload: { body: policy } });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(json<{ revision: number; updatedBy: string }>(put).updatedBy, 'admin-token');
      assert.equal(
        json<{ items: unknown[] }>(await h.call('viewer', { method: 'GET', url: '/api/v1/policies' })).items.length,
        1,
      );

      const scan = JSON.parse(renderScanJson(scanFixture())) as { target: { manifestDigest: string } };
      const digest = scan.target.manifestDigest;
      const post = () => h.call('ci', { method: 'POST', url: '/api/v1/verdicts', payload: { scan } });
      const v1 = await post();
      assert.equal(v1.statusCode, 200, v1.body);
      const r1 = json<{
        status: string;
        imageDigest: string;
        policies: { name: string }[];
        findings: { new: string[] };
        verdict: { rules: { ruleId: string; action: string }[] };
      }>(v1);
      assert.equal(r1.status, 'fail');
      assert.equal(r1.imageDigest, digest);
      assert.deepEqual(
        r1.policies.map((p) => p.name),
        ['org'],
      );
      assert.ok(r1.findings.new.some((f) => f.startsWith('CVE-2023-38545@')));
      assert.ok(r1.verdict.rules.some((r) => r.ruleId === 'no-critical' && r.action === 'fail'));
      // Recorded in the inventory: the image, its packages, findings and verdict.
      const img = json<{ verdict: string; openFindings: { critical: number } }>(
        await h.call('viewer', { method: 'GET', url: `/api/v1/images/${digest}` }),
      );
      assert.equal(img.verdict, 'fail');
      assert.ok(img.openFindings.critical >= 2);

      // Exceptions for the critical findings: requested by CI, in force only once approved.
      const ids: number[] = [];
      for (const finding of ['CVE-2023-38545', 'CVE-2021-44228', 'CVE-2021-45046']) {
        const ex = await h.call('ci', {
          method: 'POST',
          url: '/api/v1/exceptions',
          payload: {
            finding,
            scope: 'registry.example.com/team/app',
            owner: 'team-app',
            reason: 'not reachable',
            expires: '2026-07-01',
          },
        });
        assert.equal(ex.statusCode, 201, ex.body);
        const e = json<{ id: number; active: boolean; createdBy: string; expiresAt: number }>(ex);
        assert.equal(e.active, false);
        assert.equal(e.createdBy, 'ci-token');
        assert.equal(e.expiresAt, Date.UTC(2026, 6, 2));
        ids.push(e.id);
      }
      assert.equal(json<{ status: string }>(await post()).status, 'fail', 'unapproved exceptions do not apply');
      assert.equal(
        (await h.call('ci', { method: 'POST', url: `/api/v1/exceptions/${ids[0]}/approve` })).statusCode,
        403,
      );
      for (const id of ids) {
        const ok = await h.call('admin', { method: 'POST', url: `/api/v1/exceptions/${id}/approve` });
        assert.equal(ok.statusCode, 200);
        assert.equal(json<{ active: boolean; approvedBy: string }>(ok).approvedBy, 'admin-token');
      }
      assert.equal(
        (await h.call('admin', { method: 'POST', url: `/api/v1/exceptions/${ids[0]}/approve` })).statusCode,
        409,
      );
      const v3 = json<{ status: string; exceptions: number[]; verdict: { suppressed: { owner?: string }[] } }>(
        await post(),
      );
      assert.equal(v3.status, 'pass');
      assert.deepEqual(v3.exceptions, ids);
      assert.ok(v3.verdict.suppressed.some((s) => s.owner === 'team-app'));
      const changed = json<{ items: { type: string; data: { from: string; to: string } }[] }>(
        await h.call('viewer', { method: 'GET', url: '/api/v1/events?type=verdict.changed' }),
      );
      assert.deepEqual(
        changed.items.map((e) => [e.data.from, e.data.to]),
        [['fail', 'pass']],
      );
      assert.equal(
        json<{ items: unknown[] }>(await h.call('viewer', { method: 'GET', url: '/api/v1/exceptions?active=true' }))
          .items.length,
        3,
      );

      // Past the expiry the exceptions lapse and the verdict fails again.
      now = Date.UTC(2026, 6, 3);
      assert.equal(json<{ status: string }>(await post()).status, 'fail');
      // A revoked exception is gone; one in the past cannot be requested.
      assert.equal((await h.call('admin', { method: 'DELETE', url: `/api/v1/exceptions/${ids[0]}` })).statusCode, 204);
      const past = await h.call('ci', {
        method: 'POST',
        url: '/api/v1/exceptions',
        payload: { finding: 'CVE-1', scope: '*', owner: 'o', reason: 'r', expires: '2020-01-01' },
      });
      assert.equal(past.statusCode, 400);

      const garbage = await h.call('ci', {
        method: 'POST',
        url: '/api/v1/verdicts',
        payload: { scan: { schemaVersion: 1 } },
      });
      assert.equal(garbage.statusCode, 422);
      assert.equal(json<ErrorBody>(garbage).error.code, 'SCAN_RESULT_INVALID');
      const unknownPolicy = await h.call('ci', {
        method: 'POST',
        url: '/api/v1/verdicts',
        payload: { scan, policy: 'absent' },
      });
      assert.equal(unknownPolicy.statusCode, 404);
      const all = json<{ items: { id: number; active: boolean; revokedAt?: number }[] }>(
        await h.call('viewer', { method: 'GET', url: '/api/v1/exceptions' }),
      );
      assert.deepEqual(
        all.items.map((e) => [e.id, e.active, e.revokedAt !== undefined]),
        [
          [ids[0], false, true],
          [ids[1], false, false],
          [ids[2], false, false],
        ],
      );
      const org = await h.call('viewer', { method: 'GET', url: '/api/v1/policies/org' });
      assert.equal(json<{ revision: number }>(org).revision, 1);
      assert.equal((await h.call('admin', { method: 'DELETE', url: '/api/v1/policies/org' })).statusCode, 204);
      assert.equal((await h.call('viewer', { method: 'GET', url: '/api/v1/policies/org' })).statusCode, 404);
    });

    test('VEX documents: validated, listed with their statements, applied by the central policy, removed', async () => {
      const h = await fresh();
      const policy =
        'apiVersion: customs/v1\nkind: Policy\nrules:\n  - id: no-critical\n    action: fail\n    message: no criticals\n    vulnerabilities: {minSeverity: critical}\n';
      await h.call('admin', { method: 'PUT', url: '/api/v1/policies/org', payload: { body: policy } });
      const scan = JSON.parse(renderScanJson(scanFixture())) as { target: { manifestDigest: string } };
      const digest = scan.target.manifestDigest;
      const verdict = async () =>
        json<{ status: string; verdict: { suppressed: { kind?: string; source?: string; vex?: unknown }[] } }>(
          await h.call('ci', { method: 'POST', url: '/api/v1/verdicts', payload: { scan } }),
        );
      assert.equal((await verdict()).status, 'fail');
      // Refused before it is stored: not JSON, and JSON that is no VEX.
      for (const bad of ['{not json', JSON.stringify({ hello: 'world' })]) {
        const r = await h.call('admin', { method: 'PUT', url: '/api/v1/vex/vendor', payload: { body: bad } });
        assert.equal(r.statusCode, 422, r.body);
        assert.equal(json<ErrorBody>(r).error.code, 'VEX_INVALID');
      }
      const statement = (vuln: string, status: string) => ({
        vulnerability: { name: vuln },
        products: [{ '@id': digest }],
        status,
        ...(status === 'not_affected' ? { justification: 'vulnerable_code_not_in_execute_path' } : {}),
      });
      const openvex = (statements: object[]) =>
        JSON.stringify({
          '@context': 'https://openvex.dev/ns/v0.2.0',
          '@id': `https://vex.example/${Math.random().toString(36).slice(2)}`,
          author: 'security@example.com',
          timestamp: '2026-06-01T00:00:00Z',
          version: 1,
          statements,
        });
      // under_investigation changes nothing.
      const criticals = ['CVE-2023-38545', 'CVE-2021-44228', 'CVE-2021-45046'];
      const investigating = openvex(criticals.map((c) => statement(c, 'under_investigation')));
      assert.equal(
        (await h.call('ci', { method: 'PUT', url: '/api/v1/vex/vendor', payload: { body: investigating } })).statusCode,
        403,
      );
      const put1 = await h.call('admin', {
        method: 'PUT',
        url: '/api/v1/vex/vendor',
        payload: { body: investigating },
      });
      assert.equal(put1.statusCode, 200, put1.body);
      assert.equal((await verdict()).status, 'fail');
      // not_affected takes the critical findings out: the verdict passes, citing the document.
      const notAffected = openvex(criticals.map((c) => statement(c, 'not_affected')));
      await h.call('admin', { method: 'PUT', url: '/api/v1/vex/vendor', payload: { body: notAffected } });
      const passed = await verdict();
      assert.equal(passed.status, 'pass');
      assert.ok(JSON.stringify(passed.verdict.suppressed).includes('VEX document vendor'));
      const listed = json<{
        items: {
          name: string;
          format: string;
          createdBy: string;
          statements: { status: string; justification?: string }[];
        }[];
      }>(await h.call('viewer', { method: 'GET', url: '/api/v1/vex' }));
      assert.deepEqual(
        listed.items.map((d) => [d.name, d.format, d.createdBy, d.statements.length]),
        [['vendor', 'openvex', 'admin-token', 3]],
      );
      assert.equal(listed.items[0]?.statements[0]?.justification, 'vulnerable_code_not_in_execute_path');
      assert.equal((await h.call('viewer', { method: 'DELETE', url: '/api/v1/vex/vendor' })).statusCode, 403);
      assert.equal((await h.call('admin', { method: 'DELETE', url: '/api/v1/vex/vendor' })).statusCode, 204);
      assert.equal((await h.call('admin', { method: 'DELETE', url: '/api/v1/vex/vendor' })).statusCode, 404);
      assert.equal((await verdict()).status, 'fail');
    });

    test('registries show their last discovery run and push notification', async () => {
      const h = await fresh();
      const reg = json<{ id: number; discovery?: unknown; lastPush?: unknown }>(
        await h.call('admin', {
          method: 'POST',
          url: '/api/v1/registries',
          payload: { name: 'watched', url: 'https://watched.example' },
        }),
      );
      assert.equal(reg.discovery, undefined);
      await h.store.registryStatus.recordDiscovery(reg.id, {
        at: 1_000,
        repositories: 2,
        tags: 5,
        digests: 5,
        queued: 1,
        errors: ['team/a:1: HTTP 500'],
      });
      await h.store.registryStatus.recordPush(reg.id, { at: 2_000, repository: 'team/a', tag: '2' });
      const one = json<{
        discovery: { tags: number; errors: string[] };
        lastPush: { repository: string; tag: string };
      }>(await h.call('viewer', { method: 'GET', url: `/api/v1/registries/${reg.id}` }));
      assert.equal(one.discovery.tags, 5);
      assert.deepEqual(one.discovery.errors, ['team/a:1: HTTP 500']);
      assert.deepEqual([one.lastPush.repository, one.lastPush.tag], ['team/a', '2']);
      const all = json<{ items: { name: string; lastPush?: { at: number } }[] }>(
        await h.call('viewer', { method: 'GET', url: '/api/v1/registries' }),
      );
      assert.equal(all.items.find((r) => r.name === 'watched')?.lastPush?.at, 2_000);
    });

    test('POST /verdicts records scan and verdict in one transaction: a verdict the store cannot write leaves no scan', async () => {
      const h = await fresh();
      const scan = JSON.parse(renderScanJson(scanFixture())) as { target: { manifestDigest: string } };
      const digest = scan.target.manifestDigest;
      const restore = await failInserts(h.store, 'verdicts');
      let res: LightMyRequestResponse;
      try {
        res = await h.call('ci', { method: 'POST', url: '/api/v1/verdicts', payload: { scan } });
      } finally {
        await restore();
      }
      assert.equal(res.statusCode, 500, res.body);
      assert.equal(await h.store.scans.latest(digest), undefined, 'a scan was stored without its verdict');
      assert.deepEqual(await h.store.verdicts.list(digest), []);
      assert.deepEqual(await h.store.findings.forImage(digest), []);
      assert.deepEqual(await h.store.events.list({ type: 'scan.recorded' }), []);

      const ok = await h.call('ci', { method: 'POST', url: '/api/v1/verdicts', payload: { scan } });
      assert.equal(ok.statusCode, 200, ok.body);
      const r = json<{ scanId: number; verdictId: number }>(ok);
      assert.equal((await h.store.scans.latest(digest))?.id, r.scanId);
      const latest = await h.store.verdicts.latest(digest);
      assert.deepEqual([latest?.id, latest?.scanId], [r.verdictId, r.scanId]);
    });

    test('tokens: issued once by an admin, usable at once, revoked for good', async () => {
      const h = await fresh();
      const issued = await h.call('admin', {
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { name: 'ci-bot', role: 'ci' },
      });
      assert.equal(issued.statusCode, 201);
      assert.equal(issued.headers['cache-control'], 'no-store');
      const t = json<{ token: string; record: { id: number; role: string } }>(issued);
      assert.match(t.token, /^cst_/);
      const listed = await h.call('admin', { method: 'GET', url: '/api/v1/tokens' });
      assert.ok(!listed.body.includes(t.token), 'the secret is never listed');
      const use = () => h.app.inject({ url: '/api/v1/jobs', headers: { authorization: `Bearer ${t.token}` } });
      assert.equal((await use()).statusCode, 200);
      assert.equal((await h.call('admin', { method: 'DELETE', url: `/api/v1/tokens/${t.record.id}` })).statusCode, 204);
      assert.equal((await use()).statusCode, 401);
      const badRole = await h.call('admin', {
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { name: 'x', role: 'root' },
      });
      assert.equal(badRole.statusCode, 400);
    });

    test('events, jobs, DB status, findings history', async () => {
      const day = 86_400_000;
      let now = Date.UTC(2026, 2, 10, 12);
      const h = await fresh({ now: () => now, store: { now: () => now } });
      const digest = await seedImage(h.store, {
        seed: 'hist',
        vulns: [
          { id: 'CVE-1', pkg: 'a' },
          { id: 'CVE-2', pkg: 'b', severity: 'critical' },
        ],
      });
      now += day;
      await h.store.scans.record({
        imageDigest: digest,
        document: scanDocument({ vulns: [{ id: 'CVE-1', pkg: 'a' }] }),
        packages: [],
      });
      const hist = json<{
        items: {
          day: string;
          opened: { high: number; critical: number };
          fixed: { critical: number };
          open: { high: number; critical: number };
        }[];
      }>(await h.call('viewer', { method: 'GET', url: '/api/v1/findings/history?days=3' }));
      assert.deepEqual(
        hist.items.map((d) => [
          d.day,
          d.opened.high,
          d.opened.critical,
          d.fixed.critical,
          d.open.high,
          d.open.critical,
        ]),
        [
          ['2026-03-09', 0, 0, 0, 0, 0],
          ['2026-03-10', 1, 1, 0, 1, 1],
          ['2026-03-11', 0, 0, 1, 1, 0],
        ],
      );
      for (let i = 0; i < 3; i++) await h.store.jobs.enqueue({ kind: 'scan', idempotencyKey: `k${i}`, payload: { i } });
      await h.store.jobs.claim({ worker: 'w1' });
      const queued = json<{ items: { state: string }[] }>(
        await h.call('viewer', { method: 'GET', url: '/api/v1/jobs?state=queued' }),
      );
      assert.equal(queued.items.length, 2);
      assert.equal((await h.call('viewer', { method: 'GET', url: '/api/v1/jobs/1' })).statusCode, 200);
      assert.equal((await h.call('viewer', { method: 'GET', url: '/api/v1/jobs/99' })).statusCode, 404);
      const events = json<{ items: { type: string }[] }>(
        await h.call('viewer', { method: 'GET', url: '/api/v1/events?type=scan.recorded' }),
      );
      assert.equal(events.items.length, 2);
      const db = json<{ installed: boolean; message: string }>(
        await h.call('viewer', { method: 'GET', url: '/api/v1/db' }),
      );
      assert.equal(db.installed, false);
      const metrics = await h.call('none', { method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /customs_jobs\{state="queued"\} 2/);
      assert.match(metrics.body, /customs_jobs\{state="running"\} 1/);
      assert.match(
        metrics.body,
        /customs_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/jobs",status="200"\} 1/,
      );
      assert.match(
        metrics.body,
        /customs_store_operation_duration_seconds_count\{operation="listings.jobs",outcome="ok"\} 1/,
      );
    });

    test('readyz is 503 with the error body when the store does not answer', async () => {
      const h = await fresh();
      assert.equal((await h.call('none', { method: 'GET', url: '/readyz' })).statusCode, 200);
      await h.store.close();
      const r = await h.call('none', { method: 'GET', url: '/readyz' });
      assert.equal(r.statusCode, 503);
      assert.equal(json<ErrorBody>(r).error.code, 'STORE_UNAVAILABLE');
      open.splice(open.indexOf(open.find((o) => o.store === h.store) as ApiHarness), 1);
      await h.app.close();
      rmSync(h.ctx.dataDir, { recursive: true, force: true });
    });

    test('the same API over a real loopback socket: auth, paging, ETags, rate-limit headers', async () => {
      const h = await fresh();
      for (let i = 0; i < 3; i++) await seedImage(h.store, { seed: `socket-${i}` });
      const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
      const get = async (path: string, headers: Record<string, string> = {}) => {
        const res = await fetch(`${base}${path}`, {
          headers: { authorization: `Bearer ${h.tokens.viewer}`, ...headers },
        });
        const text = await res.text();
        if (res.status !== 304) checker?.check('GET', path, res.status, JSON.parse(text));
        return { res, text };
      };
      const denied = await fetch(`${base}/api/v1/images`);
      assert.equal(denied.status, 401);
      assert.equal(((await denied.json()) as ErrorBody).error.code, 'API_UNAUTHENTICATED');
      const first = await get('/api/v1/images?limit=2');
      assert.equal(first.res.status, 200);
      assert.ok(Number(first.res.headers.get('x-ratelimit-remaining')) >= 0);
      const page1 = JSON.parse(first.text) as { items: unknown[]; nextCursor: string };
      assert.equal(page1.items.length, 2);
      const second = await get(`/api/v1/images?limit=2&cursor=${page1.nextCursor}`);
      assert.equal((JSON.parse(second.text) as { items: unknown[]; nextCursor?: string }).items.length, 1);
      const etag = first.res.headers.get('etag') ?? '';
      const again = await get('/api/v1/images?limit=2', { 'if-none-match': etag });
      assert.equal(again.res.status, 304);
      assert.equal(again.text, '');
    });

    test('dashboard resources: one-box search, overview figures, the latest scan, its reports, judging it again', async () => {
      const h = await fresh();
      const { store } = h;
      const reg = await store.registries.add({ name: 'hub', url: 'https://hub.example' });
      const vulns = [{ id: 'CVE-2031-0100', pkg: 'curl', severity: 'critical', fixedVersions: ['8.0-1'] }];
      const a = await seedImage(store, {
        seed: 'dash-a',
        registryId: reg.id,
        repository: 'team/web',
        tag: '1',
        vulns,
        packages: [debPackage('curl')],
      });
      const b = await seedImage(store, { seed: 'dash-b', registryId: reg.id, repository: 'team/web', tag: '2' });
      const search = json<{ kind: string; items: { digest: string; fixedVersions?: string[] }[] }>(
        await h.call('viewer', { url: '/api/v1/search?q=cve-2031-0100' }),
      );
      assert.equal(search.kind, 'vulnerability');
      assert.deepEqual(
        search.items.map((i) => [i.digest, i.fixedVersions]),
        [[a, ['8.0-1']]],
      );
      await h.call('viewer', { url: `/api/v1/search?q=${encodeURIComponent('hub.example/team/web:2')}` });
      const byRef = json<{ items: { digest: string }[] }>(
        await h.call('viewer', { url: '/api/v1/search?q=team%2Fweb%3A2' }),
      );
      assert.deepEqual(
        byRef.items.map((i) => i.digest),
        [b, a],
      );
      const overview = json<{ images: number; topVulnerabilities: unknown[] }>(
        await h.call('viewer', { url: '/api/v1/overview' }),
      );
      assert.equal(overview.images, 2);
      assert.deepEqual(overview.topVulnerabilities, [{ findingId: 'CVE-2031-0100', severity: 'critical', images: 1 }]);
      assert.equal(json<{ id: number }>(await h.call('viewer', { url: `/api/v1/images/${a}/scan` })).id > 0, true);
      const sarif = await h.call('viewer', { url: `/api/v1/images/${a}/reports/sarif` });
      assert.match(String(sarif.headers['content-type']), /^application\/sarif\+json/);
      assert.match(sarif.body, /CVE-2031-0100/);
      assert.equal(
        (await h.call('viewer', { url: `/api/v1/images/${digestOf('none')}/reports/spdx` })).statusCode,
        404,
      );
      await h.call('admin', {
        method: 'PUT',
        url: '/api/v1/policies/base',
        payload: {
          body: 'apiVersion: customs/v1\nkind: Policy\nrules:\n  - id: no-critical\n    action: fail\n    message: no criticals\n    vulnerabilities: {minSeverity: critical}\n',
        },
      });
      assert.equal((await h.call('viewer', { method: 'POST', url: `/api/v1/images/${a}/verdicts` })).statusCode, 403);
      assert.equal(
        json<{ status: string }>(await h.call('ci', { method: 'POST', url: `/api/v1/images/${a}/verdicts` })).status,
        'fail',
      );
      const ex = json<{ id: number }>(
        await h.call('ci', {
          method: 'POST',
          url: '/api/v1/exceptions',
          payload: {
            finding: 'CVE-2031-0100',
            scope: '*',
            owner: 'web',
            reason: 'build-time only',
            expires: '2999-01-01',
          },
        }),
      );
      await h.call('admin', { method: 'POST', url: `/api/v1/exceptions/${ex.id}/approve` });
      assert.equal(
        json<{ status: string }>(await h.call('ci', { method: 'POST', url: `/api/v1/images/${a}/verdicts` })).status,
        'pass',
      );
    });

    test('the OpenAPI document is valid OpenAPI 3.1 and documents every answer the tests received', async () => {
      assert.ok(doc && checker);
      assert.equal(doc.openapi, '3.1.0');
      // The whole document, every route plugin's routes included.
      await validateDocument(doc);
      // Every route of the service and of the /api/v1 resources (the api plugin) got an answer above.
      const own = await fresh({ app: { log: false, plugins: [{ name: 'api', plugin: apiRoutes }] } });
      const ownDoc = JSON.parse((await own.app.inject({ url: '/api/openapi.json' })).body) as NonNullable<typeof doc>;
      const documented = Object.entries(ownDoc.paths).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
      );
      const hit = new Set([...checker.checked].map((c) => c.split(' ').slice(0, 2).join(' ')));
      const missing = documented.filter((d) => !hit.has(d));
      assert.deepEqual(missing, [], 'routes no test called');
    });
  });
}
