import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerdContainerOf, parseImages, parseTasks } from './containerd-inventory.js';
import { containerInfoOf, kubernetesIdentity } from './docker-inventory.js';
import { grid } from './inventory.js';

test('containerInfoOf reads privileges, host namespaces, mounts and networks from an inspect document', () => {
  const c = containerInfoOf(
    {
      Id: 'abc',
      Name: '/web',
      Image: 'sha256:1',
      Config: { Image: 'shop/web:1', Labels: { 'io.kubernetes.pod.name': 'web-0', z: 'y', n: 3 }, User: '1000' },
      State: { Status: 'running', Pid: 42 },
      HostConfig: { Privileged: true, CapAdd: ['SYS_ADMIN'], PidMode: 'host', IpcMode: 'private', NetworkMode: 'shop' },
      Mounts: [
        { Type: 'volume', Source: '/v', Destination: '/z', RW: true },
        { Type: 'bind', Source: '/var/run/docker.sock', Destination: '/a', RW: false },
      ],
      NetworkSettings: { Networks: { shop: { IPAddress: '10.0.0.2' }, back: {} } },
    },
    ['shop/web@sha256:2'],
  );
  assert.equal(c.name, 'web');
  assert.equal(c.pid, 42);
  assert.deepEqual(c.labels, { 'io.kubernetes.pod.name': 'web-0', z: 'y' });
  assert.deepEqual(c.kubernetes, { pod: 'web-0' });
  assert.equal(c.privileges.privileged, true);
  assert.equal(c.privileges.hostPid, true);
  assert.equal(c.privileges.hostIpc, false);
  assert.equal(c.privileges.hostNetwork, false);
  assert.equal(c.privileges.user, '1000');
  assert.deepEqual(
    c.mounts.map((m) => m.destination),
    ['/a', '/z'],
  );
  assert.deepEqual(c.networks, [{ name: 'back' }, { name: 'shop', ipAddress: '10.0.0.2' }]);
  assert.deepEqual(c.imageDigests, ['shop/web@sha256:2']);
});

test('a document missing every field still gives a container, with empty facts', () => {
  const c = containerInfoOf({ Config: 'nonsense', HostConfig: [], Mounts: {} }, []);
  assert.equal(c.state, 'unknown');
  assert.equal(c.networkMode, 'default');
  assert.deepEqual(c.mounts, []);
  assert.equal(kubernetesIdentity({}), undefined);
});

test('ctr text columns: tasks and images', () => {
  const tasks = parseTasks('TASK    PID    STATUS\nweb     1234   RUNNING\nbad\n');
  assert.deepEqual([...tasks], [['web', { pid: 1234, status: 'running' }]]);
  const images = parseImages(
    `REF TYPE DIGEST SIZE PLATFORMS LABELS\ndocker.io/library/a:1 application/x sha256:${'a'.repeat(64)} 1 MiB linux/amd64 -\nx y notadigest\n`,
  );
  assert.deepEqual([...images], [['docker.io/library/a:1', `sha256:${'a'.repeat(64)}`]]);
});

test('a containerd spec without a network namespace shares the host network', () => {
  const c = containerdContainerOf(
    'k8s.io',
    {
      ID: 'c1',
      Image: 'docker.io/a:1',
      Labels: { 'io.kubernetes.container.name': 'app' },
      Spec: { linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }] }, process: { user: { uid: 0 } } },
    },
    { pid: 7, status: 'running' },
    'sha256:d',
  );
  assert.equal(c.name, 'app');
  assert.equal(c.privileges.hostNetwork, true);
  assert.equal(c.privileges.hostPid, false);
  assert.equal(c.privileges.hostIpc, true);
  assert.equal(c.state, 'running');
  assert.deepEqual(c.imageDigests, ['docker.io/a:1@sha256:d']);
});

test('grid pads every column but the last', () => {
  assert.equal(
    grid([
      ['a', 'bb'],
      ['ccc', 'd'],
    ]),
    'a    bb\nccc  d\n',
  );
});
