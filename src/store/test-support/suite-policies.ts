import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../../core/index.js';
import type { Harness } from './harness.js';
import { digestOf } from './scan-docs.js';

const code = (c: string) => (e: unknown) => e instanceof CustomsError && e.code === c;
const DAY = 86_400_000;

export function policySuite(h: Harness): void {
  test('policies: a changed body is a new revision, the same body is not', async () => {
    const { store, clock } = await h.open();
    const body = 'apiVersion: customs/v1\nrules: []\n';
    const p1 = await store.policies.put({ name: 'prod', body, updatedBy: 'alice' });
    assert.equal(p1.revision, 1);
    clock.advance(1000);
    const same = await store.policies.put({ name: 'prod', body, updatedBy: 'bob' });
    assert.deepEqual(same, p1);
    const p2 = await store.policies.put({ name: 'prod', body: `${body}# stricter\n`, updatedBy: 'bob' });
    assert.deepEqual([p2.revision, p2.updatedBy, p2.updatedAt, p2.createdAt], [2, 'bob', clock.now(), p1.createdAt]);
    await store.policies.put({ name: 'dev', body, updatedBy: 'alice' });
    assert.deepEqual(
      (await store.policies.list()).map((p) => p.name),
      ['dev', 'prod'],
    );
    assert.equal(await store.policies.remove('dev'), true);
    assert.equal(await store.policies.get('dev'), undefined);
  });

  test('exceptions apply once approved, until they expire or are revoked', async () => {
    const { store, clock } = await h.open();
    await store.policies.put({ name: 'prod', body: 'rules: []', updatedBy: 'alice' });
    await store.policies.put({ name: 'dev', body: 'rules: []', updatedBy: 'alice' });
    const base = { owner: 'team-a', reason: 'no fix upstream', createdBy: 'alice' };
    const e1 = await store.policies.addException({
      ...base,
      policy: 'prod',
      finding: 'CVE-2024-1',
      scope: 'team/*',
      expiresAt: clock.now() + 7 * DAY,
    });
    const e2 = await store.policies.addException({
      ...base,
      finding: 'CVE-2024-2',
      scope: '*',
      expiresAt: clock.now() + DAY,
    });
    const e3 = await store.policies.addException({
      ...base,
      policy: 'dev',
      finding: 'CVE-2024-3',
      scope: digestOf('x'),
      expiresAt: clock.now() + DAY,
    });
    assert.deepEqual(await store.policies.activeExceptions(), []);
    const approved = await store.policies.approveException(e1.id, 'carol');
    assert.deepEqual([approved.approvedBy, approved.approvedAt, approved.policy], ['carol', clock.now(), 'prod']);
    await store.policies.approveException(e2.id, 'carol');
    await store.policies.approveException(e3.id, 'carol');
    await assert.rejects(store.policies.approveException(e1.id, 'dave'), code('STORE_CONFLICT'));
    await assert.rejects(store.policies.approveException(9999, 'dave'), code('USAGE_BAD_ARGUMENT'));
    const ids = async (opts?: { policy?: string; at?: number }) =>
      (await store.policies.activeExceptions(opts)).map((e) => e.id);
    assert.deepEqual(await ids(), [e1.id, e2.id, e3.id]);
    // For one policy: its own and the global ones.
    assert.deepEqual(await ids({ policy: 'prod' }), [e1.id, e2.id]);
    clock.advance(DAY);
    assert.deepEqual(await ids(), [e1.id], 'an exception is gone at its expiry instant');
    assert.deepEqual(await ids({ at: clock.now() - 1 }), [e1.id, e2.id, e3.id]);
    assert.equal(await store.policies.revokeException(e1.id), true);
    assert.equal(await store.policies.revokeException(e1.id), false);
    assert.deepEqual(await ids(), []);
    await assert.rejects(store.policies.approveException(e1.id, 'x'), code('STORE_CONFLICT'));
    const all = await store.policies.exceptions();
    assert.deepEqual(
      all.map((e) => [e.finding, e.owner, e.reason, e.revokedAt !== undefined]),
      [
        ['CVE-2024-1', 'team-a', 'no fix upstream', true],
        ['CVE-2024-2', 'team-a', 'no fix upstream', false],
        ['CVE-2024-3', 'team-a', 'no fix upstream', false],
      ],
    );
    await assert.rejects(
      store.policies.addException({ ...base, policy: 'nope', finding: 'x', scope: '*', expiresAt: clock.now() }),
      code('USAGE_BAD_ARGUMENT'),
    );
  });

  test('verdicts: newest first, the latest per image', async () => {
    const { store, clock } = await h.open();
    const image = digestOf('v');
    const v1 = await store.verdicts.record({
      imageDigest: image,
      status: 'fail',
      policy: 'prod',
      document: { status: 'fail', rules: [{ id: 'r1' }] },
    });
    clock.advance(10);
    const v2 = await store.verdicts.record({
      imageDigest: image,
      status: 'pass',
      document: { status: 'pass', rules: [] },
    });
    assert.deepEqual(await store.verdicts.latest(image), v2);
    assert.deepEqual(await store.verdicts.list(image), [v2, v1]);
    assert.deepEqual(v1.document, { status: 'fail', rules: [{ id: 'r1' }] });
    assert.equal(await store.verdicts.latest(digestOf('none')), undefined);
  });
}
