import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { CustomsError } from '../../core/index.js';
import { migrate, schemaVersion } from '../migrate.js';
import { MIGRATIONS, type Migration, SCHEMA_VERSION } from '../migrations.js';
import { openBackend, openStore } from '../open-store.js';
import type { Harness } from './harness.js';
import { runChildren } from './children.js';

const extra = (statements: readonly string[]): Migration => ({
  version: SCHEMA_VERSION + 1,
  name: 'test-extra',
  up: () => statements,
});

async function tableExists(target: string, table: string): Promise<boolean> {
  const backend = await openBackend(target);
  try {
    const tables = await backend.db.introspection.getTables();
    return tables.some((t) => t.name === table);
  } finally {
    await backend.close();
  }
}

export function migrationSuite(h: Harness): void {
  test('a new store is at the latest schema version, and reopening runs nothing', async () => {
    const { backend, clock } = await h.open();
    assert.equal(await schemaVersion(backend.db), SCHEMA_VERSION);
    const rows = await backend.db.selectFrom('schema_migrations').selectAll().orderBy('version').execute();
    assert.deepEqual(
      rows.map((r) => [r.version, r.name]),
      MIGRATIONS.map((m) => [m.version, m.name]),
    );
    assert.deepEqual(await migrate(backend, clock.now), { from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
  });

  test('a pending migration runs once, then a store at a newer version is refused untouched', async () => {
    const { backend, target, clock } = await h.open();
    const newer = extra(['CREATE TABLE test_newer (x INTEGER)']);
    const report = await migrate(backend, clock.now, [...MIGRATIONS, newer]);
    assert.deepEqual(report, { from: SCHEMA_VERSION, to: SCHEMA_VERSION + 1, applied: [SCHEMA_VERSION + 1] });
    assert.deepEqual((await migrate(backend, clock.now, [...MIGRATIONS, newer])).applied, []);
    await assert.rejects(openStore(target), (e: unknown) => {
      assert.ok(e instanceof CustomsError && e.code === 'STORE_SCHEMA_NEWER', String(e));
      assert.match(
        e.message,
        new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than .*up to ${SCHEMA_VERSION}\\b`),
      );
      return true;
    });
    assert.equal(await schemaVersion(backend.db), SCHEMA_VERSION + 1);
    assert.equal(await tableExists(target, 'test_newer'), true);
  });

  test('a migration that fails leaves the schema as it was', async () => {
    const { backend, target, clock } = await h.open();
    const broken = extra(['CREATE TABLE test_half (x INTEGER)', 'CREATE TABLE registries (x INTEGER)']);
    await assert.rejects(migrate(backend, clock.now, [...MIGRATIONS, broken]));
    assert.equal(await schemaVersion(backend.db), SCHEMA_VERSION);
    assert.equal(await tableExists(target, 'test_half'), false);
  });

  test('migrations are numbered 1, 2, 3 … and a gap is refused', async () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
    const { backend, clock } = await h.open();
    const gap: Migration = { version: SCHEMA_VERSION + 2, name: 'gap', up: () => [] };
    await assert.rejects(migrate(backend, clock.now, [...MIGRATIONS, gap]), /expected/);
  });

  test('processes opening a new store at the same time migrate it once', async () => {
    const target = await h.newTarget();
    const results = await runChildren(
      [0, 1, 2].map(() => ['open', target]),
      30_000,
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const backend = await openBackend(target);
    h.track(() => backend.close());
    const rows = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM schema_migrations`.execute(backend.db);
    assert.equal(Number(rows.rows[0]?.n), SCHEMA_VERSION);
  });
}
