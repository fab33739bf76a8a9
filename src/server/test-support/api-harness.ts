/**
 * The API test harness: a migrated store on one backend, a token per role,
 * and the app built on it (not listening: tests inject, or listen on an
 * ephemeral loopback port). Every response the tests receive can be checked
 * against the app's own OpenAPI document (openapi-check.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { openStore, parseSecretKey, type Store, type StoreOptions, type TokenRole } from '../../store/index.js';
import type { BackendFixture } from '../../store/test-support/harness.js';
import type { ServerContext } from '../context.js';
import { type AppOptions, buildApp } from '../http/app.js';

export interface ApiHarness {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly ctx: ServerContext;
  /** A valid token of each role. */
  readonly tokens: Record<TokenRole, string>;
  /** Inject with a role's token (or none). */
  call(role: TokenRole | 'none', opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export const TEST_SECRET_KEY = parseSecretKey('a'.repeat(64));

export const silentLog = { info() {}, warn() {}, error() {}, debug() {} };

export async function apiHarness(
  fixture: BackendFixture,
  opts: { app?: AppOptions; store?: StoreOptions; now?: () => number; dbPath?: string } = {},
): Promise<ApiHarness> {
  const target = await fixture.newTarget();
  const store = await openStore(target, { secretKey: TEST_SECRET_KEY, ...opts.store });
  const abort = new AbortController();
  const ctx: ServerContext = {
    store,
    log: silentLog,
    dataDir: mkdtempSync(join(tmpdir(), 'customs-api-')),
    signal: abort.signal,
    now: opts.now ?? Date.now,
    ...(opts.dbPath !== undefined ? { dbPath: opts.dbPath } : {}),
  };
  const tokens = {} as Record<TokenRole, string>;
  for (const role of ['admin', 'ci', 'viewer'] as const) {
    tokens[role] = (await store.tokens.issue({ name: `${role}-token`, role, createdBy: 'test' })).token;
  }
  const app = await buildApp(ctx, { log: false, ...opts.app });
  return {
    app,
    store,
    ctx,
    tokens,
    call: (role, o) =>
      app.inject({
        ...o,
        headers: { ...(o.headers ?? {}), ...(role !== 'none' ? { authorization: `Bearer ${tokens[role]}` } : {}) },
      }),
    async close() {
      abort.abort();
      await app.close();
      await store.close();
      rmSync(ctx.dataDir, { recursive: true, force: true });
    },
  };
}
