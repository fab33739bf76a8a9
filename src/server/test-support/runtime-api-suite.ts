/**
 * The runtime resources' API tests, run against each store backend
 * (api/runtime-api-sqlite.test.ts, api/runtime-api-postgres.test.ts): reports
 * as the documented body (docs/runtime.md "Reporting") — built here by hand;
 * test/e2e/runtime-report.test.ts sends one built by the sensor's own
 * reporter — nodes, containers, and the running workloads in "where is CVE-X".
 * Every answer is checked against the OpenAPI document.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TokenRole } from '../../store/index.js';
import type { BackendFixture } from '../../store/test-support/harness.js';
import { debPackage, digestOf } from '../../store/test-support/scan-docs.js';
import { runtimeRoutes } from '../api/runtime.js';
import { RuntimeReportSchema } from '../api/runtime-schemas.js';
import { type ApiHarness, apiHarness } from './api-harness.js';
import { seedImage } from './api-suite.js';
import { ResponseChecker, validateDocument } from './openapi-check.js';

const T0 = Date.UTC(2026, 5, 1, 12);

interface ContainerSpec {
  readonly id: string;
  readonly imageId: string;
  readonly manifest?: string;
  readonly state?: string;
  readonly pod?: readonly [string, string];
}

/** A container of a node's inventory, every documented field present. */
const container = (c: ContainerSpec) => ({
  runtime: 'docker',
  id: c.id,
  name: `/${c.id}`,
  imageRef: 'registry.example.com/team/app:1',
  imageId: c.imageId,
  imageDigests: c.manifest !== undefined ? [`registry.example.com/team/app@${c.manifest}`] : [],
  state: c.state ?? 'running',
  labels: { 'io.kubernetes.pod.name': c.pod?.[1] ?? '' },
  ...(c.pod ? { kubernetes: { namespace: c.pod[0], pod: c.pod[1] } } : {}),
  mounts: [{ type: 'bind', source: '/srv', destination: '/data', readWrite: false }],
  privileges: {
    privileged: c.id.startsWith('priv'),
    capAdd: c.id.startsWith('priv') ? ['SYS_ADMIN'] : [],
    capDrop: [],
    hostPid: false,
    hostNetwork: false,
    hostIpc: false,
    hostUts: false,
    user: '',
    readOnlyRootfs: false,
  },
  networkMode: 'bridge',
  networks: [{ name: 'bridge', ipAddress: '172.17.0.2' }],
});

// Every counter the report schema names, at zero (the server does not import the sensor's code).
const stats = Object.fromEntries(Object.keys(RuntimeReportSchema.properties.stats.properties).map((k) => [k, 0]));

const ref = (id: string) => ({ id, name: `/${id}`, imageId: digestOf('cfg'), imageRef: 'app:1' });

/** A report of `host` sent at `at` (ms). */
export const runtimeReport = (
  host: string,
  at: number,
  containers?: readonly ContainerSpec[],
  extra: Record<string, unknown> = {},
) => ({
  schema: 'customs.runtime.report/v1',
  host,
  sentAt: new Date(at).toISOString(),
  ...(containers
    ? {
        inventory: {
          host,
          collectedAt: new Date(at).toISOString(),
          engines: [{ runtime: 'docker', endpoint: 'unix:///var/run/docker.sock' }],
          containers: containers.map(container),
          images: [],
          notes: [],
        },
      }
    : {}),
  alerts: [],
  actions: [],
  inUse: [],
  stats,
  ...extra,
});

const alert = (containerId: string, detail: string) => ({
  ruleId: 'CUS-RT-001',
  ruleName: 'shell-in-container',
  severity: 'high',
  title: 'A shell was spawned in a container',
  detail,
  time: new Date(T0).toISOString(),
  host: 'node-1',
  source: 'kernel',
  container: ref(containerId),
});

