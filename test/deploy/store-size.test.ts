/**
 * The readings behind docs/deploy.md "Sizing" (perf/store-sizes.ts, used by
 * `perf/rescan-bench.ts --store-size`): a store grown by scans recorded through its own
 * API, on SQLite and on PostgreSQL, measured per table — the tables that hold scans,
 * inventory rows and findings grow, and together they account for the database.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postgresSizes, type Sizes, sqliteSizes } from '../../perf/store-sizes.js';
import { openStore } from '../../src/store/index.js';
import { debPackage, digestOf, scanDocument } from '../../src/store/test-support/scan-docs.js';
import { freshDir } from '../support/images.js';
import { startPostgres } from '../support/postgres.js';

const IMAGES = 30;

/** Record IMAGES scans of 200 packages and 20 findings each; returns the documents' JSON bytes. */
async function grow(target: string): Promise<number> {
  const store = await openStore(target);
  let bytes = 0;
  try {
    for (let i = 0; i < IMAGES; i++) {
      const packages = Array.from({ length: 200 }, (_, j) => debPackage(`lib${(i * 37 + j) % 900}`, `1.${i}-1`));
      const document = scanDocument({
        vulns: Array.from({ length: 20 }, (_, j) => ({ id: `CVE-2026-${i}${j}`, pkg: `lib${j}` })),
      });
      bytes += JSON.stringify(document).length;
      await store.scans.record({ imageDigest: digestOf(`size-${i}`), document, packages });
    }
  } finally {
    await store.close();
  }
  return bytes;
}

function grew(empty: Sizes, full: Sizes, table: string): number {
  return (full.tables.get(table) ?? 0) - (empty.tables.get(table) ?? 0);
}

/** What the tables grew by accounts for what the database grew by (the bench's per-table figures add up). */
function accountsFor(empty: Sizes, full: Sizes): void {
  const sum = (x: Sizes) => [...x.tables.values()].reduce((a, b) => a + b, 0);
  const tables = sum(full) - sum(empty);
  const total = full.total - empty.total;
  assert.ok(total > 0, `the database grew (${total} B)`);
  assert.ok(tables <= total, `tables grew ${tables} B within the database's ${total} B`);
  assert.ok(tables > 0.5 * total, `tables' ${tables} B account for most of the database's ${total} B`);
}

describe('store sizes', () => {
  test('SQLite: the file, and every table with its indexes', async () => {
    const dir = await freshDir('store-size-sqlite');
    await (await openStore(dir)).close();
    const empty = sqliteSizes(dir);
    const documents = await grow(dir);
    const full = sqliteSizes(dir);
    for (const table of ['scans', 'image_packages', 'findings']) {
      assert.ok(grew(empty, full, table) > 0, `${table} grew: ${JSON.stringify([...full.tables])}`);
    }
    // SQLite keeps the documents as text: the scans table holds at least their bytes.
    assert.ok(grew(empty, full, 'scans') >= documents, `scans ${grew(empty, full, 'scans')} B ≥ ${documents} B`);
    accountsFor(empty, full);
  });

  test('PostgreSQL: pg_database_size, and every table with its indexes and TOAST', { timeout: 120_000 }, async () => {
    const cluster = await startPostgres();
    try {
      const url = await cluster.createDatabase();
      await (await openStore(url)).close();
      const empty = await postgresSizes(url);
      await grow(url);
      const full = await postgresSizes(url);
      for (const table of ['scans', 'image_packages', 'findings']) {
        assert.ok(grew(empty, full, table) > 0, `${table} grew: ${JSON.stringify([...full.tables])}`);
      }
      accountsFor(empty, full);
    } finally {
      await cluster.stop();
    }
  });
});
