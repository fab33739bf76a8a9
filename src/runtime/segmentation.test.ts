import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { namespacesWithPolicies, proposeNetworkPolicies, workloadOf } from './segmentation.js';
import type { ContainerInfo, NodeInventory } from './types.js';

const container = (over: Partial<ContainerInfo>): ContainerInfo => ({
  runtime: 'docker',
  id: 'c',
  name: 'c',
  imageRef: 'i',
  imageId: 'sha256:i',
  imageDigests: [],
  state: 'running',
  labels: {},
  mounts: [],
  privileges: {
    privileged: false,
    capAdd: [],
    capDrop: [],
    hostPid: false,
    hostNetwork: false,
    hostIpc: false,
    hostUts: false,
    user: '',
    readOnlyRootfs: false,
  },
  networkMode: 'default',
  networks: [{ name: 'bridge' }],
  ...over,
});

test('workload names drop the ReplicaSet and pod hashes', () => {
  assert.equal(workloadOf('web-5d8f7c9b6-x2x4z'), 'web');
  assert.equal(workloadOf('db-0'), 'db-0');
  assert.equal(workloadOf('job-abcde'), 'job');
});

test('NetworkPolicy namespaces from a List or documents', () => {
  const got = namespacesWithPolicies([
    {
      kind: 'List',
      items: [
        { kind: 'NetworkPolicy', metadata: { namespace: 'a' } },
        { kind: 'Pod', metadata: { namespace: 'b' } },
      ],
    },
    { kind: 'NetworkPolicy', metadata: {} },
  ]);
  assert.deepEqual([...got].sort(), ['a', 'default']);
});

/** A node running `containers` and nothing else. */
const inventoryOf = (containers: ContainerInfo[]): NodeInventory => ({
  host: 'h',
  collectedAt: '',
  engines: [],
  notes: [],
  images: [],
  containers,
});

test('proposals: ingress from the accepted peers to their ports, only when some were learned', () => {
  const inv = inventoryOf([
    container({ labels: { app: 'shop' }, kubernetes: { namespace: 'ns', pod: 'shop-0' } }),
    container({ id: 'd', name: 'db', imageId: 'sha256:db', kubernetes: { namespace: 'ns', pod: 'db-0' } }),
  ]);
  const yaml = proposeNetworkPolicies(
    inv,
    {
      windowMs: 1,
      images: [
        {
          imageId: 'sha256:i',
          since: 0,
          execs: [],
          destinations: [],
          sources: ['10.0.0.9:8080', '10.0.0.9:8443', 'fd00::7:8080', '?:8080', '10.0.0.1:0'],
        },
        // Accepted nothing while learning: no ingress proposal (not "deny all").
        { imageId: 'sha256:db', since: 0, execs: [], destinations: [], sources: [] },
      ],
    },
    { dns: false },
  );
  const docs = yaml
    .split(/^---\n/m)
    .filter(Boolean)
    .map(
      (d) =>
        parse(d) as {
          metadata: { name: string };
          spec: { podSelector: unknown; policyTypes: string[]; ingress?: unknown[] };
        },
    );
  assert.deepEqual(
    docs.map((d) => d.metadata.name),
    ['customs-egress-db-0', 'customs-egress-shop-0', 'customs-ingress-shop-0'],
  );
  const ingress = docs[2];
  assert.deepEqual(ingress?.spec.podSelector, { matchLabels: { app: 'shop' } });
  assert.deepEqual(ingress?.spec.policyTypes, ['Ingress']);
  assert.deepEqual(ingress?.spec.ingress, [
    {
      from: [{ ipBlock: { cidr: '10.0.0.9/32' } }],
      ports: [
        { protocol: 'TCP', port: 8080 },
        { protocol: 'TCP', port: 8443 },
      ],
    },
    { from: [{ ipBlock: { cidr: 'fd00::7/128' } }], ports: [{ protocol: 'TCP', port: 8080 }] },
  ]);
});

test('proposals: IPv6 /128, app label as selector, bad destinations skipped, DNS optional', () => {
  const inv = inventoryOf([container({ labels: { app: 'shop' }, kubernetes: { namespace: 'ns', pod: 'shop-0' } })]);
  const yaml = proposeNetworkPolicies(
    inv,
    {
      windowMs: 1,
      images: [{ imageId: 'sha256:i', since: 0, execs: [], destinations: ['::1:443', '10.1.2.3:0', 'junk'] }],
    },
    { dns: false },
  );
  const doc = parse(yaml.replace(/^---\n/, '')) as { spec: { podSelector: unknown; egress: unknown[] } };
  assert.deepEqual(doc.spec.podSelector, { matchLabels: { app: 'shop' } });
  assert.deepEqual(doc.spec.egress, [
    { to: [{ ipBlock: { cidr: '::1/128' } }], ports: [{ protocol: 'TCP', port: 443 }] },
  ]);
});