export function runtimeApiSuite(fixture: BackendFixture): void {
  describe(`runtime API on ${fixture.dialect}`, () => {
    let checker: ResponseChecker | undefined;
    let doc: { paths: Record<string, Record<string, object>> } | undefined;
    const open: ApiHarness[] = [];
    before(() => fixture.setup());
    after(async () => {
      for (const h of open) await h.close();
      await fixture.teardown();
    });
    const fresh = async () => {
      let now = T0;
      const h = await apiHarness(fixture, { now: () => now });
      open.push(h);
      if (!doc) {
        doc = JSON.parse((await h.app.inject({ url: '/api/openapi.json' })).body) as NonNullable<typeof doc>;
        await validateDocument(doc);
        checker = new ResponseChecker(doc as ConstructorParameters<typeof ResponseChecker>[0]);
      }
      const call = async (role: TokenRole | 'none', o: InjectOptions): Promise<LightMyRequestResponse> => {
        const res = await h.call(role, o);
        checker?.check(o.method ?? 'GET', String(o.url), res.statusCode, JSON.parse(res.body));
        return res;
      };
      const post = (role: TokenRole | 'none', payload: unknown) =>
        call(role, { method: 'POST', url: '/api/v1/runtime/reports', payload: payload as object });
      const get = async <T = Record<string, unknown>>(url: string) => {
        const res = await call('viewer', { method: 'GET', url });
        assert.equal(res.statusCode, 200, res.body);
        return JSON.parse(res.body) as T;
      };
      return {
        ...h,
        call,
        post,
        get,
        setNow: (t: number) => {
          now = t;
        },
      };
    };
    const json = <T = Record<string, unknown>>(r: LightMyRequestResponse): T => JSON.parse(r.body) as T;

    test('POST /runtime/reports needs a ci token; is applied once per (node, sentAt); is audited', async () => {
      const h = await fresh();
      const img = digestOf('img-a');
      const body = runtimeReport('node-1', T0, [{ id: 'c1', imageId: img, pod: ['shop', 'web-1'] }], {
        alerts: [alert('c1', 'sh -c id')],
      });
      assert.equal((await h.post('none', body)).statusCode, 401);
      const viewer = await h.post('viewer', body);
      assert.equal(viewer.statusCode, 403);
      assert.match(json<{ error: { message: string } }>(viewer).error.message, /needs ci/);

      const first = await h.post('ci', body);
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(json(first), {
        node: 'node-1',
        duplicate: false,
        inventoryApplied: true,
        containers: 1,
        events: 2,
      });
      const again = await h.post('ci', body);
      assert.deepEqual(json(again), {
        node: 'node-1',
        duplicate: true,
        inventoryApplied: false,
        containers: 1,
        events: 0,
      });
      // The sensor re-sends a batch whose answer was lost, with a later sentAt and one more alert.
      const resent = await h.post(
        'ci',
        runtimeReport('node-1', T0 + 5000, undefined, { alerts: [alert('c1', 'sh -c id'), alert('c1', 'bash')] }),
      );
      assert.deepEqual(json(resent), {
        node: 'node-1',
        duplicate: false,
        inventoryApplied: false,
        containers: 1,
        events: 1,
      });
      const alerts = await h.store.events.list({ type: 'runtime.alert' });
      assert.deepEqual(
        alerts.map((e) => [e.subject, (e.data as { detail: string }).detail]),
        [
          ['c1', 'sh -c id'],
          ['c1', 'bash'],
        ],
      );
      const inventories = await h.store.events.list({ type: 'runtime.inventory' });
      assert.deepEqual(
        inventories.map((e) => [e.subject, (e.data as { containers: number }).containers]),
        [['node-1', 1]],
      );
      const audit = (await h.store.audit.list()).filter((a) => a.action === 'POST /api/v1/runtime/reports');
      assert.deepEqual(
        audit.map((a) => [a.actor, (a.detail as { status: number }).status]),
        [
          ['viewer-token', 403],
          ['ci-token', 200],
          ['ci-token', 200],
          ['ci-token', 200],
        ],
      );
    });

    test('a node is bound to the token that first reported it: another ci token gets 403; an admin reassigns it', async () => {
      const h = await fresh();
      const other = await h.store.tokens.issue({ name: 'sensor-b', role: 'ci', createdBy: 'test' });
      const asOther = (payload: unknown) =>
        h.call('none', {
          method: 'POST',
          url: '/api/v1/runtime/reports',
          payload: payload as object,
          headers: { authorization: `Bearer ${other.token}` },
        });
      const img = digestOf('img-owned');
      const first = await h.post('ci', runtimeReport('node-a', T0, [{ id: 'a1', imageId: img }]));
      assert.equal(first.statusCode, 200, first.body);
      const ciId = (await h.store.tokens.list()).find((t) => t.name === 'ci-token')?.id;
      assert.equal((await h.store.runtime.node('node-a'))?.ownerTokenId, ciId);

      // Another ci token claims to be node-a: refused, and nothing of its report is written.
      const forged = runtimeReport('node-a', T0 + 1000, [{ id: 'evil', imageId: digestOf('evil') }], {
        alerts: [alert('evil', 'forged')],
      });
      const refused = await asOther(forged);
      assert.equal(refused.statusCode, 403, refused.body);
      const e = json<{ error: { code: string; message: string; hint: string } }>(refused).error;
      assert.equal(e.code, 'RUNTIME_NODE_OWNED');
      assert.match(
        e.message,
        /node "node-a" is bound to token "ci-token" \(id \d+\).*PUT \/api\/v1\/runtime\/nodes\/node-a\/owner/,
      );
      const containers = await h.get<{ items: { containerId: string }[] }>('/api/v1/runtime/containers?node=node-a');
      assert.deepEqual(
        containers.items.map((c) => c.containerId),
        ['a1'],
      );
      assert.deepEqual(await h.store.events.list({ type: 'runtime.alert' }), []);
      // Its own nodes are its own.
      assert.equal((await asOther(runtimeReport('node-b', T0, []))).statusCode, 200);
      assert.equal((await h.post('ci', runtimeReport('node-b', T0 + 1000, []))).statusCode, 403);

      // Reassigning is an admin's: ci may not, an unknown token or node is named.
      const reassign = (role: 'admin' | 'ci', name: string, tokenId: number | null) =>
        h.call(role, { method: 'PUT', url: `/api/v1/runtime/nodes/${name}/owner`, payload: { tokenId } });
      assert.equal((await reassign('ci', 'node-a', other.record.id)).statusCode, 403);
      const unknownToken = await reassign('admin', 'node-a', 999_999);
      assert.equal(unknownToken.statusCode, 400);
      assert.match(json<{ error: { message: string } }>(unknownToken).error.message, /tokenId 999999 is not an active/);
      assert.equal((await reassign('admin', 'node-x', other.record.id)).statusCode, 404);
      const moved = await h.call('admin', {
        method: 'PUT',
        url: '/api/v1/runtime/nodes/node-a/owner',
        payload: { tokenId: other.record.id },
      });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal(json<{ ownerTokenId: number }>(moved).ownerTokenId, other.record.id);
      assert.equal((await asOther(forged)).statusCode, 200);
      assert.equal((await h.post('ci', runtimeReport('node-a', T0 + 2000, []))).statusCode, 403);
      // Unbound (null), the next token to report binds it.
      const unbound = await reassign('admin', 'node-a', null);
      assert.equal(json<{ ownerTokenId?: number }>(unbound).ownerTokenId, undefined);
      assert.equal((await h.post('ci', runtimeReport('node-a', T0 + 3000, []))).statusCode, 200);
      assert.equal((await h.store.runtime.node('node-a'))?.ownerTokenId, ciId);
      const audit = (await h.store.audit.list()).filter((a) => a.action === 'PUT /api/v1/runtime/nodes/:name/owner');
      assert.ok(audit.some((a) => a.actor === 'admin-token' && (a.detail as { status: number }).status === 200));
    });

    test('reports that are not the documented body are 400 with the field named', async () => {
      const h = await fresh();
      const good = runtimeReport('node-1', T0, [{ id: 'c1', imageId: digestOf('x') }]);
      // A well-formed container without its privileges.
      const noPrivileges = runtimeReport('n', T0, [{ id: 'c', imageId: 'x' }]) as unknown as {
        inventory: { containers: Record<string, unknown>[] };
      };
      noPrivileges.inventory.containers = noPrivileges.inventory.containers.map(({ privileges: _p, ...rest }) => rest);
      const bad: [string, unknown, RegExp][] = [
        ['no schema', { ...good, schema: undefined }, /schema/],
        ['another schema', { ...good, schema: 'customs.runtime.report/v2' }, /schema/],
        ['sentAt not a time', { ...good, sentAt: 'yesterday' }, /sentAt/],
        ['host too long', { ...good, host: 'n'.repeat(254) }, /host/],
        ['a container without privileges', noPrivileges, /privileges/],
        ['stats missing', { ...good, stats: undefined }, /stats/],
        [
          'too many alerts',
          { ...good, alerts: Array.from({ length: 10_001 }, (_, i) => alert('c1', String(i))) },
          /alerts/,
        ],
      ];
      for (const [what, payload, field] of bad) {
        const res = await h.post('ci', payload);
        assert.equal(res.statusCode, 400, `${what}: ${res.body.slice(0, 200)}`);
        const e = json<{ error: { code: string; message: string } }>(res).error;
        assert.equal(e.code, 'API_REQUEST_INVALID', what);
        assert.match(e.message, field, what);
      }
      // A clock far ahead would hold back every later report of the node.
      const ahead = await h.post('ci', runtimeReport('node-1', T0 + 3_600_000, []));
      assert.equal(ahead.statusCode, 400);
      assert.match(json<{ error: { message: string } }>(ahead).error.message, /ahead of the server's clock.*NTP/);
      assert.equal((await h.store.runtime.nodes()).length, 0, 'nothing stored from a refused report');
      // Fields a newer sensor adds are accepted.
      const newer = await h.post('ci', { ...good, future: { x: 1 } });
      assert.equal(newer.statusCode, 200, newer.body);
    });

    test('GET /runtime/nodes and /runtime/containers: paged by cursor, filtered by node, image and state', async () => {
      const h = await fresh();
      const a = digestOf('cfg-a');
      const manifest = digestOf('manifest-a');
      for (let n = 0; n < 3; n++)
        await h.post(
          'ci',
          runtimeReport(`node-${n}`, T0 + n, [
            { id: `a${n}`, imageId: a, manifest, pod: ['shop', `web-${n}`] },
            { id: `priv${n}`, imageId: digestOf('cfg-b'), state: 'exited' },
          ]),
        );
      const p1 = await h.get<{ items: { name: string; containers: number; running: number }[]; nextCursor: string }>(
        '/api/v1/runtime/nodes?limit=2',
      );
      assert.deepEqual(
        p1.items.map((n) => [n.name, n.containers, n.running]),
        [
          ['node-0', 2, 1],
          ['node-1', 2, 1],
        ],
      );
      const p2 = await h.get<{ items: { name: string }[]; nextCursor?: string }>(
        `/api/v1/runtime/nodes?limit=2&cursor=${p1.nextCursor}`,
      );
      assert.deepEqual([p2.items.map((n) => n.name), p2.nextCursor], [['node-2'], undefined]);
      // A cursor belongs to its listing.
      const wrong = await h.call('viewer', {
        method: 'GET',
        url: `/api/v1/runtime/containers?cursor=${p1.nextCursor}`,
      });
      assert.equal(wrong.statusCode, 400);

      type C = {
        containerId: string;
        node: string;
        imageDigest?: string;
        kubernetesNamespace?: string;
        kubernetesPod?: string;
        privileges: { privileged: boolean; capAdd: string[] };
      };
      const byManifest = await h.get<{ items: C[] }>(`/api/v1/runtime/containers?image=${manifest}`);
      assert.deepEqual(
        byManifest.items.map((c) => [c.node, c.containerId, c.imageDigest, c.kubernetesNamespace, c.kubernetesPod]),
        [0, 1, 2].map((n) => [`node-${n}`, `a${n}`, manifest, 'shop', `web-${n}`]),
      );
      assert.deepEqual(
        (await h.get<{ items: C[] }>(`/api/v1/runtime/containers?image=${a}&node=node-1`)).items.map(
          (c) => c.containerId,
        ),
        ['a1'],
      );
      const exited = await h.get<{ items: C[] }>('/api/v1/runtime/containers?state=exited&node=node-2');
      assert.deepEqual(
        exited.items.map((c) => [c.containerId, c.privileges.privileged, c.privileges.capAdd]),
        [['priv2', true, ['SYS_ADMIN']]],
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const pageOf = await h.get<{ items: C[]; nextCursor?: string }>(
          `/api/v1/runtime/containers?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...pageOf.items.map((c) => c.containerId));
        cursor = pageOf.nextCursor;
      } while (cursor !== undefined);
      assert.equal(seen.length, 6);
      assert.equal(new Set(seen).size, 6);
      assert.equal((await h.call('none', { method: 'GET', url: '/api/v1/runtime/nodes' })).statusCode, 401);
    });

    test('where is CVE-X counts the running containers per image and over all, and a new report shows at once', async () => {
      const h = await fresh();
      const reg = await h.store.registries.add({ name: 'hub', url: 'https://hub.example' });
      const vulns = [{ id: 'CVE-2023-38545', pkg: 'curl', severity: 'critical' as const }];
      const hit = await seedImage(h.store, {
        seed: 'hit-0',
        registryId: reg.id,
        repository: 'team/app',
        packages: [debPackage('curl')],
        vulns,
      });
      const hit2 = await seedImage(h.store, { seed: 'hit-1', packages: [debPackage('curl')], vulns });
      const clean = await seedImage(h.store, { seed: 'clean' });
      const url = '/api/v1/vulnerabilities/CVE-2023-38545/images';
      type Spread = {
        images: number;
        containers?: number;
        nodes?: number;
        items: { digest: string; running: { containers: number; nodes: number } }[];
        nextCursor?: string;
      };
      const before = await h.get<Spread>(url);
      assert.deepEqual(
        [before.images, before.containers, before.nodes, before.items.map((i) => i.running)],
        [
          2,
          0,
          0,
          [
            { containers: 0, nodes: 0 },
            { containers: 0, nodes: 0 },
          ],
        ],
      );
      type Overview = {
        topVulnerabilities: { findingId: string; images: number; running?: { containers: number; nodes: number } }[];
        runtime?: { nodes: number; containers: number; running: number; lastReportAt: number };
      };
      // No sensor reported: the overview has no runtime figures at all, not zeros.
      const quiet = await h.get<Overview>('/api/v1/overview');
      assert.equal(quiet.runtime, undefined);
      assert.equal(quiet.topVulnerabilities[0]?.running, undefined);
      await h.post(
        'ci',
        runtimeReport('node-1', T0, [
          { id: 'c1', imageId: digestOf('c'), manifest: hit },
          { id: 'c2', imageId: digestOf('c'), manifest: hit },
          { id: 'c3', imageId: hit2 },
          { id: 'c4', imageId: hit2, state: 'exited' },
          { id: 'c5', imageId: clean },
        ]),
      );
      await h.post('ci', runtimeReport('node-2', T0, [{ id: 'c1', imageId: digestOf('c'), manifest: hit }]));
      const after = await h.get<Spread>(url);
      assert.deepEqual([after.images, after.containers, after.nodes], [2, 4, 2]);
      const overview = await h.get<Overview>('/api/v1/overview');
      assert.deepEqual(overview.runtime, { nodes: 2, containers: 6, running: 5, lastReportAt: T0 });
      assert.deepEqual(
        overview.topVulnerabilities.map((v) => [v.findingId, v.images, v.running]),
        [['CVE-2023-38545', 2, { containers: 4, nodes: 2 }]],
      );
      assert.deepEqual(
        after.items.map((i) => [i.digest, i.running.containers, i.running.nodes]),
        [
          [hit, 3, 2],
          [hit2, 1, 1],
        ],
      );
      // Page 2 has the per-image counts; the totals come with the first page only.
      const p1 = await h.get<Spread>(`${url}?limit=1`);
      const p2 = await h.get<Spread>(`${url}?limit=1&cursor=${p1.nextCursor ?? ''}`);
      assert.deepEqual(
        [p2.containers, p2.nodes, p2.items[0]?.running],
        [undefined, undefined, { containers: 1, nodes: 1 }],
      );
      // node-2's next inventory no longer lists c1: the answer (cached per store generation) follows.
      h.setNow(T0 + 10_000);
      await h.post('ci', runtimeReport('node-2', T0 + 10_000, []));
      const later = await h.get<Spread>(url);
      assert.deepEqual([later.containers, later.nodes, later.items[0]?.running], [3, 1, { containers: 2, nodes: 1 }]);
    });

    test('every runtime route was called and answered as documented', async () => {
      assert.ok(doc && checker);
      const own = await apiHarness(fixture, {
        app: { log: false, plugins: [{ name: 'runtime', plugin: runtimeRoutes }] },
      });
      open.push(own);
      const ownDoc = JSON.parse((await own.app.inject({ url: '/api/openapi.json' })).body) as NonNullable<typeof doc>;
      const documented = Object.entries(ownDoc.paths)
        .filter(([p]) => p.startsWith('/api/v1/runtime/'))
        .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
      assert.equal(documented.length, 4);
      const hit = new Set([...checker.checked].map((c) => c.split(' ').slice(0, 2).join(' ')));
      assert.deepEqual(
        documented.filter((d) => !hit.has(d)),
        [],
      );
    });
  });
}
