/**
 * Benchmark (ship phase, REST API under load): 20,000 stored images in the
 * embedded SQLite store of `customs serve` (each with a tag, 30 packages of
 * its inventory and 20 open findings; the asked CVE is open on 1 % of them, 200
 * images in 100 repositories), then autocannon on loopback, bounded in count and
 * time:
 *   1. GET /api/v1/vulnerabilities/CVE-X/images ("where is CVE-X", first page with
 *      the totals) at 100 connections: p99 latency (target ≤ 50 ms);
 *   2. POST /api/v1/verdicts with a scan JSON (judged by a stored policy, recorded in
 *      the inventory) at 10 connections: verdicts per second.
 * The server runs as its own process (`customs serve`), as in production; the rows
 * are written straight into the store's tables, in bulk, after `customs serve`
 * created and migrated it (recording 20,000 scans one by one would take the bench
 * 20 minutes and measures nothing this bench is about).
 * Run: `make bench`, or `node dist-test/perf/api-bench.js` after `make build`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { scanFixture } from '../src/policy/test-support/scan-fixture.js';
import { renderScanJson } from '../src/report/index.js';
import { precondition, provenance, target } from './report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORK = join(ROOT, 'perf', '.work', 'api-bench');
const IMAGES = 20_000;
const PACKAGES_PER_IMAGE = 30;
const FINDINGS_PER_IMAGE = 20;
const TARGET_CVE = 'CVE-2024-99999';
const TARGET_EVERY = 100;

const digest = (seed: string): string => `sha256:${createHash('sha256').update(seed).digest('hex')}`;

/** `customs serve` on a free loopback port; resolves when it listens. */
async function startServe(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'customs.js'),
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      '--rate-limit',
      '100000000',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`customs serve exited (${String(code)}): ${err}`)));
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Bulk rows into the migrated SQLite store, in one transaction. */
function seed(dbFile: string): void {
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  const now = Date.now();
  const layers = '[]';
  db.transaction(() => {
    const reg = db.prepare(
      'INSERT INTO registries (name, url, tls, selection, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const regId = Number(
      reg.run(
        'hub',
        'https://hub.example',
        '{"insecure":false,"skipVerify":false}',
        '{"include":["**"],"exclude":[]}',
        now,
        now,
      ).lastInsertRowid,
    );
    const repo = db.prepare('INSERT INTO repositories (registry_id, name, created_at) VALUES (?, ?, ?)');
    const repoIds: number[] = [];
    for (let r = 0; r < 100; r++) repoIds.push(Number(repo.run(regId, `team${r % 10}/svc${r}`, now).lastInsertRowid));
    const key = db.prepare('INSERT INTO package_keys (namespace, name) VALUES (?, ?)');
    const keyIds: number[] = [];
    for (let k = 0; k < 3000; k++) keyIds.push(Number(key.run('Debian:12', `pkg${k}`).lastInsertRowid));
    const image = db.prepare(
      'INSERT INTO images (digest, config_digest, config, platform, layers, inventory_at, created_at) VALUES (?, NULL, NULL, ?, ?, ?, ?)',
    );
    const tag = db.prepare('INSERT INTO tags (repository_id, tag, digest, updated_at) VALUES (?, ?, ?, ?)');
    const pkg = db.prepare(
      'INSERT INTO image_packages (image_id, seq, package_key_id, source_key_id, ecosystem, version, purl, layer) VALUES (?, ?, ?, NULL, ?, ?, ?, ?)',
    );
    const finding = db.prepare(
      'INSERT INTO findings (image_id, ref, kind, finding_id, severity, package_purl, fingerprint, data, first_seen_at, last_seen_at, fixed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
    );
    for (let i = 0; i < IMAGES; i++) {
      const d = digest(`image-${i}`);
      const imageId = Number(image.run(d, 'linux/amd64', layers, now, now).lastInsertRowid);
      const repoId = repoIds[i % repoIds.length] ?? 0;
      tag.run(repoId, `v${i}`, d, now);
      for (let p = 0; p < PACKAGES_PER_IMAGE; p++) {
        const k = (i * 7 + p * 101) % 3000;
        pkg.run(
          imageId,
          p,
          keyIds[k],
          'deb',
          '1.0-1',
          `pkg:deb/debian/pkg${k}@1.0-1?distro=debian-12`,
          `sha256:${'0'.repeat(64)}`,
        );
      }
      for (let f = 0; f < FINDINGS_PER_IMAGE; f++) {
        const id = f === 0 && i % TARGET_EVERY === 0 ? TARGET_CVE : `CVE-2023-${((i * 13 + f * 31) % 5000).toString()}`;
        const purl = `pkg:deb/debian/pkg${f}@1.0-1?distro=debian-12`;
        finding.run(imageId, `${id}@pkg-${f}`, 'vuln', id, 'high', purl, 'fp', '{}', now, now);
      }
    }
  })();
  db.exec('ANALYZE');
  db.close();
}

