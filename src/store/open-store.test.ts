import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { openStore } from './open-store.js';
import { isPostgresUrl, redactUrl } from './postgres-backend.js';

const unavailable = (e: unknown) => e instanceof CustomsError && e.code === 'STORE_UNAVAILABLE';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const addr = s.address();
  await new Promise((resolve) => s.close(resolve));
  return typeof addr === 'object' && addr ? addr.port : 1;
}

test('a postgres:// URL whose server is down is STORE_UNAVAILABLE, without the password in the message', async () => {
  const secret = `s3cret${Date.now()}`;
  const url = `postgres://customs:${secret}@127.0.0.1:${await closedPort()}/store`;
  await assert.rejects(openStore(url), (e: unknown) => {
    assert.ok(unavailable(e), String(e));
    assert.match((e as Error).message, /127\.0\.0\.1/);
    assert.equal((e as Error).message.includes(secret), false);
    return true;
  });
});

test('a data directory that cannot be created is STORE_UNAVAILABLE naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'customs-store-'));
  try {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    await assert.rejects(openStore(join(file, 'data')), (e: unknown) => {
      assert.ok(unavailable(e), String(e));
      assert.match((e as Error).message, /not-a-dir\/data\/state\.db/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('targets: postgres:// and postgresql:// URLs are PostgreSQL, anything else a data directory', () => {
  assert.equal(isPostgresUrl('postgres://h/db'), true);
  assert.equal(isPostgresUrl('POSTGRESQL://h/db'), true);
  assert.equal(isPostgresUrl('/var/lib/customs'), false);
  assert.equal(isPostgresUrl('./postgres://x'), false);
  assert.equal(
    redactUrl('postgres://u:p%40ss@h:5432/db?sslmode=require'),
    'postgres://u:***@h:5432/db?sslmode=require',
  );
  assert.equal(redactUrl('postgres://u@h/db'), 'postgres://u@h/db');
});
