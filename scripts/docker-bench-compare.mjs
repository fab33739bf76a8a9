#!/usr/bin/env node
// Side-by-side run of docker-bench-security and `customs bench docker` on this host
// (docs/bench.md "Agreement with docker-bench-security"). Needs a checkout of
// https://github.com/docker/docker-bench-security in DOCKER_BENCH_SECURITY_DIR, root,
// the Docker Engine, and `make build`. Starts the trip containers of the tests
// (test/support/bench-docker.ts) under the name prefix "cbench-cmp", runs both
// tools over those containers only (docker-bench-security -i, customs --include),
// prints the agreement table as Markdown, and removes the containers.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dbsDir = process.env.DOCKER_BENCH_SECURITY_DIR;
if (!dbsDir) {
  process.stderr.write('set DOCKER_BENCH_SECURITY_DIR to a docker-bench-security checkout\n');
  process.exit(2);
}
const { startTripContainers } = await import(join(root, 'dist-test/test/support/bench-docker.js'));
const prefix = 'cbench-cmp';
const trip = await startTripContainers(prefix);
const work = mkdtempSync(join(tmpdir(), 'dbs-'));
try {
  cpSync(dbsDir, work, { recursive: true });
  const env = { ...process.env };
  delete env.DOCKER_CONTENT_TRUST;
  const sections =
    'host_configuration,docker_daemon_configuration,docker_daemon_files,container_images,container_runtime,docker_security_operations';
  // bash, as the script's #! line says: its tests use [[ ]], which sh (dash) does not have.
  const dbs = spawnSync(
    'bash',
    ['docker-bench-security.sh', '-b', '-i', prefix, '-l', join(work, 'out.log'), '-c', sections],
    { cwd: work, env, encoding: 'utf8' },
  );
  if (dbs.status !== 0) throw new Error(`docker-bench-security exited ${dbs.status}: ${dbs.stderr}`);
  const theirs = new Map();
  for (const t of JSON.parse(readFileSync(join(work, 'out.log.json'), 'utf8')).tests)
    for (const r of t.results) theirs.set(r.id, r.result);
  const cus = spawnSync(
    process.execPath,
    [join(root, 'bin/customs.js'), 'bench', 'docker', '-f', 'json', '--include', prefix],
    { env, encoding: 'utf8' },
  );
  if (cus.status !== 0) throw new Error(`customs exited ${cus.status}: ${cus.stderr}`);
  const agrees = (d, c) =>
    (d === 'PASS' && c === 'pass') ||
    (d === 'WARN' && (c === 'fail' || c === 'warn')) ||
    ((d === 'INFO' || d === 'NOTE') && (c === 'info' || c === 'manual'));
  process.stdout.write('| control | docker-bench-security | customs | agree |\n|---|---|---|---|\n');
  for (const r of JSON.parse(cus.stdout).results) {
    const d = theirs.get(r.id) ?? '(none)';
    process.stdout.write(`| ${r.id} | ${d} | ${r.status} | ${agrees(d, r.status) ? 'yes' : 'no'} |\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  await trip.remove();
}
