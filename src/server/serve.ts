/**
 * Start and stop `customs serve` (docs/server.md "Running"): the data
 * directory, the secret key that seals registry credentials, the store, the
 * first admin token, the HTTP app listening (TLS when given), and a graceful
 * stop: no new connections, in-flight requests finish (up to a bound), then
 * the store closes.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { CustomsError, toCustomsError } from '../core/index.js';
import { openStore, parseSecretKey, type SecretKey, type Store } from '../store/index.js';
import type { ServerContext, ServerLog } from './context.js';
import { buildApp, type RateLimitOptions } from './http/app.js';
import { readTls, type TlsFiles } from './http/index.js';
import { type Notifier, type NotifierOptions, startNotifier } from './notify/index.js';

export interface ServeOptions {
  /** HOST:PORT ([v6]:PORT for IPv6); port 0 picks a free one. */
  readonly listen: string;
  readonly dataDir: string;
  /** postgres://… for PostgreSQL; default the SQLite store in the data directory. */
  readonly store?: string;
  readonly tls?: Partial<TlsFiles>;
  /** The vulnerability DB file. */
  readonly dbPath?: string;
  /** CUSTOMS_SECRET_KEY: 32 bytes as 64 hex digits or base64; default a key file in the data directory. */
  readonly secretKey?: string;
  readonly rateLimit?: RateLimitOptions;
  /** Where JSON log lines go (default stdout). */
  readonly logStream?: Writable;
  readonly logLevel?: string;
  /** Where the human lines go: where it listens, the first admin token (default stderr). */
  readonly say?: (line: string) => void;
  /** How long a stop waits for in-flight requests before closing their connections (default 10 s). */
  readonly shutdownTimeoutMs?: number;
  /**
   * The in-process worker pool for the embedded (SQLite) store: with SQLite the
   * server runs its own scan workers. The worker package provides it
   * (`startWorkerPool(ctx, { concurrency })`); absent, no job is taken here.
   */
  readonly embeddedWorkers?: (ctx: ServerContext) => Promise<{ stop(): Promise<void> }>;
  /** Webhook deliveries (docs/notifications.md): every replica runs the notifier; false turns it off. */
  readonly notifier?: NotifierOptions | false;
}

export interface RunningServer {
  /** http(s)://host:port it listens on. */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly store: Store;
  /** The admin token when this start issued it (first start), else undefined. */
  readonly adminToken?: string;
  /** Graceful stop; resolves when the store is closed. */
  stop(): Promise<void>;
}

export const SECRET_KEY_FILE = 'secret.key';
export const ADMIN_TOKEN_FILE = 'admin.token';

/** HOST:PORT → host and port; SERVER_CONFIG_INVALID otherwise. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  if (!m || host === undefined || port > 65535) {
    throw new CustomsError(
      'SERVER_CONFIG_INVALID',
      `--listen "${text}" is not HOST:PORT (e.g. 127.0.0.1:8080, 0.0.0.0:8080, [::1]:8080)`,
    );
  }
  return { host, port };
}

/** Write a file only this user can read, failing when it exists (no race with a second start). */
function writePrivate(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600);
  return true;
}

/** The key from CUSTOMS_SECRET_KEY, else DIR/secret.key (created 0600 with 32 random bytes on first start). */
export function secretKeyFor(dataDir: string, fromEnv: string | undefined): SecretKey {
  if (fromEnv !== undefined && fromEnv !== '') {
    try {
      return parseSecretKey(fromEnv);
    } catch (e) {
      throw new CustomsError(
        'SERVER_CONFIG_INVALID',
        `CUSTOMS_SECRET_KEY is not a key: ${toCustomsError(e).message}`,
        e,
      );
    }
  }
  const file = join(dataDir, SECRET_KEY_FILE);
  writePrivate(file, `${randomBytes(32).toString('hex')}\n`);
  try {
    return parseSecretKey(readFileSync(file, 'utf8').trim());
  } catch (e) {
    throw new CustomsError('SERVER_CONFIG_INVALID', `${file} does not hold a key: ${toCustomsError(e).message}`, e);
  }
}

