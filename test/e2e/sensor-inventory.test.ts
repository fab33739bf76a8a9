/**
 * `customs sensor inventory` against the real Docker Engine and containerd of
 * this machine: containers started here appear with their fields, images are
 * active or dormant as their use says.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerInfo, ImageInfo, NodeInventory } from '../../src/runtime/index.js';
import { testContainers } from '../support/containers.js';
import { imageId, run, runCustoms } from '../support/images.js';

const CTR_SOCKET = '/run/docker/containerd/containerd.sock';

test('sensor inventory lists the running and stopped containers and the images of this node', {
  timeout: 120_000,
}, async (t) => {
  const tc = await testContainers();
  t.after(() => tc.cleanup());
  const runningName = tc.name('running');
  const stoppedName = tc.name('stopped');
  const running = await tc.start([
    '--name',
    runningName,
    '--cap-add',
    'NET_ADMIN',
    '--pid',
    'host',
    '--network',
    'host',
    '-l',
    'io.kubernetes.pod.name=web-0',
    '-l',
    'io.kubernetes.pod.namespace=shop',
    '-v',
    '/tmp:/host-tmp:ro',
  ]);
  const stopped = await tc.start(['--name', stoppedName], tc.base, ['true']);
  await run('docker', ['wait', stopped]);
  const dormant = await tc.build(`FROM $BASE\nLABEL customs.test=dormant-${stoppedName}\n`);
  const dormantId = await imageId(dormant);
  const baseId = await imageId(tc.base);

  const r = await runCustoms(['sensor', 'inventory', '-f', 'json', '--containerd', 'none']);
  assert.equal(r.code, 0, r.stderr);
  const inv = JSON.parse(r.stdout) as NodeInventory;
  const byName = (n: string): ContainerInfo => {
    const c = inv.containers.find((x) => x.name === n);
    assert.ok(c, `${n} is listed`);
    return c;
  };
  const a = byName(runningName);
  assert.equal(a.id, running);
  assert.equal(a.runtime, 'docker');
  assert.equal(a.state, 'running');
  assert.equal(a.imageRef, tc.base);
  assert.equal(a.imageId, baseId);
  assert.ok((a.pid ?? 0) > 0);
  assert.deepEqual(a.kubernetes, { pod: 'web-0', namespace: 'shop' });
  assert.deepEqual(a.privileges.capAdd, ['CAP_NET_ADMIN']);
  assert.equal(a.privileges.hostPid, true);
  assert.equal(a.privileges.hostNetwork, true);
  assert.equal(a.privileges.privileged, false);
  assert.deepEqual(a.mounts, [{ type: 'bind', source: '/tmp', destination: '/host-tmp', readWrite: false }]);
  assert.deepEqual(
    a.networks.map((n) => n.name),
    ['host'],
  );
  const b = byName(stoppedName);
  assert.equal(b.id, stopped);
  assert.equal(b.state, 'exited');
  assert.equal(b.pid, undefined);
  assert.equal(b.privileges.hostPid, false);

  const image = (id: string): ImageInfo => {
    const i = inv.images.find((x) => x.id === id);
    assert.ok(i, `${id} is listed`);
    return i;
  };
  assert.equal(image(baseId).usage, 'active');
  assert.ok(image(baseId).containers.includes(running) && image(baseId).containers.includes(stopped));
  assert.equal(image(dormantId).usage, 'dormant');
  assert.deepEqual(image(dormantId).repoTags, [`${dormant}:latest`]);

  const table = await runCustoms(['sensor', 'inventory', '--containerd', 'none']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, new RegExp(`${running.slice(0, 12)}\\s+${runningName}\\s+running`));
  assert.match(table.stdout, new RegExp(`${dormantId.slice(7, 19)}\\s+dormant`));
});

test('sensor inventory reads containerd namespaces through ctr', { timeout: 120_000 }, async (t) => {
  const tc = await testContainers();
  const ns = `${tc.name('ns')}`;
  const ctr = (args: readonly string[], input?: string) =>
    run('ctr', ['--address', CTR_SOCKET, '-n', ns, ...args], input === undefined ? {} : { input });
  t.after(async () => {
    await ctr(['containers', 'rm', 'app'], undefined).catch(() => {});
    await ctr(['images', 'rm', `docker.io/${tc.base}`]).catch(() => {});
    // containerd removes an image's content by garbage collection, after the call returns:
    // the namespace can be removed once that has run.
    for (let i = 0; i < 10; i++) {
      const { stdout } = await run('ctr', ['--address', CTR_SOCKET, 'namespaces', 'ls', '-q']);
      if (!stdout.split('\n').includes(ns)) break;
      await run('ctr', ['--address', CTR_SOCKET, 'namespaces', 'rm', ns], { allowFailure: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  });
  await run('sh', ['-c', `docker save ${tc.base} | ctr --address ${CTR_SOCKET} -n ${ns} images import --no-unpack -`]);
  await ctr(['containers', 'create', '--label', 'io.kubernetes.pod.namespace=batch', `docker.io/${tc.base}`, 'app']);

  const r = await runCustoms(['sensor', 'inventory', '-f', 'json', '--containerd', CTR_SOCKET]);
  assert.equal(r.code, 0, r.stderr);
  const inv = JSON.parse(r.stdout) as NodeInventory;
  assert.ok(inv.engines.some((e) => e.runtime === 'containerd' && e.namespaces?.includes(ns)));
  const c = inv.containers.find((x) => x.runtime === 'containerd' && x.namespace === ns);
  assert.ok(c, 'the containerd container is listed');
  assert.equal(c.id, 'app');
  assert.equal(c.state, 'created');
  assert.equal(c.imageRef, `docker.io/${tc.base}`);
  assert.match(c.imageId, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(c.kubernetes, { namespace: 'batch' });
  const img = inv.images.find((i) => i.namespace === ns);
  assert.equal(img?.usage, 'active');
  // Docker's own namespace is read from the Docker Engine, not twice.
  assert.ok(!inv.containers.some((x) => x.runtime === 'containerd' && x.namespace === 'moby'));
});
