import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Attribution, type RunningContainer } from './attribution.js';
import type { KernelEvent } from './events.js';

const ev = (pid: number, mntns: number): KernelEvent => ({
  type: 'exec',
  ns: 0,
  pid,
  uid: 0,
  mntns,
  cgroup: 0,
  comm: 'x',
});

test('attribution: by the mount namespace of a container PID, else by the cgroup path of a new container', async (t) => {
  const proc = await mkdtemp(join(tmpdir(), 'customs-proc-'));
  t.after(() => rm(proc, { recursive: true, force: true }));
  await mkdir(join(proc, '100', 'ns'), { recursive: true });
  await symlink('mnt:[5001]', join(proc, '100', 'ns', 'mnt'));
  const idB = 'b'.repeat(64);
  await mkdir(join(proc, '200'), { recursive: true });
  await writeFile(join(proc, '200', 'cgroup'), `12:pids:/docker/${idB}\n0::/\n`);
  const a: RunningContainer = { id: 'a'.repeat(64), name: 'a', imageId: 'sha256:a', imageRef: 'a', pid: 100 };
  const b: RunningContainer = { id: idB, name: 'b', imageId: 'sha256:b', imageRef: 'b' };
  let listed: RunningContainer[] = [a];
  let lists = 0;
  const attr = new Attribution(
    async () => {
      lists++;
      return listed;
    },
    proc,
    60_000,
  );
  await attr.refresh();
  assert.equal(attr.resolveKnown(ev(100, 5001))?.name, 'a');
  // B started after the last look: its cgroup path names it, the list is read again.
  listed = [a, b];
  assert.equal((await attr.resolve(ev(200, 6000)))?.name, 'b');
  assert.equal(attr.resolveKnown(ev(999, 6000))?.name, 'b', 'its namespace is remembered');
  // A host process (no container ID in its cgroup) is not looked up again within refreshMs.
  const before = lists;
  assert.equal(await attr.resolve(ev(300, 7000)), undefined);
  assert.equal(await attr.resolve(ev(300, 7000)), undefined);
  assert.equal(lists, before);
});

test("attribution: a stopped container's namespace number taken by another namespace is not its", async (t) => {
  const proc = await mkdtemp(join(tmpdir(), 'customs-proc-'));
  t.after(() => rm(proc, { recursive: true, force: true }));
  await mkdir(join(proc, '100', 'ns'), { recursive: true });
  await symlink('mnt:[5001]', join(proc, '100', 'ns', 'mnt'));
  const idA = 'a'.repeat(64);
  const idOther = 'c'.repeat(64);
  // A task of A that reports another cgroup ID, and a task of an unwatched container whose new namespace
  // took A's inode number after A stopped.
  await mkdir(join(proc, '101'), { recursive: true });
  await writeFile(join(proc, '101', 'cgroup'), `0::/system.slice/docker-${idA}.scope\n`);
  await mkdir(join(proc, '300'), { recursive: true });
  await writeFile(join(proc, '300', 'cgroup'), `0::/system.slice/docker-${idOther}.scope\n`);
  const a: RunningContainer = { id: idA, name: 'a', imageId: 'sha256:a', imageRef: 'a', pid: 100 };
  let listed: RunningContainer[] = [a];
  const attr = new Attribution(async () => listed, proc, 60_000);
  await attr.refresh();
  const at = (pid: number, cgroup: number): KernelEvent => ({ ...ev(pid, 5001), cgroup });
  assert.equal(attr.resolveKnown(at(100, 41))?.name, 'a');
  assert.equal(attr.resolveKnown(at(100, 41))?.name, 'a');
  // Another cgroup in A's namespace: looked up by its cgroup path, then known.
  assert.equal(attr.resolveKnown(at(101, 42)), undefined);
  assert.equal((await attr.resolve(at(101, 42)))?.name, 'a');
  assert.equal(attr.resolveKnown(at(101, 42))?.name, 'a');
  // A stops; the next namespace created gets 5001: its events are not A's.
  listed = [];
  assert.equal(attr.resolveKnown(at(300, 77)), undefined);
  assert.equal(await attr.resolve(at(300, 77)), undefined);
  assert.equal(attr.resolveKnown(at(300, 77)), undefined);
  // One cgroup ID for every task (a cgroup v1 host): the namespace alone decides, as before.
  const v1 = new Attribution(async () => [a], proc, 60_000);
  await v1.refresh();
  assert.equal(v1.resolveKnown(at(100, 1))?.name, 'a');
  assert.equal(v1.resolveKnown(at(555, 1))?.name, 'a');
});

test("attribution: once a container's main process has left its namespace, the namespace number is no longer its", async (t) => {
  const proc = await mkdtemp(join(tmpdir(), 'customs-proc-'));
  t.after(() => rm(proc, { recursive: true, force: true }));
  await mkdir(join(proc, '100', 'ns'), { recursive: true });
  await symlink('mnt:[5001]', join(proc, '100', 'ns', 'mnt'));
  const a: RunningContainer = { id: 'a'.repeat(64), name: 'a', imageId: 'sha256:a', imageRef: 'a', pid: 100 };
  let listed: RunningContainer[] = [a];
  // A refresh interval longer than the test: only the namespace check can tell.
  const attr = new Attribution(async () => listed, proc, 60_000);
  await attr.refresh();
  assert.equal(attr.resolveKnown(ev(300, 5001))?.name, 'a');
  // A is killed (its PID is gone) and another container's new namespace takes 5001; its short-lived
  // task (no /proc entry left to read) writes under /etc.
  await rm(join(proc, '100'), { recursive: true });
  listed = [];
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(attr.resolveKnown(ev(301, 5001)), undefined);
  assert.equal(await attr.resolve(ev(301, 5001)), undefined, 'not attributed to the stopped container');
});
