/**
 * deploy/compose/: `docker-compose config` (Debian's docker-compose) accepts the file, and
 * the stack's services run as processes with the compose file's own settings. Containers
 * cannot run this stack here: the Docker Engine of this machine runs without a bridge
 * network (`dockerd --bridge=none`, docs TOOLS.md), so compose's default network cannot be
 * created, and there is no Docker Hub for postgres:16 or registry:2. So: PostgreSQL
 * (initdb on loopback), Debian's docker-registry with the compose registry.yml's
 * notification endpoint and header, and `customs serve` and `customs worker` from this
 * checkout with each service's `environment` and `command` as `docker-compose config`
 * prints them — host names (postgres, server) pointed at the loopback ports. A push to
 * the registry then becomes a recorded scan.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { buildTestDb, lodashImage, pushImage, until } from '../../src/server/worker/test-support/fixtures.js';
import { freshDir, REPO_ROOT, run } from '../support/images.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { listeningUrl } from '../support/serve-process.js';

const COMPOSE = join(REPO_ROOT, 'deploy', 'compose');

interface Service {
  readonly image: string;
  readonly command?: string[];
  readonly environment?: Record<string, string>;
  readonly healthcheck?: { readonly test: string[] };
  readonly volumes?: string[];
  readonly read_only?: boolean;
  readonly user?: string;
}

interface ComposeConfig {
  readonly services: Record<string, Service>;
  readonly volumes: Record<string, unknown>;
}

const SECRET_KEY = 'a'.repeat(8) + '0123456789abcdef'.repeat(3) + 'b'.repeat(8);
const PG_PASSWORD = 'compose-test-password';

const compose = (env: NodeJS.ProcessEnv) =>
  run('docker-compose', ['-f', join(COMPOSE, 'docker-compose.yml'), 'config'], {
    env: { ...process.env, ...env },
    allowFailure: true,
  });

let config: ComposeConfig;
let pg: TestPostgres | undefined;
let reg: TestRegistry | undefined;
const children: ChildProcess[] = [];

before(async () => {
  const r = await compose({ CUSTOMS_SECRET_KEY: SECRET_KEY, POSTGRES_PASSWORD: PG_PASSWORD });
  assert.equal(r.code, 0, r.stderr);
  config = parseYaml(r.stdout) as ComposeConfig;
});

after(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  await reg?.stop();
  await pg?.stop();
});

function start(args: string[], env: Record<string, string>, log: string[]): ChildProcess {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'customs.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (b: Buffer) => log.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => log.push(b.toString()));
  children.push(child);
  return child;
}

describe('deploy/compose', () => {
  test('docker-compose config accepts the stack: four services, health checks, volumes', () => {
    assert.deepEqual(Object.keys(config.services).sort(), ['postgres', 'registry', 'server', 'worker']);
    for (const [name, s] of Object.entries(config.services)) {
      assert.ok(s.healthcheck?.test.length, `${name} has a health check`);
      assert.ok(s.volumes?.length, `${name} keeps its state on a volume`);
    }
    for (const name of ['server', 'worker']) {
      const s = config.services[name];
      assert.equal(s?.read_only, true, `${name}: read-only root`);
      assert.equal(s?.user, '10001:10001');
      assert.match(s?.environment?.CUSTOMS_STORE ?? '', /^postgres:\/\/customs:compose-test-password@postgres:5432\//);
    }
    assert.deepEqual(Object.keys(config.volumes).sort(), ['postgres', 'registry', 'server', 'worker']);
  });

  test('docker-compose config refuses a stack without its secrets, naming them', async () => {
    const r = await compose({ CUSTOMS_SECRET_KEY: '', POSTGRES_PASSWORD: '' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /POSTGRES_PASSWORD|CUSTOMS_SECRET_KEY/);
  });

  test("the stack's services as processes: a push to the registry becomes a scan", async () => {
    const work = await freshDir('deploy-compose');
    pg = await startPostgres();
    const storeUrl = await pg.createDatabase('customs_compose');
    const db = await buildTestDb(join(work, 'db'));
    const log: string[] = [];

    // The compose environment, with the service host names pointed at loopback.
    const local = (value: string) =>
      value
        .replace(/^postgres:\/\/[^/]*@postgres:5432\/customs$/, storeUrl)
        // Port 0: the server picks a free port and says which (one picked free beforehand can be
        // taken by another test before the server binds it).
        .replace('0.0.0.0:8080', '127.0.0.1:0');
    const envOf = (name: string, extra: Record<string, string>) => {
      const env = Object.fromEntries(
        Object.entries(config.services[name]?.environment ?? {}).map(([k, v]) => [k, local(String(v))]),
      );
      return { ...env, ...extra };
    };
    const commandOf = (name: string) => (config.services[name]?.command ?? []).map(local);

    start(
      commandOf('server'),
      envOf('server', { CUSTOMS_DATA_DIR: join(work, 'server'), CUSTOMS_DB: db, HOME: work }),
      log,
    );
    const fail = (e: Error): never => {
      throw new Error(`${e.message}\n${log.join('')}`);
    };
    const base = await until('the server to listen', async () => listeningUrl(log.join('')), 60_000).catch(fail);
    await until(
      'the server to be ready',
      async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok || undefined,
      60_000,
    ).catch(fail);
    start(
      commandOf('worker').map((a) => (a === '0.0.0.0:9464' ? '127.0.0.1:0' : a)),
      envOf('worker', { CUSTOMS_DB: db, CUSTOMS_CACHE_DIR: join(work, 'cache'), HOME: work }),
      log,
    );

    // The registry with registry.yml's notification endpoint and header.
    const registryYml = parseYaml(await readFile(join(COMPOSE, 'registry.yml'), 'utf8')) as {
      notifications: { endpoints: { url: string; headers: Record<string, string[]> }[] };
    };
    const endpoint = registryYml.notifications.endpoints[0];
    assert.ok(endpoint);
    const hookPath = new URL(endpoint.url).pathname;
    const bearer = (endpoint.headers.Authorization?.[0] ?? '').replace(/^Bearer /, '');
    reg = await startRegistry({ notify: { url: `${base}${hookPath}`, headers: endpoint.headers } });

    // The two API calls of docs/deploy.md: register the registry, set its hook secret.
    const token = (await readFile(join(work, 'server', 'admin.token'), 'utf8')).trim();
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const name = hookPath.split('/').pop() ?? '';
    const added = await fetch(`${base}/api/v1/registries`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name, url: `http://${reg.host}` }),
    });
    assert.equal(added.status, 201, await added.clone().text());
    const { id } = (await added.json()) as { id: number };
    const secret = await fetch(`${base}/api/v1/registries/${id}/hook-secret`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ secret: bearer }),
    });
    assert.ok(secret.ok, await secret.text());

    const pushed = await pushImage(reg, 'team/app:1.0', [lodashImage('4.17.20')]);
    const digest = pushed.digests[0] ?? '';
    const image = await until(
      'the pushed image to be scanned by the worker',
      async () => {
        // The image row exists once the worker recorded its scan; its packages come from that scan.
        const r = await fetch(`${base}/api/v1/images/${digest}/packages`, { headers: auth });
        if (!r.ok) return undefined;
        const text = await r.text();
        return text.includes('lodash') ? text : undefined;
      },
      60_000,
    ).catch((e: Error) => {
      throw new Error(
        `${e.message}\n${log
          .filter((l) => !l.includes('/api/v1/images/'))
          .join('')
          .slice(-4000)}`,
      );
    });
    assert.match(image, /4\.17\.20/);
  });
});
