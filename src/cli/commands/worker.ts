import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { CustomsError, DB_FILE, dbPath, defaultConfig } from '../../core/index.js';

interface WorkerFlags {
  store?: string;
  concurrency?: string;
  db?: string;
  cacheDir?: string;
  dataDir?: string;
  listen?: string;
  lease?: string;
  name?: string;
  schedule?: string;
  secretKeyFile?: string;
}

const positive = (flag: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new CustomsError('USAGE_BAD_FLAG', `${flag} ${JSON.stringify(text)}: expected a whole number ≥ 1`);
  return n;
};

export function workerCommand(signal: AbortSignal): Command {
  return new Command('worker')
    .description(
      'Run scan workers: take jobs (scan, discover …) from the shared store, scan through the engine, record results; stops claiming on SIGTERM',
    )
    .option(
      '--store <url>',
      'the shared store: postgres://… (or a directory for SQLite on one machine) (env CUSTOMS_STORE)',
    )
    .option('--concurrency <n>', 'jobs run at once (env CUSTOMS_WORKER_CONCURRENCY; default 1)')
    .option(
      '--secret-key-file <path>',
      "the store key that opens registry credentials: the server's DATA_DIR/secret.key (or env CUSTOMS_SECRET_KEY)",
    )
    .option(
      '--db <path>',
      `vulnerability DB file, swapped when replaced (env CUSTOMS_DB; default ${DB_FILE} in CUSTOMS_DB_DIR)`,
    )
    .option('--cache-dir <dir>', 'layer cache directory, shared by workers on one disk (env CUSTOMS_CACHE_DIR)')
    .option('--data-dir <dir>', 'working files: registry CA files (env CUSTOMS_DATA_DIR)')
    .option(
      '--listen <[host:]port>',
      '/healthz /readyz /metrics on this address (default host 127.0.0.1; env CUSTOMS_WORKER_LISTEN)',
    )
    .option(
      '--lease <seconds>',
      'job lease length; heartbeats every third of it (env CUSTOMS_WORKER_LEASE; default 60)',
    )
    .option('--name <name>', 'worker name in leases and logs (default host:pid)')
    .option(
      '--schedule <cron>',
      'queue db-update, discover and rescan jobs on this cron schedule, e.g. "0 3 * * *" (UTC; env CUSTOMS_SCHEDULE); replicas share each tick',
    )
    .addHelpText(
      'after',
      `
Examples:
  customs worker --store postgres://customs@db:5432/customs --concurrency 4
  CUSTOMS_STORE=postgres://customs@db/customs customs worker --db /srv/customs/${DB_FILE} --listen 9464
  customs worker --store postgres://… --cache-dir /shared/customs-cache   # workers on one disk share layers
  customs worker --store postgres://… --schedule "0 3 * * *"              # daily DB update, discovery, rescan

Registry credentials sealed by customs serve are opened with its key (CUSTOMS_SECRET_KEY or --secret-key-file).
Logs are JSON lines on stderr. SIGTERM: stop claiming, finish the jobs in hand (30 s), hand back the rest.
A worker killed outright loses nothing: its jobs return to the queue when their lease expires.`,
    )
    .action(async (flags: WorkerFlags) => {
      const env = process.env;
      const target = flags.store ?? env.CUSTOMS_STORE;
      if (!target)
        throw new CustomsError('USAGE_BAD_FLAG', 'customs worker needs --store postgres://… (or CUSTOMS_STORE)');
      const concurrency = positive('--concurrency', flags.concurrency || env.CUSTOMS_WORKER_CONCURRENCY || '1');
      const leaseText = flags.lease ?? env.CUSTOMS_WORKER_LEASE;
      const leaseMs = leaseText !== undefined ? positive('--lease', leaseText) * 1000 : 60_000;
      const db = flags.db ?? env.CUSTOMS_DB ?? dbPath(defaultConfig().dbDir);
      const cacheDir = flags.cacheDir ?? env.CUSTOMS_CACHE_DIR ?? defaultConfig().cacheDir;
      const given = flags.dataDir ?? env.CUSTOMS_DATA_DIR;
      const dataDir = given ?? mkdtempSync(join(tmpdir(), 'customs-worker-'));
      mkdirSync(dataDir, { recursive: true });
      const listenText = flags.listen ?? env.CUSTOMS_WORKER_LISTEN;
      const name = flags.name ?? `${hostname()}:${process.pid}`;
      const schedule = flags.schedule ?? env.CUSTOMS_SCHEDULE;
      const server = await import('../../server/index.js');
      const { openStore, parseSecretKey } = await import('../../store/index.js');
      const listen = listenText !== undefined ? server.parseHealthListen(listenText) : undefined;
      const log = server.jsonLog(undefined, { worker: name });
      // The key `customs serve` sealed the credentials with: its env variable, or its key file.
      const key =
        env.CUSTOMS_SECRET_KEY ??
        env.CUSTOMS_STORE_KEY ??
        (flags.secretKeyFile !== undefined ? readFileSync(flags.secretKeyFile, 'utf8').trim() : undefined);
      const store = await openStore(target, key ? { secretKey: parseSecretKey(key) } : {});
      const pool = server.startWorkerPool(
        { store, log, dbPath: db, dataDir, signal, now: () => Date.now() },
        {
          concurrency,
          leaseMs,
          cacheDir,
          name,
          ...(schedule
            ? {
                schedule: {
                  cron: schedule,
                  timezone: env.CUSTOMS_SCHEDULE_TZ ?? 'UTC',
                  // Days the scheduled prune keeps Harbor scan requests and once-keys (default 30).
                  ...(env.CUSTOMS_RETENTION_DAYS !== undefined
                    ? { retentionDays: server.parseRetentionDays(env.CUSTOMS_RETENTION_DAYS) }
                    : {}),
                },
              }
            : {}),
        },
      );
      const health = listen ? await server.startHealthServer(listen, pool, store, signal) : undefined;
      log.info(
        {
          store: store.location,
          concurrency,
          db,
          cacheDir,
          kinds: pool.kinds,
          ...(health ? { listen: health.address } : {}),
        },
        'worker started',
      );
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      log.info({}, 'stopping: no new jobs; finishing the ones in hand');
      await pool.stop();
      await health?.close();
      await store.close();
      if (given === undefined) rmSync(dataDir, { recursive: true, force: true });
      log.info(pool.stats(), 'worker stopped');
    });
}
