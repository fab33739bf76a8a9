import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { CustomsError, defaultConfig } from '../../core/index.js';
import { dbFile } from '../options.js';

// The server loads when the command runs, so `--help` starts fast.
const server = () => import('../../server/index.js');

interface ServeFlags {
  readonly listen: string;
  readonly dataDir?: string;
  readonly store?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly db?: string;
  readonly rateLimit: number;
  readonly logLevel: string;
  readonly shutdownTimeout: number;
}

/** $XDG_DATA_HOME/customs/server, or ~/.local/share/customs/server (XDG Base Directory spec). */
export function defaultServerDataDir(env: NodeJS.ProcessEnv = process.env): string {
  // A relative XDG_DATA_HOME is invalid and ignored (XDG Base Directory spec).
  const xdg = env.XDG_DATA_HOME;
  const base = xdg?.startsWith('/') === true ? xdg : join(homedir(), '.local', 'share');
  return join(base, 'customs', 'server');
}

const positive = (flag: string) => (text: string) => {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1)
    throw new CustomsError('USAGE_BAD_FLAG', `${flag}: "${text}" is not a positive whole number`);
  return n;
};

export function serveCommand(signal: AbortSignal): Command {
  const cmd = new Command('serve')
    .description(
      'Run the customs server: REST API over the registry inventory, verdicts for CI, policies and exceptions',
    )
    .addOption(
      new Option('--listen <host:port>', 'address to listen on (loopback unless you say otherwise)')
        .env('CUSTOMS_LISTEN')
        .default('127.0.0.1:8080'),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        'SQLite store, secret key file and admin token (default: $XDG_DATA_HOME/customs/server)',
      ).env('CUSTOMS_DATA_DIR'),
    )
    .addOption(
      new Option('--store <url>', 'postgres://user@host/db instead of the SQLite store in --data-dir').env(
        'CUSTOMS_STORE',
      ),
    )
    .addOption(new Option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain)').env('CUSTOMS_TLS_CERT'))
    .addOption(new Option('--tls-key <file>', 'the PEM private key of --tls-cert').env('CUSTOMS_TLS_KEY'))
    .addOption(
      new Option('--db <path>', "vulnerability DB file or directory (default: the CLI's DB in CUSTOMS_DB_DIR)").env(
        'CUSTOMS_DB',
      ),
    )
    .addOption(
      new Option('--rate-limit <n>', 'requests per minute per token (per address without one)')
        .env('CUSTOMS_RATE_LIMIT')
        .argParser(positive('--rate-limit'))
        .default(1200),
    )
    .addOption(
      new Option('--log-level <level>', 'JSON log level on stdout')
        .env('CUSTOMS_LOG_LEVEL')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .addOption(
      new Option('--shutdown-timeout <seconds>', 'on SIGTERM, how long in-flight requests may take to finish')
        .argParser(positive('--shutdown-timeout'))
        .default(10),
    );
  cmd.addHelpText(
    'after',
    `
Quick start:
  customs serve --data-dir ./customs-server        # prints the admin token once (also DIR/admin.token)
  curl -H "Authorization: Bearer $(cat ./customs-server/admin.token)" http://127.0.0.1:8080/api/v1/images
  customs gate app:1 --server http://127.0.0.1:8080 --token "$CUSTOMS_TOKEN"    # CI: judged by the server's policy

More:
  customs serve --store postgres://customs@db/customs --listen 0.0.0.0:8443 --tls-cert tls.crt --tls-key tls.key

Environment: CUSTOMS_LISTEN, CUSTOMS_DATA_DIR, CUSTOMS_STORE, CUSTOMS_TLS_CERT, CUSTOMS_TLS_KEY, CUSTOMS_DB,
CUSTOMS_RATE_LIMIT, CUSTOMS_LOG_LEVEL, and CUSTOMS_SECRET_KEY (32 bytes, hex or base64: seals registry
credentials; default a key file created 0600 in the data directory — replicas must share one key).
JSON logs go to stdout; the listening address and the first admin token to stderr. SIGTERM stops
gracefully. docs/server.md explains roles, TLS, metrics; the API is at /api/openapi.json.

Exit status:
  0  stopped by SIGTERM or SIGINT
  2  usage error (bad flag, --listen, TLS files, CUSTOMS_SECRET_KEY)
  3  the store cannot be opened, or the address is in use`,
  );
  cmd.action(async (flags: ServeFlags) => {
    const srv = await server();
    const running = await srv.startServer({
      listen: flags.listen,
      dataDir: flags.dataDir ?? defaultServerDataDir(),
      ...(flags.store !== undefined ? { store: flags.store } : {}),
      tls: {
        ...(flags.tlsCert !== undefined ? { cert: flags.tlsCert } : {}),
        ...(flags.tlsKey !== undefined ? { key: flags.tlsKey } : {}),
      },
      dbPath: dbFile(flags.db, defaultConfig().dbDir),
      ...(process.env.CUSTOMS_SECRET_KEY !== undefined ? { secretKey: process.env.CUSTOMS_SECRET_KEY } : {}),
      rateLimit: { max: flags.rateLimit, windowMs: 60_000 },
      logLevel: flags.logLevel,
      shutdownTimeoutMs: flags.shutdownTimeout * 1000,
      // On SQLite the server runs its own workers (docs/workers.md); on PostgreSQL, `customs worker` does.
      embeddedWorkers: async (ctx) =>
        srv.startWorkerPool(ctx, {
          concurrency: Number(process.env.CUSTOMS_WORKER_CONCURRENCY) || 1,
          ...(process.env.CUSTOMS_SCHEDULE
            ? {
                schedule: {
                  cron: process.env.CUSTOMS_SCHEDULE,
                  ...(process.env.CUSTOMS_RETENTION_DAYS !== undefined
                    ? { retentionDays: srv.parseRetentionDays(process.env.CUSTOMS_RETENTION_DAYS) }
                    : {}),
                },
              }
            : {}),
        }),
    });
    if (!signal.aborted)
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    process.stderr.write('customs: stopping (finishing in-flight requests)\n');
    await running.stop();
    process.stderr.write('customs: stopped\n');
  });
  return cmd;
}
