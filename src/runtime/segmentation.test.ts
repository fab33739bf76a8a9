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

test('proposals: IPv6 /128, app label as selector, bad destinations skipped, DNS optional', () => {
  const inv: NodeInventory = {
    host: 'h',
    collectedAt: '',
    engines: [],
    notes: [],
    images: [],
    containers: [container({ labels: { app: 'shop' }, kubernetes: { namespace: 'ns', pod: 'shop-0' } })],
  };
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
