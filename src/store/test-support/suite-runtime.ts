import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuntimeContainerInput, RuntimeReportInput } from '../runtime-types.js';
import type { Harness } from './harness.js';
import { debPackage, digestOf, scanDocument } from './scan-docs.js';

const privileges = {
  privileged: false,
  capAdd: [],
  hostPid: false,
  hostNetwork: false,
  hostIpc: false,
  user: '',
  readOnlyRootfs: false,
};

export const runtimeContainer = (
  id: string,
  image: { imageId: string; imageDigest?: string },
  over: Partial<RuntimeContainerInput> = {},
): RuntimeContainerInput => ({
  containerId: id,
  name: `c-${id}`,
  runtime: 'docker',
  imageRef: 'example/app:1',
  state: 'running',
  privileges,
  ...image,
  ...over,
});

const report = (node: string, sentAt: number, over: Partial<RuntimeReportInput> = {}): RuntimeReportInput => ({
  node,
  sentAt,
  events: [],
  stats: { events: 0 },
  ...over,
});

export function runtimeSuite(h: Harness): void {
  test('a report replaces the node’s containers in place; older and repeated reports change nothing', async () => {
    const { store } = await h.open();
    const img = { imageId: digestOf('config-a'), imageDigest: digestOf('manifest-a') };
    const first = await store.runtime.report(
      report('node-1', 1000, {
        inventoryEvent: { type: 'runtime.inventory', data: { containers: 2 } },
        containers: [
          runtimeContainer('aaa', img, { kubernetesNamespace: 'shop', kubernetesPod: 'web-1' }),
          runtimeContainer('bbb', img, { state: 'exited' }),
        ],
      }),
    );
    assert.deepEqual(
      [first.duplicate, first.inventoryApplied, first.node.containers, first.node.running, first.node.inventoryAt],
      [false, true, 2, 1, 1000],
    );
    assert.deepEqual(
      first.events.map((e) => [e.type, e.subject]),
      [['runtime.inventory', 'node-1']],
    );
    const before = await store.runtime.containers({ node: 'node-1' });
    const aaa = before.find((c) => c.containerId === 'aaa');
    assert.deepEqual([aaa?.kubernetesNamespace, aaa?.kubernetesPod, aaa?.lastSeenAt], ['shop', 'web-1', 1000]);
    assert.deepEqual(aaa?.privileges, privileges);

    // Newer: bbb is gone, ccc appears, aaa keeps its row id (cursors stay valid) with its new state.
    const second = await store.runtime.report(
      report('node-1', 2000, {
        containers: [runtimeContainer('aaa', img, { state: 'paused' }), runtimeContainer('ccc', img)],
      }),
    );
    assert.equal(second.inventoryApplied, true);
    const after = await store.runtime.containers({ node: 'node-1' });
    assert.deepEqual(
      after.map((c) => [c.containerId, c.state, c.lastSeenAt]),
      [
        ['aaa', 'paused', 2000],
        ['ccc', 'running', 2000],
      ],
    );
    assert.equal(after[0]?.id, aaa?.id);

    // The same report again, and an older one: not applied, no events.
    for (const sentAt of [2000, 1500]) {
      const again = await store.runtime.report(report('node-1', sentAt, { containers: [] }));
      assert.deepEqual([again.duplicate, again.inventoryApplied, again.events.length], [true, false, 0], `${sentAt}`);
    }
    assert.equal((await store.runtime.containers({ node: 'node-1' })).length, 2);
    // A newer report without inventory moves the report time and keeps the containers.
    const beat = await store.runtime.report(report('node-1', 3000, { stats: { events: 7 } }));
    assert.deepEqual(
      [beat.duplicate, beat.inventoryApplied, beat.node.lastReportAt, beat.node.inventoryAt, beat.node.stats],
      [false, false, 3000, 2000, { events: 7 }],
    );
    assert.equal((await store.runtime.containers({ node: 'node-1' })).length, 2);
  });

  test('alerts and actions are appended once each, even when a report is re-sent', async () => {
    const { store } = await h.open();
    const alert = { key: 'k1', type: 'runtime.alert', subject: 'aaa', data: { ruleId: 'R1' } };
    const action = { key: 'k2', type: 'runtime.action', subject: 'aaa', data: { action: 'kill' } };
    const r1 = await store.runtime.report(report('node-a', 10, { events: [alert, action] }));
    assert.deepEqual(
      r1.events.map((e) => [e.type, e.subject, e.data]),
      [
        ['runtime.alert', 'aaa', { ruleId: 'R1' }],
        ['runtime.action', 'aaa', { action: 'kill' }],
      ],
    );
    // Re-sent with a later time and one more alert: only the new one is appended.
    const alert2 = { key: 'k3', type: 'runtime.alert', subject: 'node-a', data: { ruleId: 'R2' } };
    const r2 = await store.runtime.report(report('node-a', 20, { events: [alert, alert2, action] }));
    assert.deepEqual(
      r2.events.map((e) => e.data),
      [{ ruleId: 'R2' }],
    );
    // The same key on another node is another alert.
    const r3 = await store.runtime.report(report('node-b', 20, { events: [alert] }));
    assert.equal(r3.events.length, 1);
    const logged = await store.events.list({ type: 'runtime.alert' });
    assert.equal(logged.length, 3);
  });

  test('nodes and containers page by id; filters by node, image digest and image ID', async () => {
    const { store } = await h.open();
    const a = { imageId: digestOf('cfg-a'), imageDigest: digestOf('man-a') };
    const b = { imageId: digestOf('cfg-b') };
    for (let n = 0; n < 3; n++)
      await store.runtime.report(
        report(`n${n}`, 100, {
          containers: [runtimeContainer(`a${n}`, a), runtimeContainer(`b${n}`, b)],
        }),
      );
    const p1 = await store.runtime.nodes({ limit: 2 });
    assert.deepEqual(
      p1.map((n) => n.name),
      ['n0', 'n1'],
    );
    const p2 = await store.runtime.nodes({ afterId: p1[1]?.id ?? 0, limit: 2 });
    assert.deepEqual(
      p2.map((n) => n.name),
      ['n2'],
    );
    assert.equal((await store.runtime.node('n1'))?.containers, 2);
    assert.equal(await store.runtime.node('nope'), undefined);
    assert.deepEqual(
      (await store.runtime.containers({ imageDigest: a.imageDigest })).map((c) => c.containerId),
      ['a0', 'a1', 'a2'],
    );
    assert.deepEqual(
      (await store.runtime.containers({ imageDigest: b.imageId, node: 'n2' })).map((c) => c.containerId),
      ['b2'],
    );
    const all = await store.runtime.containers({ limit: 4 });
    const rest = await store.runtime.containers({ afterId: all[3]?.id ?? 0 });
    assert.equal(all.length + rest.length, 6);
  });

  test('running containers of the images with a finding, matched by manifest digest, image ID or config digest', async () => {
    const { store } = await h.open();
    const vulnerable = ['by-digest', 'by-id', 'by-config'].map((s) => digestOf(s));
    const config = digestOf('the-config');
    for (const [i, digest] of vulnerable.entries()) {
      await store.images.put({ digest, platform: 'linux/amd64', ...(i === 2 ? { configDigest: config } : {}) });
      await store.scans.record({
        imageDigest: digest,
        document: scanDocument({ vulns: [{ id: 'CVE-2024-0001', pkg: 'curl' }] }),
        packages: [debPackage('curl')],
      });
    }
    const clean = digestOf('clean');
    await store.images.put({ digest: clean });
    const [byDigest, byId, byConfig] = vulnerable as [string, string, string];
    await store.runtime.report(
      report('n1', 1, {
        containers: [
          runtimeContainer('c1', { imageId: digestOf('x'), imageDigest: byDigest }),
          runtimeContainer('c2', { imageId: digestOf('x'), imageDigest: byDigest }),
          runtimeContainer('c3', { imageId: byId }),
          runtimeContainer('c4', { imageId: byId }, { state: 'exited' }),
          runtimeContainer('c5', { imageId: clean }),
        ],
      }),
    );
    await store.runtime.report(
      report('n2', 1, {
        containers: [
          runtimeContainer('c1', { imageId: digestOf('x'), imageDigest: byDigest }),
          runtimeContainer('c6', { imageId: config }),
        ],
      }),
    );
    const ids = new Map<string, number>();
    for (const d of [...vulnerable, clean]) ids.set(d, (await store.images.get(d))?.id ?? 0);
    const per = await store.runtime.runningByImage([...ids.values()]);
    assert.deepEqual(per.get(ids.get(byDigest) ?? 0), { containers: 3, nodes: 2 });
    // The exited container does not count.
    assert.deepEqual(per.get(ids.get(byId) ?? 0), { containers: 1, nodes: 1 });
    assert.deepEqual(per.get(ids.get(byConfig) ?? 0), { containers: 1, nodes: 1 });
    assert.deepEqual(per.get(ids.get(clean) ?? 0), { containers: 1, nodes: 1 });
    assert.deepEqual(await store.runtime.runningWithFinding('CVE-2024-0001'), { containers: 5, nodes: 2 });
    assert.deepEqual(await store.runtime.runningWithFinding('CVE-1999-0000'), { containers: 0, nodes: 0 });
    assert.equal((await store.runtime.runningByImage([])).size, 0);
  });
}