/** A log that writes through to the app's logger once it exists (the context is made before the app). */
function deferredLog(target: () => ServerLog | undefined): ServerLog {
  const to = (level: keyof ServerLog) => (obj: object, msg?: string) => {
    const log = target();
    if (log) log[level](obj, msg);
  };
  return { info: to('info'), warn: to('warn'), error: to('error'), debug: to('debug') };
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const say = opts.say ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const { host, port } = parseListen(opts.listen);
  const tls = readTls(opts.tls ?? {});
  try {
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new CustomsError('SERVER_CONFIG_INVALID', `--data-dir ${opts.dataDir}: ${(e as Error).message}`, e);
  }
  const secretKey = secretKeyFor(opts.dataDir, opts.secretKey);
  const store = await openStore(opts.store ?? opts.dataDir, { secretKey });
  const abort = new AbortController();
  let app: FastifyInstance | undefined;
  const ctx: ServerContext = {
    store,
    log: deferredLog(() => app?.log),
    ...(opts.dbPath !== undefined ? { dbPath: opts.dbPath } : {}),
    dataDir: opts.dataDir,
    signal: abort.signal,
    now: Date.now,
  };
  let adminToken: string | undefined;
  let workers: { stop(): Promise<void> } | undefined;
  let notifier: Notifier | undefined;
  try {
    // First start: no admin token in the store yet. Replicas on one PostgreSQL share the
    // store, so only the first of them issues it.
    const tokens = await store.tokens.list();
    if (!tokens.some((t) => t.role === 'admin' && t.revokedAt === undefined)) {
      const issued = await store.tokens.issue({ name: 'admin', role: 'admin', createdBy: 'customs serve' });
      adminToken = issued.token;
      const file = join(opts.dataDir, ADMIN_TOKEN_FILE);
      if (!writePrivate(file, `${issued.token}\n`)) {
        throw new CustomsError(
          'SERVER_CONFIG_INVALID',
          `${file} exists but the store has no admin token: remove the stale file and start again`,
        );
      }
      say(`customs: admin token (shown once, also in ${file}, mode 0600):\n  ${issued.token}`);
    }
    app = await buildApp(ctx, {
      log: {
        ...(opts.logStream ? { stream: opts.logStream } : {}),
        ...(opts.logLevel !== undefined ? { level: opts.logLevel } : {}),
      },
      ...(tls ? { tls } : {}),
      ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
    });
    try {
      await app.listen({ host, port });
    } catch (e) {
      throw new CustomsError('SERVER_LISTEN_FAILED', `cannot listen on ${opts.listen}: ${(e as Error).message}`, e);
    }
    // SEAM (worker pool): on the embedded SQLite store the server runs its own scan workers.
    if (store.dialect === 'sqlite' && opts.embeddedWorkers) workers = await opts.embeddedWorkers(ctx);
    if (opts.notifier !== false) notifier = startNotifier(ctx, opts.notifier ?? {});
  } catch (e) {
    abort.abort();
    await app?.close();
    await store.close();
    throw e;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `${tls ? 'https' : 'http'}://${shownHost}:${boundPort.toString()}`;
  say(`customs: listening on ${url} (store: ${store.dialect} ${store.location}; API ${url}/api/openapi.json)`);

  const running = app;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      abort.abort();
      const bound = opts.shutdownTimeoutMs ?? 10_000;
      // fastify's close stops accepting and waits for in-flight requests; past the bound,
      // the remaining connections are cut so a stop always ends.
      const timer = setTimeout(() => running.server.closeAllConnections(), bound);
      try {
        await workers?.stop();
        await notifier?.stop();
        await running.close();
      } finally {
        clearTimeout(timer);
        await store.close();
      }
    })();
    return stopping;
  };
  return { url, app: running, store, ...(adminToken !== undefined ? { adminToken } : {}), stop };
}
