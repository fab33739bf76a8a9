/**
 * Sensitivity grouping and NetworkPolicy proposals on real containers: labels
 * mixed on the node, unbounded network access, and egress learned by the sensor
 * turned into a NetworkPolicy kubectl accepts.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { SegmentationReport } from '../../src/runtime/index.js';
import { testContainers } from '../support/containers.js';
import { discoveryStub } from '../../src/admission/test-support/kubectl.js';
import { freshDir, run, runCustoms } from '../support/images.js';
import { sensorTail, startSensor } from '../support/sensor-process.js';

test('segmentation reports mixed sensitivity levels and unbounded network access; netpol proposes the observed egress and ingress', {
  timeout: 150_000,
}, async (t) => {
  const tc = await testContainers();
  t.after(() => tc.cleanup());
  const dir = await freshDir('sensor-segmentation');
  const ns = `pay-${tc.name('n').slice(-8)}`;
  const pod = 'api-5d8f7c9b6-x2x4z';
  const high = await tc.start([
    '--name',
    tc.name('high'),
    '-l',
    'customs.io/sensitivity=high',
    '-l',
    `io.kubernetes.pod.namespace=${ns}`,
    '-l',
    `io.kubernetes.pod.name=${pod}`,
  ]);
  await tc.start(['--name', tc.name('low'), '-l', 'customs.io/sensitivity=low', '--network', 'host']);
  await tc.start(['--name', tc.name('none'), '--network', 'none']);

  const r = await runCustoms(['sensor', 'segmentation', '-f', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const rep = JSON.parse(r.stdout) as SegmentationReport;
  assert.equal(rep.mixed, true);
  assert.ok(rep.levels.high?.includes(`${ns}/${pod}/${tc.name('high')}`));
  assert.ok(rep.levels.low?.includes(tc.name('low')));
  assert.ok(rep.unlabelled.includes(tc.name('none')));
  const reason = (c: string) => rep.unbounded.find((u) => u.container === c)?.reason;
  assert.equal(reason(tc.name('low')), "shares the host's network namespace");
  assert.equal(reason(`${ns}/${pod}/${tc.name('high')}`), `no NetworkPolicy in namespace ${ns}`);
  assert.equal(reason(tc.name('none')), undefined, 'no network, nothing unbounded');
  // With a NetworkPolicy in its namespace the pod is bounded.
  const np = join(dir, 'np.yaml');
  await writeFile(
    np,
    `apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata: {name: deny, namespace: ${ns}}\n  spec: {podSelector: {}}\n`,
  );
  const bounded = JSON.parse(
    (await runCustoms(['sensor', 'segmentation', '-f', 'json', '--network-policies', np])).stdout,
  ) as SegmentationReport;
  assert.equal(
    bounded.unbounded.find((u) => u.container.startsWith(`${ns}/`)),
    undefined,
  );

  // Learn: the pod connects to two loopback ports (a SYN is sent even when nothing listens).
  const baseline = join(dir, 'baseline.json');
  const sensor = await startSensor(['--window', '1h', '--baseline', baseline, '--duration', '120s']);
  await tc.exec(high, "bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' ; bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379'; true");
  // … and accepts one connection on port 7070 (the peer is itself, on loopback).
  await tc.exec(
    high,
    `perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:7070", ReuseAddr => 1) or die; if (!fork) { IO::Socket::INET->new("127.0.0.1:7070") or die; sleep 1; exit 0 } $c = $s->accept or die; wait'`,
  );
  await new Promise((res) => setTimeout(res, 1500));
  assert.equal(await sensor.stop(), 0, sensorTail(sensor.logs));

  const out = await runCustoms(['sensor', 'netpol', '--from', baseline]);
  assert.equal(out.code, 0, out.stderr);
  interface Policy {
    kind: string;
    metadata: { name: string; namespace: string };
    spec: {
      podSelector: unknown;
      policyTypes: string[];
      egress: { to?: unknown; ports: { port: number }[] }[];
      ingress?: { from: unknown; ports: { port: number }[] }[];
    };
  }
  const docs = parseAllDocuments(out.stdout).map((d) => d.toJS() as Policy);
  const mine = docs.filter((d) => d.metadata?.namespace === ns);
  assert.deepEqual(
    mine.map((d) => d.metadata.name),
    ['customs-egress-api', 'customs-ingress-api'],
    out.stdout,
  );
  const ingress = mine[1] as Policy;
  assert.deepEqual(ingress.spec.podSelector, { matchLabels: { 'customs.io/workload': 'api' } });
  assert.deepEqual(ingress.spec.policyTypes, ['Ingress']);
  assert.deepEqual(ingress.spec.ingress, [
    { from: [{ ipBlock: { cidr: '127.0.0.1/32' } }], ports: [{ protocol: 'TCP', port: 7070 }] },
  ]);
  const p = mine[0] as Policy;
  assert.equal(p.kind, 'NetworkPolicy');
  assert.equal(p.metadata.name, 'customs-egress-api');
  assert.deepEqual(p.spec.podSelector, { matchLabels: { 'customs.io/workload': 'api' } });
  assert.deepEqual(p.spec.policyTypes, ['Egress']);
  assert.deepEqual(p.spec.egress[0], {
    to: [{ ipBlock: { cidr: '127.0.0.1/32' } }],
    ports: [
      { protocol: 'TCP', port: 5432 },
      { protocol: 'TCP', port: 6379 },
      // The pod's own connection to its listener.
      { protocol: 'TCP', port: 7070 },
    ],
  });
  assert.deepEqual(
    p.spec.egress[1]?.ports.map((x) => x.port),
    [53, 53],
  );
  assert.match(p.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);

  const api = await discoveryStub();
  const k = await run('kubectl', ['--server', api.url, 'apply', '--dry-run=client', '--validate=false', '-f', '-'], {
    input: out.stdout,
    allowFailure: true,
  });
  assert.equal(k.code, 0, k.stderr);
  assert.match(k.stdout, /networkpolicy.networking.k8s.io\/customs-egress-api created \(dry run\)/);
  assert.match(k.stdout, /networkpolicy.networking.k8s.io\/customs-ingress-api created \(dry run\)/);
});