async function main(): Promise<void> {
  console.log(`api-bench: ${provenance(ROOT)}`);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const dataDir = join(WORK, 'server');
  // First start creates and migrates the store and issues the admin token.
  let server = await startServe(dataDir);
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  await stop(server.child);
  const t0 = performance.now();
  seed(join(dataDir, 'state.db'));
  console.log(
    `api-bench: seeded ${IMAGES.toLocaleString('en')} images (${PACKAGES_PER_IMAGE} packages, ${FINDINGS_PER_IMAGE} findings each) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  server = await startServe(dataDir);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  try {
    const probe = await fetch(`${server.url}/api/v1/vulnerabilities/${TARGET_CVE}/images`, { headers });
    const body = (await probe.json()) as { images?: number; items?: unknown[] };
    precondition(probe.status === 200, `GET where-is-CVE answered ${probe.status.toString()}`);
    precondition(
      body.images === IMAGES / TARGET_EVERY,
      `expected ${IMAGES / TARGET_EVERY} images with ${TARGET_CVE}, got ${String(body.images)}`,
    );
    // Warm-up (JIT, SQLite page cache), then the measured run.
    await autocannon({
      url: `${server.url}/api/v1/vulnerabilities/${TARGET_CVE}/images`,
      headers,
      connections: 10,
      amount: 500,
    });
    const where = await autocannon({
      url: `${server.url}/api/v1/vulnerabilities/${TARGET_CVE}/images`,
      headers,
      connections: 100,
      amount: 10_000,
      duration: 30,
    });
    precondition(
      where.non2xx === 0 && where.errors === 0,
      `where-is-CVE: ${where.non2xx} non-2xx answers, ${where.errors} errors`,
    );
    console.log(
      `api-bench: where is ${TARGET_CVE} (${String(body.images)} of ${IMAGES} images, 100 per page): ${where.requests.total} requests at 100 connections, ${where.requests.average.toFixed(0)} req/s, latency p50 ${where.latency.p50} ms, p99 ${where.latency.p99} ms`,
    );
    target('where-is-CVE p99 at 100 connections', where.latency.p99, '<=', 50, ' ms');

    const put = await fetch(`${server.url}/api/v1/policies/org`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        body: 'apiVersion: customs/v1\nkind: Policy\nrules:\n  - id: no-critical\n    action: fail\n    message: No critical vulnerabilities.\n    vulnerabilities: { minSeverity: critical }\n',
      }),
    });
    precondition(put.status === 200, `PUT policy answered ${put.status.toString()}`);
    const scan = renderScanJson(scanFixture());
    const verdicts = await autocannon({
      url: `${server.url}/api/v1/verdicts`,
      method: 'POST',
      headers,
      body: `{"scan":${scan}}`,
      connections: 10,
      amount: 2_000,
      duration: 20,
    });
    precondition(
      verdicts.non2xx === 0 && verdicts.errors === 0,
      `verdicts: ${verdicts.non2xx} non-2xx answers, ${verdicts.errors} errors`,
    );
    console.log(
      `api-bench: POST /api/v1/verdicts (${(scan.length / 1024).toFixed(0)} KiB scan, ${scanFixture().inventory.packages.length} packages, judged and recorded): ${verdicts.requests.total} in ${(verdicts.duration).toFixed(1)} s at 10 connections = ${verdicts.requests.average.toFixed(1)} verdicts/s, p99 ${verdicts.latency.p99} ms`,
    );
  } finally {
    await stop(server.child);
  }
}

await main();
