/**
 * Test support: make every INSERT into a table fail inside the database
 * itself (a trigger), on either backend — an injected failure at the exact
 * point a crash would hit, without touching the code under test. Returns a
 * function that removes the trigger.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../repository.js';

export const INJECTED_FAILURE = 'injected failure';

export async function failInserts(store: Store, table: 'verdicts' | 'scans'): Promise<() => Promise<void>> {
  const trigger = `customs_test_fail_${table}`;
  if (store.dialect === 'sqlite') {
    const run = (statement: string) => {
      const db = new Database(store.location);
      try {
        db.exec(statement);
      } finally {
        db.close();
      }
    };
    run(`CREATE TRIGGER ${trigger} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, '${INJECTED_FAILURE}'); END`);
    return async () => run(`DROP TRIGGER ${trigger}`);
  }
  // The test cluster trusts loopback connections: the location (URL without password) connects.
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: store.location });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(
    `CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${INJECTED_FAILURE}'; END $$`,
  );
  await run(`CREATE TRIGGER ${trigger} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${trigger}()`);
  return async () => {
    await run(`DROP TRIGGER ${trigger} ON ${table}`);
    await run(`DROP FUNCTION ${trigger}()`);
  };
}
