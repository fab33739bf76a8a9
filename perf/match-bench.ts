/**
 * Benchmark (issue 3, match speed): an inventory of 2,000 packages matched against
 * the ≥ 300,000-advisory synthetic DB that perf/vulndb-build.ts builds into
 * perf/.work/vulndb/db (built first when missing). The inventory is the real test
 * image's (test/.work/images/real-image-*.tar, when the e2e tests have built it)
 * padded with packages named as the synthetic corpus names them (Debian 12 source
 * packages, npm, PyPI, Go, Maven), so most lookups hit advisories.
 * Prints the warm match time (target ≤ 50 ms) beside the SBOM stage time of the image.
 * Run: `make bench`, or `node dist-test/perf/match-bench.js` after `make build`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, dbPath, type Package, purlOf } from '../src/core/index.js';
import { sbom as sbomOf } from '../src/engine/index.js';
import { matchInventory } from '../src/match/index.js';
import type { Inventory } from '../src/sbom/index.js';
import { openVulnDb } from '../src/vulndb/index.js';
import { precondition, provenance, target } from './report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DB_DIR = join(ROOT, 'perf', '.work', 'vulndb', 'db');
const TARGET = 2_000;
const LAYER = `sha256:${'0'.repeat(64)}` as const;

function ensureDb(): void {
  if (existsSync(dbPath(DB_DIR))) return;
  const script = join(ROOT, 'dist-test', 'perf', 'vulndb-build.js');
  if (!existsSync(script)) throw new Error(`no DB at ${DB_DIR} and no ${script} to build one; run make build`);
  console.log('match-bench: building the 300,000-advisory DB (perf/vulndb-build.ts) …');
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('perf/vulndb-build.ts failed');
}

function realImage(): string | undefined {
  const dir = join(ROOT, 'test', '.work', 'images');
  if (!existsSync(dir)) return undefined;
  const tars = readdirSync(dir)
    .filter((f) => /^real-image-.*\.tar$/.test(f))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return tars[0];
}

function synthetic(n: number, offset: number): Package[] {
  const out: Package[] = [];
  const os = { family: 'debian', version: '12', name: 'Debian GNU/Linux 12' };
  for (let i = 0; i < n; i++) {
    const k = i % 5;
    const j = i + offset;
    const fact =
      k === 0
        ? {
            ecosystem: 'deb' as const,
            name: `bin-${j}`,
            version: `${j % 5}.${j % 20}.${j % 30}-1`,
            source: { name: `pkg-${j % 3000}`, version: `${j % 5}.${j % 20}.${j % 30}-1` },
          }
        : k === 1
          ? { ecosystem: 'npm' as const, name: `pkg-${(j * 7) % 40000}`, version: `${j % 5}.${j % 20}.${j % 30}` }
          : k === 2
            ? { ecosystem: 'pypi' as const, name: `pkg-${(j * 3) % 15000}`, version: `${j % 5}.${j % 20}.${j % 30}` }
            : k === 3
              ? {
                  ecosystem: 'golang' as const,
                  name: `github.com/org${j % 211}/mod${j % 8000}`,
                  version: `v${j % 5}.${j % 20}.${j % 30}`,
                }
              : {
                  ecosystem: 'maven' as const,
                  name: `org.example${j % 97}:artifact-${j % 10000}`,
                  version: `${j % 5}.${j % 20}.${j % 30}`,
                };
    out.push({ ...fact, id: `syn-${j}`, purl: purlOf(fact, os), paths: [], layer: LAYER });
  }
  return out;
}

async function main(): Promise<void> {
  ensureDb();
  const ctx = createContext({ config: { cache: false } });
  const archive = realImage();
  let base: Inventory | undefined;
  let sbomMs: number | undefined;
  if (archive) {
    await sbomOf(`docker-archive:${archive}`, ctx); // first read warms the OS file cache
    const t = performance.now();
    base = await sbomOf(`docker-archive:${archive}`, ctx);
    sbomMs = performance.now() - t;
  }
  const own = base?.packages ?? [];
  const inventory: Inventory = {
    schemaVersion: 1,
    tool: { name: 'customs', version: 'bench' },
    createdAt: new Date().toISOString(),
    target: base?.target ?? {
      name: 'synthetic',
      transport: 'dir',
      configDigest: LAYER,
      repoDigests: [],
      repoTags: [],
      layers: [],
    },
    os: base?.os ?? { family: 'debian', version: '12.5', name: 'Debian GNU/Linux 12 (bookworm)' },
    packages: [...own, ...synthetic(Math.max(0, TARGET - own.length), 0)],
    unknowns: [],
  };
  const db = openVulnDb(dbPath(DB_DIR));
  try {
    // The target is stated for 2,000 packages against at least 300,000 advisories.
    const advisories = db.metadata.advisories ?? 0;
    precondition(
      advisories >= 300_000,
      `the DB in ${DB_DIR} has ${advisories} advisories; the target is for ≥ 300,000 (delete it to rebuild)`,
    );
    precondition(inventory.packages.length === TARGET, `${inventory.packages.length} packages, not ${TARGET}`);
    let t = performance.now();
    const cold = matchInventory(inventory, db);
    const coldMs = performance.now() - t;
    const runs: number[] = [];
    matchInventory(inventory, db); // JIT warm-up
    for (let i = 0; i < 9; i++) {
      t = performance.now();
      matchInventory(inventory, db);
      runs.push(performance.now() - t);
    }
    runs.sort((a, b) => a - b);
    const warm = runs[Math.floor(runs.length / 2)] ?? 0;
    console.log(
      `match:  ${inventory.packages.length} packages against ${db.metadata.advisories ?? '?'} advisories → ${cold.findings.length} findings, ${cold.notes.length} notes`,
    );
    console.log(`match:  cold ${coldMs.toFixed(1)} ms, warm ${warm.toFixed(1)} ms (median of 9)`);
    console.log(
      sbomMs === undefined
        ? 'sbom:   no real image in test/.work/images (run the e2e tests once) — SBOM stage not timed'
        : `sbom:   ${sbomMs.toFixed(0)} ms for the same image (${own.length} packages, no layer cache); match is ${((warm / sbomMs) * 100).toFixed(1)}% of it`,
    );
    // A benchmark reports; it does not fail the run (absolute times on shared machines are noise).
    target('match 2,000 packages, warm', warm, '<=', 50, ' ms');
    console.log(provenance(ROOT));
  } finally {
    db.close();
  }
}

await main();
