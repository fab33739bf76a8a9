import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openNodeTree, parseFlags } from './node-files.js';

test('paths and symlinks of a node tree never leave its root', async () => {
  const root = await mkdtemp(join(tmpdir(), 'customs-tree-'));
  const outside = await mkdtemp(join(tmpdir(), 'customs-outside-'));
  try {
    await writeFile(join(outside, 'secret'), 'outside the tree');
    await mkdir(join(root, 'etc/kubernetes'), { recursive: true });
    await writeFile(join(root, 'etc/kubernetes/real.conf'), 'inside');
    // An absolute link resolves against the tree's root, a ".." chain stops at it.
    await symlink(join(outside, 'secret'), join(root, 'etc/kubernetes/abs.conf'));
    await symlink(`../../../../../../../..${join(outside, 'secret')}`, join(root, 'etc/kubernetes/rel.conf'));
    await symlink('/etc/kubernetes/real.conf', join(root, 'etc/kubernetes/kubelet.conf'));
    const t = await openNodeTree(root);
    assert.equal(await t.text('/etc/kubernetes/kubelet.conf'), 'inside');
    assert.equal(await t.text('/etc/kubernetes/abs.conf'), undefined);
    assert.equal(await t.text('/etc/kubernetes/rel.conf'), undefined);
    assert.equal(await t.text(`/../../../../${join(outside, 'secret')}`), undefined);
    assert.equal((await t.stat('/etc/kubernetes/abs.conf')).exists, false);
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  }
});

test('flags: --a=b, --a b, bare --a, last one wins', () => {
  const f = parseFlags([
    'kube-apiserver',
    '--profiling=false',
    '--audit-log-path',
    '/var/log/a',
    '--v',
    '--profiling=true',
  ]);
  assert.equal(f.get('profiling'), 'true');
  assert.equal(f.get('audit-log-path'), '/var/log/a');
  assert.equal(f.get('v'), 'true');
  assert.equal(f.has('kube-apiserver'), false);
});
