/**
 * Test support: a throwaway PostgreSQL cluster. `initdb` in a temp dir
 * (trust auth, user "customs"), `pg_ctl start` on a free 127.0.0.1 port with
 * the socket in the temp dir, one database per test, `pg_ctl stop` and the
 * dir removed at the end. initdb refuses to run as root ("cannot be run as
 * root"), so as root every server command runs through `runuser -u USER`
 * with USER the unprivileged `nobody` (or a `customs-test` system user
 * created with useradd where there is no `nobody`), owning the temp dir.
 *
 * Missing server binaries throw: the tests fail rather than skip (`make test`
 * installs Debian's postgresql package through scripts/install-deps.sh).
 * Re-exported for tests under test/ by test/support/postgres.ts.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const PG_SERVER_BINARIES = ['initdb', 'pg_ctl', 'postgres'] as const;

export interface PgBinaries {
  readonly initdb: string;
  readonly pg_ctl: string;
}

export interface FindPgOptions {
  /** PATH to search (default process.env.PATH). */
  readonly path?: string;
  /** Where Debian installs the server binaries by major version (default /usr/lib/postgresql). */
  readonly libDir?: string;
}

/**
 * The server binaries: on PATH, else Debian's /usr/lib/postgresql/<major>/bin
 * (highest major first; Debian keeps them off PATH). Throws naming the fix.
 */
export function findPgBinaries(opts: FindPgOptions = {}): PgBinaries {
  const dirs = (opts.path ?? process.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  const libDir = opts.libDir ?? '/usr/lib/postgresql';
  if (existsSync(libDir)) {
    const majors = readdirSync(libDir)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...majors.map((v) => join(libDir, v, 'bin')));
  }
  const dir = dirs.find((d) => PG_SERVER_BINARIES.every((b) => existsSync(join(d, b))));
  if (dir === undefined) {
    throw new Error(
      `PostgreSQL server binaries (${PG_SERVER_BINARIES.join(', ')}) are not on PATH nor in ${libDir}/*/bin: ` +
        'install the Debian package postgresql (make test does: scripts/install-deps.sh)',
    );
  }
  return { initdb: join(dir, 'initdb'), pg_ctl: join(dir, 'pg_ctl') };
}

export interface TestPostgres {
  readonly port: number;
  /** URL of a database of this cluster (default the "postgres" maintenance database). */
  url(database?: string): string;
  /** Create an empty database and return its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function userExists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** As root: an unprivileged user to run the server as, creating `customs-test` when there is no `nobody`. */
function unprivilegedUser(): { name: string; uid: number; gid: number } {
  let name = 'nobody';
  if (!userExists(name)) {
    name = 'customs-test';
    if (!userExists(name)) execFileSync('useradd', ['--system', '--no-create-home', name], { stdio: 'ignore' });
  }
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { name, uid, gid };
}

let counter = 0;

/** initdb + pg_ctl start; the cluster is stopped on stop() or when the process exits. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = findPgBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'customs-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? unprivilegedUser() : undefined;
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o700);
  }
  // runuser execs the program directly (no login shell), so nologin users work.
  const command = (file: string, args: readonly string[]): [string, string[]] =>
    user ? ['runuser', ['-u', user.name, '--', file, ...args]] : [file, [...args]];
  const exec = async (file: string, args: readonly string[], what: string): Promise<void> => {
    const [f, a] = command(file, args);
    try {
      await run(f, a, { env: { ...process.env, LC_ALL: 'C' }, timeout: 60_000 });
    } catch (e) {
      const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
      const err = e as { stderr?: string; message: string };
      throw new Error(`${what} failed: ${err.stderr || err.message}${log ? `\nserver log:\n${log}` : ''}`);
    }
  };

  await exec(
    bin.initdb,
    ['-D', data, '-U', 'customs', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    'initdb',
  );
  let port = 0;
  const stopNow = (): void => {
    const [f, a] = command(bin.pg_ctl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    try {
      execFileSync(f, a, { stdio: 'ignore' });
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A port found free can be taken before the server binds it: try a few.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const options = [
      '-c listen_addresses=127.0.0.1',
      `-k ${dir}`,
      `-p ${port}`,
      // Throwaway data: no durability needed, and the tests run faster.
      '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
    ].join(' ');
    try {
      await exec(
        bin.pg_ctl,
        ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start'],
        'pg_ctl start',
      );
      break;
    } catch (e) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  process.once('exit', stopNow);
  // A test process that is killed (SIGKILL, a runner's timeout) runs no exit handler: a
  // detached watchdog stops the cluster and removes its files once this process is gone.
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const stopArgs = command(bin.pg_ctl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
  const watchdog = spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${[stopArgs[0], ...stopArgs[1]].map(quote).join(' ')} >/dev/null 2>&1; rm -rf ${quote(dir)}`,
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();

  const url = (database = 'postgres'): string => `postgres://customs@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name = `t${process.pid}_${++counter}`): Promise<string> {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop(): Promise<void> {
      process.removeListener('exit', stopNow);
      watchdog.kill();
      await exec(bin.pg_ctl, ['-D', data, '-m', 'fast', '-w', 'stop'], 'pg_ctl stop');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Declares `suite` against a throwaway cluster started before it and stopped after it: the
 * suite's `database()` creates an empty database of that cluster and returns its URL.
 */
export function onPostgresCluster(suite: (name: string, database: () => Promise<string>) => void): void {
  let cluster: TestPostgres | undefined;
  describe('PostgreSQL cluster', () => {
    before(async () => {
      cluster = await startPostgres();
    });
    after(async () => {
      await cluster?.stop();
    });
    suite('PostgreSQL', () => {
      if (!cluster) throw new Error('the PostgreSQL cluster is not started');
      return cluster.createDatabase();
    });
  });
}
