/**
 * Benchmark (issue 3, "Speed"): build the vulnerability DB from a synthetic OSV
 * corpus of ≥ 300,000 advisories and time `affecting()` lookups.
 * Targets: build < 3 min, file < 1 GB. Run by `make bench`, or
 * `node dist-test/perf/vulndb-build.js [COUNT]` after `make build`.
 *
 * The corpus mixes ecosystems in roughly OSV's proportions (language ecosystems
 * dominate, then distro releases), with ECOSYSTEM and SEMVER ranges, multi-range
 * and `versions`-list records, aliases, CVSS vectors and a few withdrawn ones. It is
 * written as one all.zip per ecosystem, the way OSV publishes it, into perf/.work.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { createContext, dbPath } from '../src/core/index.js';
import { importVulnDb, openVulnDb } from '../src/vulndb/index.js';
import { precondition, provenance, target } from './report.js';

const COUNT = Number(process.argv[2] ?? 300_000);
const work = fileURLToPath(new URL('../../perf/.work/vulndb/', import.meta.url));

/** [OSV ecosystem, share of the corpus, package names in it]. */
const MIX: readonly (readonly [string, number, number])[] = [
  ['npm', 0.3, 40_000],
  ['PyPI', 0.15, 15_000],
  ['Maven', 0.1, 10_000],
  ['Go', 0.08, 8_000],
  ['Debian:12', 0.08, 3_000],
  ['Debian:11', 0.06, 3_000],
  ['Ubuntu:22.04:LTS', 0.06, 3_000],
  ['Alpine:v3.19', 0.04, 1_500],
  ['Red Hat:enterprise_linux:9::appstream', 0.04, 2_000],
  ['crates.io', 0.03, 3_000],
  ['RubyGems', 0.02, 2_000],
  ['Packagist', 0.02, 2_000],
  ['NuGet', 0.02, 2_000],
];

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same corpus. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pkgName = (eco: string, i: number): string =>
  eco === 'Maven'
    ? `org.example${i % 97}:artifact-${i}`
    : eco === 'Go'
      ? `github.com/org${i % 211}/mod${i}`
      : `pkg-${i}`;

function record(eco: string, names: number, i: number, rand: () => number): object {
  const id = `SYN-${eco.replace(/[^A-Za-z]/g, '').slice(0, 6)}-${i}`;
  const semver = eco === 'Go' || eco === 'crates.io';
  const ver = (): string => `${Math.floor(rand() * 5)}.${Math.floor(rand() * 20)}.${Math.floor(rand() * 30)}`;
  const distro = eco.includes(':');
  const fixed = distro ? `${ver()}-${1 + Math.floor(rand() * 3)}` : ver();
  const ranges =
    rand() < 0.15
      ? [
          { type: semver ? 'SEMVER' : 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.0' }] },
          { type: semver ? 'SEMVER' : 'ECOSYSTEM', events: [{ introduced: '2.0.0' }, { fixed: '2.3.4' }] },
        ]
      : [
          {
            type: semver ? 'SEMVER' : 'ECOSYSTEM',
            events: [{ introduced: '0' }, rand() < 0.1 ? { last_affected: fixed } : { fixed }],
          },
        ];
  const cve = `CVE-${2015 + (i % 10)}-${10000 + i}`;
  return {
    schema_version: '1.6.0',
    id,
    modified: '2024-06-01T00:00:00Z',
    published: '2023-01-01T00:00:00Z',
    ...(rand() < 0.01 ? { withdrawn: '2024-05-01T00:00:00Z' } : {}),
    aliases: [cve, ...(rand() < 0.3 ? [`GHSA-syn${i}`] : [])],
    summary: `Synthetic advisory ${i} for benchmarking`,
    details: 'A flaw in the parser allows a remote attacker to cause a denial of service via a crafted input. '.repeat(
      3,
    ),
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    affected: [
      {
        package: { ecosystem: eco, name: pkgName(eco, Math.floor(rand() * names)) },
        ranges,
        ...(rand() < 0.2 ? { versions: ['0.9.0', '0.9.1', '1.0.0-rc1'] } : {}),
      },
    ],
    references: [{ type: 'ADVISORY', url: `https://nvd.nist.gov/vuln/detail/${cve}` }],
    database_specific: { severity: 'HIGH' },
  };
}

function writeZip(path: string, eco: string, names: number, from: number, count: number): void {
  // zipSync per ecosystem (≤ ~100 MB of JSON in memory): fflate's streaming Zip is far slower per small entry.
  const rand = rng(from + 1);
  const files: Record<string, [Uint8Array, { level: 1 }]> = {};
  for (let i = from; i < from + count; i++)
    files[`SYN-${i}.json`] = [Buffer.from(JSON.stringify(record(eco, names, i, rand))), { level: 1 }];
  writeFileSync(path, zipSync(files));
}

async function main(): Promise<void> {
  precondition(
    COUNT >= 300_000,
    `COUNT ${COUNT}: the targets are for at least 300,000 advisories (run without an argument)`,
  );
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  let t = performance.now();
  const zips: string[] = [];
  let next = 0;
  for (const [eco, share, names] of MIX) {
    const count = Math.round(COUNT * share);
    const path = join(work, `${eco.replace(/[^A-Za-z0-9.]/g, '_')}-all.zip`);
    writeZip(path, eco, names, next, count);
    next += count;
    zips.push(path);
  }
  console.log(
    `corpus: ${next} synthetic OSV advisories in ${zips.length} all.zip files (${((performance.now() - t) / 1000).toFixed(1)} s to generate)`,
  );

  const dbDir = join(work, 'db');
  t = performance.now();
  const meta = await importVulnDb(zips, createContext({ config: { dbDir } }));
  const buildS = (performance.now() - t) / 1000;
  const size = statSync(dbPath(dbDir)).size;
  const skipped = meta.sources.reduce((n, s) => n + s.skipped, 0);
  console.log(
    `build:  ${buildS.toFixed(1)} s for ${meta.advisories} advisories (${skipped} skipped), ${(size / 1024 / 1024).toFixed(1)} MiB`,
  );

  const db = openVulnDb(dbPath(dbDir));
  const rand = rng(42);
  const queries: [string, string][] = [];
  for (let i = 0; i < 10_000; i++) {
    const [eco, , names] = MIX[Math.floor(rand() * MIX.length)] ?? MIX[0] ?? ['npm', 1, 1];
    const key = eco.startsWith('Ubuntu') ? 'Ubuntu:22.04' : eco.startsWith('Red Hat') ? 'Red Hat:9' : eco;
    queries.push([key, pkgName(eco, Math.floor(rand() * names))]);
  }
  for (const run of ['cold', 'warm'] as const) {
    t = performance.now();
    let hits = 0;
    for (const [eco, name] of queries) hits += db.affecting(eco, name).length;
    console.log(
      `lookup: 10,000 affecting() calls ${run}: ${(performance.now() - t).toFixed(0)} ms (${hits} statements found)`,
    );
  }
  db.close();
  // A benchmark reports; it does not fail the run.
  target('DB build', Number(buildS.toFixed(1)), '<', 180, ' s');
  target('DB file size', Number((size / 1024 / 1024).toFixed(1)), '<', 1024, ' MiB');
  console.log(provenance(fileURLToPath(new URL('../../', import.meta.url))));
}

await main();
