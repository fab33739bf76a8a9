/**
 * A runtime sensor reporting to `customs serve`, end to end without Docker:
 * a real server process, an image recorded through the API with its findings
 * (a CI gate's scan), and the sensor's own reporter (src/runtime
 * serverReporter, the code `customs sensor --server` runs) POSTing a report
 * built from a constructed node inventory. "Where is CVE-X" then counts the
 * running container; a POST refused (bad token) keeps the batch for the next.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { scanFixture } from '../../src/policy/test-support/scan-fixture.js';
import { renderScanJson } from '../../src/report/index.js';
import {
  type NodeInventory,
  type RuntimeAlert,
  type SensorStats,
  serverReporter,
  zeroSensorStats,
} from '../../src/runtime/index.js';
import { freshDir } from '../support/images.js';
import { api, type ServeProcess, startServe } from '../support/serve-process.js';

let work = '';
let server: ServeProcess | undefined;
before(async () => {
  work = await freshDir('runtime-report-e2e');
});
after(async () => {
  await server?.stop();
});

const stats: SensorStats = { ...zeroSensorStats(), lines: 10, events: 4, unattributed: 1, alerts: 1 };

test('the sensor’s reporter POSTs to customs serve; where is CVE-X counts the running container', async () => {
  server = await startServe(['--listen', '127.0.0.1:0', '--data-dir', join(work, 'data')]);
  const s = server;
  const admin = s.adminToken ?? '';
  assert.ok(admin, s.stderr());
  const ci = (await api(s.url, admin, 'POST', '/api/v1/tokens', { name: 'sensor-node-7', role: 'ci' })).body as {
    token: string;
  };
  // The image, recorded with its findings the way a CI gate records it.
  const scan = scanFixture();
  const recorded = await api(s.url, ci.token, 'POST', '/api/v1/verdicts', {
    scan: JSON.parse(renderScanJson(scan)) as unknown,
  });
  assert.equal(recorded.status, 200, JSON.stringify(recorded.body));
  const digest = scan.inventory.target.manifestDigest ?? '';
  const where = '/api/v1/vulnerabilities/CVE-2023-38545/images';
  const before = (await api(s.url, admin, 'GET', where)).body as { images: number; containers: number };
  assert.deepEqual([before.images, before.containers], [1, 0]);

  const container = {
    runtime: 'docker' as const,
    id: 'e2e0c0ffee'.padEnd(64, '0'),
    name: 'app-1',
    imageRef: 'registry.example.com/team/app:1.4.2',
    imageId: scan.inventory.target.configDigest ?? '',
    imageDigests: [...(scan.inventory.target.repoDigests ?? [])],
    state: 'running',
    pid: 4242,
    labels: { 'io.kubernetes.pod.name': 'app-1-abc', 'io.kubernetes.pod.namespace': 'shop' },
    kubernetes: { pod: 'app-1-abc', namespace: 'shop' },
    mounts: [],
    privileges: {
      privileged: false,
      capAdd: ['NET_ADMIN'],
      capDrop: [],
      hostPid: false,
      hostNetwork: false,
      hostIpc: false,
      hostUts: false,
      user: '',
      readOnlyRootfs: true,
    },
    networkMode: 'bridge',
    networks: [{ name: 'bridge', ipAddress: '172.17.0.5' }],
  };
  const inventory: NodeInventory = {
    host: 'node-7',
    collectedAt: new Date().toISOString(),
    engines: [{ runtime: 'docker', endpoint: 'unix:///var/run/docker.sock', version: '25.0' }],
    containers: [container],
    images: [
      {
        runtime: 'docker',
        id: container.imageId,
        repoTags: [container.imageRef],
        repoDigests: container.imageDigests,
        usage: 'active',
        containers: [container.id],
      },
    ],
    notes: [],
  };
  const alert: RuntimeAlert = {
    ruleId: 'CUS-RT-001',
    ruleName: 'shell-in-container',
    severity: 'high',
    title: 'A shell was spawned in a container',
    detail: '/bin/sh -c id',
    time: new Date().toISOString(),
    host: 'node-7',
    source: 'kernel',
    container: { id: container.id, name: container.name, imageId: container.imageId, imageRef: container.imageRef },
  };

  // A wrong token: the POST fails and the batch stays for the next flush.
  const refused = serverReporter(s.url, 'cst_not-a-token', 'node-7', () => new Date());
  refused.inventory(inventory);
  await assert.rejects(refused.flush(stats, []), /HTTP 401/);

  // The network fails once: the next flush sends the same batch (inventory and alert).
  let down = true;
  const flaky: typeof fetch = (input, init) =>
    down ? Promise.reject(new Error('connect ECONNREFUSED')) : fetch(input, init);
  const reporter = serverReporter(s.url, ci.token, 'node-7', () => new Date(), flaky);
  reporter.inventory(inventory);
  reporter.alert(alert);
  await assert.rejects(reporter.flush(stats, []), /ECONNREFUSED/);
  down = false;
  await reporter.flush(stats, [{ containerId: container.id, imageId: container.imageId, files: ['/usr/bin/curl'] }]);
  // A later flush without inventory keeps the node's containers.
  await new Promise((r) => setTimeout(r, 5));
  await reporter.flush(stats, []);

  const spread = (await api(s.url, admin, 'GET', where)).body as {
    images: number;
    containers: number;
    nodes: number;
    items: { digest: string; running: { containers: number; nodes: number } }[];
  };
  assert.deepEqual(
    [spread.images, spread.containers, spread.nodes, spread.items.map((i) => [i.digest, i.running])],
    [1, 1, 1, [[digest, { containers: 1, nodes: 1 }]]],
  );
  const nodes = (await api(s.url, admin, 'GET', '/api/v1/runtime/nodes')).body as {
    items: { name: string; containers: number; running: number; stats: SensorStats }[];
  };
  assert.deepEqual(
    nodes.items.map((n) => [n.name, n.containers, n.running, n.stats.events]),
    [['node-7', 1, 1, 4]],
  );
  const containers = (await api(s.url, admin, 'GET', `/api/v1/runtime/containers?image=${digest}`)).body as {
    items: { containerId: string; kubernetesNamespace: string; kubernetesPod: string; privileges: unknown }[];
  };
  assert.deepEqual(
    containers.items.map((c) => [c.containerId, c.kubernetesNamespace, c.kubernetesPod]),
    [[container.id, 'shop', 'app-1-abc']],
  );
  // The alert is in the event log once; the sensor's POSTs are in the audit log under its token.
  const events = (await api(s.url, admin, 'GET', '/api/v1/events?type=runtime.alert')).body as {
    items: { subject: string }[];
  };
  assert.deepEqual(
    events.items.map((e) => e.subject),
    [container.id],
  );
  const audit = (await api(s.url, admin, 'GET', '/api/v1/audit?actor=sensor-node-7')).body as {
    items: { action: string }[];
  };
  assert.equal(audit.items.filter((a) => a.action === 'POST /api/v1/runtime/reports').length, 2);
});
