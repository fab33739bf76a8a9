/**
 * The shared state store test suite's harness: fresh stores on one backend,
 * a clock the tests move, and EXPLAIN for the queries the store runs. The
 * suite (store-suite.ts) is run once per backend by sqlite-store.test.ts and
 * postgres-store.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CompiledQuery, sql } from 'kysely';
import type { Backend, Dialect } from '../backend.js';
import type { Db } from '../db-schema.js';
import { migrate } from '../migrate.js';
import { createStore, openBackend, type StoreOptions } from '../open-store.js';
import type { Store } from '../repository.js';
import { startPostgres, type TestPostgres } from './postgres.js';

/** A backend kind the suite runs against: how to make empty store targets. */
export interface BackendFixture {
  readonly dialect: Dialect;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A new empty store location: a fresh temp dir, or a fresh database's URL. */
  newTarget(): Promise<string>;
}

export function sqliteFixture(): BackendFixture {
  const dirs: string[] = [];
  return {
    dialect: 'sqlite',
    setup: async () => undefined,
    teardown: async () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
    newTarget: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'customs-store-'));
      dirs.push(dir);
      return join(dir, 'data');
    },
  };
}

export function postgresFixture(): BackendFixture {
  let cluster: TestPostgres | undefined;
  return {
    dialect: 'postgres',
    setup: async () => {
      cluster = await startPostgres();
    },
    teardown: async () => {
      await cluster?.stop();
    },
    newTarget: () => {
      if (!cluster) throw new Error('the PostgreSQL cluster is not started (setup() first)');
      return cluster.createDatabase();
    },
  };
}

/** A clock the test moves by hand. */
export interface TestClock {
  readonly now: () => number;
  advance(ms: number): void;
}

export function testClock(start = Date.UTC(2026, 0, 1)): TestClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

export interface OpenedStore {
  readonly store: Store;
  readonly backend: Backend;
  readonly target: string;
  readonly clock: TestClock;
}

export interface Harness {
  readonly dialect: Dialect;
  newTarget(): Promise<string>;
  /** A migrated store on `target` (default a fresh one) with a test clock; closed at the end of the suite. */
  open(opts?: StoreOptions & { readonly target?: string }): Promise<OpenedStore>;
  /** Close at the end of the suite. */
  track(close: () => Promise<void>): void;
}

export function harness(fixture: BackendFixture, closers: (() => Promise<void>)[]): Harness {
  return {
    dialect: fixture.dialect,
    newTarget: () => fixture.newTarget(),
    track: (close) => void closers.push(close),
    async open(opts = {}) {
      const target = opts.target ?? (await fixture.newTarget());
      const clock = testClock();
      const backend = await openBackend(target);
      closers.push(() => backend.close());
      await migrate(backend, clock.now);
      const store = createStore(backend, { now: clock.now, ...opts });
      return { store, backend, target, clock };
    },
  };
}

/** The plan the database would use for a compiled query, as text lines. */
export async function explainPlan(backend: Backend, query: CompiledQuery): Promise<string[]> {
  const db: Db = backend.db;
  const prefix = backend.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN ';
  const result = await db.executeQuery<Record<string, unknown>>({
    ...query,
    sql: prefix + query.sql,
  });
  // SQLite: rows of (id, parent, notused, detail); PostgreSQL: one "QUERY PLAN" column.
  return result.rows.map((r) => String(r.detail ?? r['QUERY PLAN'] ?? JSON.stringify(r)));
}

/** Refresh the planner's statistics (PostgreSQL picks plans by them). */
export async function analyze(backend: Backend): Promise<void> {
  await sql`ANALYZE`.execute(backend.db);
}
