import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { CustomsError } from '../../core/index.js';
import { appendEvent } from '../events.js';
import type { TokenRole } from '../types.js';
import type { Harness } from './harness.js';

export function logsSuite(h: Harness): void {
  test('events are read by cursor, oldest first, optionally by type', async () => {
    const { store } = await h.open();
    const appended = [];
    for (let i = 0; i < 7; i++) {
      appended.push(await store.events.append({ type: i % 2 ? 'a.odd' : 'a.even', subject: `s${i}`, data: { i } }));
    }
    const page1 = await store.events.list({ limit: 3 });
    assert.deepEqual(page1, appended.slice(0, 3));
    const page2 = await store.events.list({ afterId: page1.at(-1)?.id ?? 0, limit: 3 });
    assert.deepEqual(page2, appended.slice(3, 6));
    assert.deepEqual(
      (await store.events.list({ type: 'a.odd' })).map((e) => e.data),
      [{ i: 1 }, { i: 3 }, { i: 5 }],
    );
  });

  test('events commit in id order: an append waits while an earlier one is uncommitted', async () => {
    const first = await h.open();
    // PostgreSQL: another pool, as another server process would be; SQLite: the one store of this process.
    const second = h.dialect === 'postgres' ? await h.open({ target: first.target }) : first;
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let appendedFirst = 0;
    const slow = first.backend.write(async (trx) => {
      appendedFirst = (await appendEvent(trx, first.backend.dialect, 0, { type: 't', subject: 'slow', data: null })).id;
      await gate;
    });
    while (appendedFirst === 0) await new Promise((r) => setTimeout(r, 10));
    let settled = false;
    const fast = second.store.events.append({ type: 't', subject: 'fast', data: null }).finally(() => {
      settled = true;
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(
        settled,
        false,
        'a later event committed while an earlier one was open: a cursor reader would skip it',
      );
    } finally {
      release();
      await slow;
    }
    const appended = await fast;
    assert.ok(appended.id > appendedFirst);
    assert.deepEqual(
      (await first.store.events.list()).map((e) => e.subject),
      ['slow', 'fast'],
    );
  });

  test('API tokens: only the SHA-256 is stored; revoked, expired and unknown tokens do not verify', async () => {
    const { store, backend, clock } = await h.open();
    const issued = await store.tokens.issue({
      name: 'ci-main',
      role: 'ci',
      createdBy: 'alice',
      expiresAt: clock.now() + 1000,
    });
    assert.match(issued.token, /^cst_[A-Za-z0-9_-]{43}$/);
    const rows = await backend.db.selectFrom('api_tokens').selectAll().execute();
    assert.equal(rows[0]?.token_hash, createHash('sha256').update(issued.token).digest('hex'));
    assert.equal(JSON.stringify(rows).includes(issued.token.slice(4)), false);

    clock.advance(10);
    const verified = await store.tokens.verify(issued.token);
    assert.deepEqual([verified?.id, verified?.role, verified?.lastUsedAt], [issued.record.id, 'ci', clock.now()]);
    // Use is recorded once a minute at most.
    clock.advance(30);
    assert.equal((await store.tokens.verify(issued.token))?.lastUsedAt, clock.now() - 30);
    const altered = `${issued.token.slice(0, -1)}${issued.token.endsWith('A') ? 'B' : 'A'}`;
    assert.equal(await store.tokens.verify(altered), undefined);
    assert.equal(await store.tokens.verify(issued.token.slice(4)), undefined);
    clock.advance(1000);
    assert.equal(await store.tokens.verify(issued.token), undefined, 'expired');

    const admin = await store.tokens.issue({ name: 'admin', role: 'admin', createdBy: 'alice' });
    assert.equal((await store.tokens.verify(admin.token))?.role, 'admin');
    assert.equal(await store.tokens.revoke(admin.record.id), true);
    assert.equal(await store.tokens.verify(admin.token), undefined, 'revoked');
    assert.deepEqual(
      (await store.tokens.list()).map((t) => [t.name, t.revokedAt !== undefined]),
      [
        ['ci-main', false],
        ['admin', true],
      ],
    );
    await assert.rejects(
      store.tokens.issue({ name: 'x', role: 'root' as TokenRole, createdBy: 'alice' }),
      (e: unknown) => e instanceof CustomsError && e.code === 'USAGE_BAD_ARGUMENT',
    );
    // The table refuses other roles too (CHECK constraint), whatever writes to it.
    await assert.rejects(
      backend.db
        .insertInto('api_tokens')
        .values({ name: 'x', role: 'root', token_hash: 'x', created_by: 'x', created_at: 0 })
        .execute(),
    );
  });

  test('audit log: who, what, on what, when and from where, filtered by actor', async () => {
    const { store, clock } = await h.open();
    const a = await store.audit.append({
      actor: 'alice',
      action: 'registry.add',
      target: 'ghcr',
      source: '10.0.0.5 curl/8',
      detail: { url: 'https://ghcr.io' },
    });
    clock.advance(5);
    const b = await store.audit.append({
      actor: 'ci-main',
      action: 'scan.submit',
      target: 'sha256:abc',
      source: '10.0.0.9',
    });
    assert.deepEqual(await store.audit.list(), [a, b]);
    assert.deepEqual([b.at - a.at, b.detail], [5, null]);
    assert.deepEqual(await store.audit.list({ actor: 'alice' }), [a]);
    assert.deepEqual(await store.audit.list({ afterId: a.id }), [b]);
  });
}
