/**
 * Benchmark (rescans in proportion to change, docs/rescans.md): 20,000 stored
 * images of ~300 packages each and a DB update that changes 5,000 advisories;
 * prints the time of the proportional rescan, of a full re-match of every image
 * in the same run, and the ratio, on SQLite and on PostgreSQL (a throwaway
 * cluster). Targets: proportional ≤ 10 s on each backend, ≥ 50× faster than
 * the full re-match. Not a timed test: `make bench`, or
 * `node dist-test/perf/rescan-bench.js [IMAGES] [CHANGED] [sqlite|postgres|both]`.
 *
 * Inventories use real package names and versions: Debian 12's archive as
 * `apt-cache dumpavail` lists it (binary, source, version, priority), the
 * packages installed on this machine (/var/lib/dpkg/status) as the popular
 * ones, and the npm packages of this checkout's node_modules. Every image has
 * the base system (priority required and important), 180 packages of this
 * machine's set, 30 drawn from the whole archive, and 25 npm packages.
 * The DBs are built through the DB writer from 300,000 generated OSV records in
 * roughly OSV's mix of ecosystems (MIX below; 8% Debian 12 over the archive's
 * real source packages, 30% npm over this checkout's names and generated ones),
 * spread over each ecosystem's keys with Zipf weights in a random order (a few
 * packages have many advisories, most have few or none). The update changes
 * 5,000 advisories drawn uniformly (2,000 rescored, 1,000 with another fix
 * version, 1,000 withdrawn, 1,000 new).
 * Seeding writes the store's tables directly in large batches (the state a
 * scan of each image with the old DB leaves: facts, inventory rows and
 * findings computed by the matchers once per distinct package).
 *
 * `--store-size [IMAGES] [sqlite|postgres|both]` measures instead how big the
 * store grows (docs/deploy.md "Sizing"): IMAGES images (default 2,000) of
 * 300–600 packages drawn as above, each recorded through the store's own API
 * as a worker records a scan (scans.record with the scan's JSON report and
 * the verdict of deploy/policy.yaml, images.put with config and layers, a tag,
 * image.new and scan.finished events); then the database size and each
 * table's (with its indexes and TOAST) per 10,000 images, extrapolated
 * linearly from IMAGES over the size of the freshly migrated, empty store.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type Package, stableJson } from '../src/core/index.js';
import { compareFindings, matchInventory, type VulnFinding } from '../src/match/index.js';
import { evaluatePolicy, loadPolicies } from '../src/policy/index.js';
import { renderScanJson, vulnerabilityJson } from '../src/report/index.js';
import type { ScanResult } from '../src/result/index.js';
import { type Inventory, licenseReport } from '../src/sbom/index.js';
import { rescan } from '../src/server/rescan/index.js';
import { EVENT_TYPES, type ServerContext } from '../src/server/index.js';
import { inventoryPackagesOf, openStore, type Store } from '../src/store/index.js';
import { findingsOf } from '../src/store/scan-document.js';
import { startPostgres } from '../src/store/test-support/postgres.js';
import { DbWriter, osvToAdvisory, openVulnDb, packageKey, type VulnDbReader } from '../src/vulndb/index.js';
import { precondition, provenance, target } from './report.js';
import { postgresSizes, type Sizes, sqliteSizes } from './store-sizes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORK = join(ROOT, 'perf', '.work', 'rescan');
const STORE_SIZE = process.argv.includes('--store-size');
const ARGS = process.argv.slice(2).filter((a) => a !== '--store-size');
const IMAGES = Number(ARGS[0] ?? (STORE_SIZE ? 2_000 : 20_000));
const CHANGED = STORE_SIZE ? 0 : Number(ARGS[1] ?? 5_000);
const BACKEND_ARG = (STORE_SIZE ? ARGS[1] : ARGS[2]) ?? 'both';
const BACKENDS = BACKEND_ARG === 'both' ? ['sqlite', 'postgres'] : [BACKEND_ARG];
const ADVISORIES = 300_000;
const T0 = Date.UTC(2026, 0, 1);
const T1 = T0 + 86_400_000;
const BASE_LAYER = `sha256:${'b'.repeat(64)}`;
const LAYER_MARK = '@@LAYER@@';

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261206);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const shuffle = <T>(xs: T[]): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
};
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

// ---- real package names ----

interface DebEntry {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly sourceVersion: string;
  readonly priority: string;
}

function debianArchive(): DebEntry[] {
  const text = execFileSync('apt-cache', ['dumpavail'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const out = new Map<string, DebEntry>();
  for (const para of text.split('\n\n')) {
    const f = new Map<string, string>();
    for (const line of para.split('\n')) {
      const m = /^([A-Za-z-]+): (.*)$/.exec(line);
      if (m) f.set(m[1] as string, m[2] as string);
    }
    const name = f.get('Package');
    const version = f.get('Version');
    if (!name || !version || out.has(name)) continue;
    // "Source: name (version)" when the source version differs from the binary's.
    const src = /^(\S+)(?: \((\S+)\))?$/.exec(f.get('Source') ?? name);
    out.set(name, {
      name,
      version,
      source: src?.[1] ?? name,
      sourceVersion: src?.[2] ?? version,
      priority: f.get('Priority') ?? 'optional',
    });
  }
  return [...out.values()];
}

function installedHere(): Set<string> {
  const text = readFileSync('/var/lib/dpkg/status', 'utf8');
  return new Set([...text.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1] as string));
}

function npmHere(): { name: string; version: string }[] {
  const nm = join(ROOT, 'node_modules');
  const out: { name: string; version: string }[] = [];
  const read = (dir: string, name: string): void => {
    try {
      const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
      if (typeof pj.version === 'string' && /^\d+\.\d+\.\d+$/.test(pj.version)) out.push({ name, version: pj.version });
    } catch {
      // not a package
    }
  };
  for (const d of readdirSync(nm)) {
    if (d.startsWith('.')) continue;
    if (d.startsWith('@')) for (const s of readdirSync(join(nm, d))) read(join(nm, d, s), `${d}/${s}`);
    else read(join(nm, d), d);
  }
  return out;
}

// ---- the two DB versions ----

type Spec = {
  id: string;
  aliases: string[];
  eco: string;
  name: string;
  fixed?: string;
  severity: string;
  withdrawn?: boolean;
};

function osv(s: Spec): object {
  return {
    schema_version: '1.6.0',
    id: s.id,
    modified: '2026-01-01T00:00:00Z',
    published: '2025-06-01T00:00:00Z',
    ...(s.withdrawn ? { withdrawn: '2026-01-02T00:00:00Z' } : {}),
    aliases: s.aliases,
    summary: `synthetic flaw in ${s.name}`,
    affected: [
      {
        package: { ecosystem: s.eco, name: s.name },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, ...(s.fixed ? [{ fixed: s.fixed }] : [])] }],
      },
    ],
    references: [],
    database_specific: { severity: s.severity },
  };
}

/** Zipf weights over a random order of keys: a few keys hold many advisories, most hold few or none. */
function zipfPicker(keys: readonly string[]): () => string {
  const order = shuffle([...keys]);
  const cdf: number[] = [];
  let sum = 0;
  for (let i = 0; i < order.length; i++) {
    sum += 1 / (i + 10);
    cdf.push(sum);
  }
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return order[lo] as string;
  };
}

const SEVERITIES = ['LOW', 'MODERATE', 'HIGH', 'CRITICAL'];

/** A fix version: mostly before the installed one (not affected), some after, some none. */
function fixFor(installed: string | undefined, deb: boolean): string | undefined {
  const r = rand();
  if (installed === undefined) return deb ? '1.0-1' : '1.0.0';
  if (r < 0.85) return deb ? '0~0-1' : '0.0.1';
  if (r < 0.95) return deb ? `${installed}+deb12u9` : installed.replace(/(\d+)$/, (d) => String(Number(d) + 1));
  return undefined;
}

/**
 * The DB's mix of ecosystems, in roughly OSV's proportions (as perf/vulndb-build.ts):
 * [ecosystem, share of advisories, number of package names]. Debian 12 and 11 name
 * the archive's real source packages, npm this checkout's packages and generated
 * ones; the other ecosystems generated names (no stored image holds them).
 */
const MIX: readonly (readonly [string, number, number])[] = [
  ['npm', 0.3, 40_000],
  ['PyPI', 0.15, 15_000],
  ['Maven', 0.1, 10_000],
  ['Go', 0.08, 8_000],
  ['Debian:12', 0.08, 0],
  ['Debian:11', 0.06, 0],
  ['Ubuntu:22.04:LTS', 0.06, 3_000],
  ['Alpine:v3.19', 0.04, 1_500],
  ['Red Hat:enterprise_linux:9::appstream', 0.04, 2_000],
  ['crates.io', 0.03, 3_000],
  ['RubyGems', 0.02, 2_000],
  ['Packagist', 0.02, 2_000],
  ['NuGet', 0.02, 2_000],
];

function advisories(
  debSources: Map<string, string>,
  npm: Map<string, string>,
): { old: Spec[]; next: Spec[]; changed: number } {
  const pickers = new Map<string, () => string>();
  for (const [eco, , names] of MIX) {
    let list: string[];
    if (eco.startsWith('Debian')) list = [...debSources.keys()];
    else if (eco === 'npm') {
      list = [...npm.keys()];
      for (let i = list.length; i < names; i++) list.push(`synthetic-pkg-${i}`);
    } else
      list = Array.from({ length: names }, (_, i) =>
        eco === 'Maven' ? `org.example${i % 97}:artifact-${i}` : `pkg-${i}`,
      );
    pickers.set(eco, zipfPicker(list));
  }
  const cdf: [string, number][] = [];
  let acc = 0;
  for (const [eco, share] of MIX) {
    acc += share;
    cdf.push([eco, acc]);
  }
  const ecoOf = (): string => {
    const x = rand() * acc;
    return (cdf.find(([, c]) => x < c) ?? cdf[cdf.length - 1] ?? ['npm'])[0];
  };
  const make = (n: number): Spec => {
    const eco = ecoOf();
    const name = (pickers.get(eco) as () => string)();
    const deb = eco.includes(':');
    const cve = `CVE-2025-${100000 + n}`;
    const installed = eco === 'Debian:12' ? debSources.get(name) : eco === 'npm' ? npm.get(name) : undefined;
    const fixed = fixFor(installed, deb);
    return {
      id: deb ? cve : `GHSA-syn-${n}`,
      aliases: deb ? [] : [cve],
      eco,
      name,
      ...(fixed !== undefined ? { fixed } : {}),
      severity: pick(SEVERITIES),
    };
  };
  const old: Spec[] = [];
  for (let i = 0; i < ADVISORIES; i++) old.push(make(i));
  const next = [...old];
  const touched = shuffle(old.map((_, i) => i)).slice(0, Math.round(CHANGED * 0.8));
  touched.forEach((i, j) => {
    const a = next[i] as Spec;
    if (j % 4 === 3) next[i] = { ...a, withdrawn: true };
    else if (j % 2 === 0) next[i] = { ...a, severity: SEVERITIES[(SEVERITIES.indexOf(a.severity) + 1) % 4] as string };
    else {
      const { fixed: _f, ...rest } = a;
      const installed = a.eco === 'Debian:12' ? debSources.get(a.name) : a.eco === 'npm' ? npm.get(a.name) : undefined;
      const fixed = fixFor(installed, a.eco.includes(':'));
      next[i] = { ...rest, ...(fixed !== undefined ? { fixed } : {}) };
    }
  });
  const added = CHANGED - touched.length;
  for (let j = 0; j < added; j++) next.push(make(old.length + j));
  return { old, next, changed: touched.length + added };
}

function writeDb(path: string, specs: readonly Spec[]): void {
  rmSync(path, { force: true });
  const w = new DbWriter(path);
  const sink = w.source('osv:synthetic', 'file:synthetic', '2026-01-01T00:00:00Z');
  for (const s of specs) {
    const a = osvToAdvisory(osv(s));
    if (typeof a === 'string') throw new Error(`bad synthetic record ${s.id}: ${a}`);
    sink.advisory(a);
  }
  sink.finish();
  w.finish(new Date(T0));
}

// ---- the stored state ----

interface Distinct {
  readonly pkg: Package;
  readonly namespace: string;
  readonly keyId: number;
  readonly sourceKeyId: number | null;
  readonly factsId: number;
  readonly factsText: string;
  /** What the matchers found for it with the old DB (layer: the mark). */
  readonly vulns: readonly VulnFinding[];
  /** Findings of a scan with the old DB, the layer left as a mark. */
  readonly findings: {
    ref: string;
    findingId: string;
    severity: string;
    purl: string | null;
    fingerprint: string;
    data: string;
  }[];
}

/** How many packages of each kind an image draws (after the base system, which every image has). */
interface Mix {
  readonly popular: () => number;
  readonly tail: () => number;
  readonly npm: () => number;
}
const RESCAN_MIX: Mix = { popular: () => 180, tail: () => 30, npm: () => 25 };

interface Seed {
  readonly distinct: Distinct[];
  readonly images: { digest: string; rows: number[]; base: number }[];
  readonly keys: { id: number; namespace: string; name: string }[];
}

function seedPlan(
  arch: DebEntry[],
  installed: Set<string>,
  npm: { name: string; version: string }[],
  db: VulnDbReader,
  mix: Mix = RESCAN_MIX,
): Seed {
  const keys = new Map<string, number>();
  const keyId = (namespace: string, name: string): number => {
    const folded = packageKey(namespace, name);
    const k = `${namespace}\u0000${folded}`;
    let id = keys.get(k);
    if (id === undefined) {
      id = keys.size + 1;
      keys.set(k, id);
    }
    return id;
  };
  const distinct: Distinct[] = [];
  const add = (pkg: Package, namespace: string, source?: string): number => {
    const { layer: _l, ...facts } = pkg;
    const factsText = stableJson(facts);
    const inv = { packages: [pkg] } as unknown as Inventory;
    const m = matchInventory(inv, db, namespace.startsWith('Debian') ? { distroKey: namespace } : {});
    const docVulns = m.findings.map((f) => JSON.parse(JSON.stringify(vulnerabilityJson(f))) as unknown);
    const rows = findingsOf({ schemaVersion: 1, target: { name: '' }, vulnerabilities: docVulns as never }).map(
      (f) => ({
        ref: f.ref,
        findingId: f.findingId,
        severity: f.severity,
        purl: f.packagePurl ?? null,
        fingerprint: f.fingerprint,
        data: JSON.stringify(f.data),
      }),
    );
    distinct.push({
      pkg,
      namespace,
      keyId: keyId(namespace, pkg.name),
      sourceKeyId:
        source !== undefined && packageKey(namespace, source) !== packageKey(namespace, pkg.name)
          ? keyId(namespace, source)
          : null,
      factsId: distinct.length + 1,
      factsText,
      vulns: m.findings,
      findings: rows,
    });
    return distinct.length - 1;
  };
  const debIdx = new Map<string, number>();
  const deb = (e: DebEntry): number => {
    const known = debIdx.get(e.name);
    if (known !== undefined) return known;
    const idx = addDeb(e);
    debIdx.set(e.name, idx);
    return idx;
  };
  const addDeb = (e: DebEntry): number =>
    add(
      {
        ecosystem: 'deb',
        name: e.name,
        version: e.version,
        arch: 'amd64',
        source: { name: e.source, version: e.sourceVersion },
        id: sha(`deb/${e.name}@${e.version}`).slice(0, 16),
        purl: `pkg:deb/debian/${e.name}@${encodeURIComponent(e.version)}?arch=amd64&distro=debian-12`,
        paths: ['var/lib/dpkg/status'],
        layer: LAYER_MARK as `sha256:${string}`,
      },
      'Debian:12',
      e.source,
    );
  const base = arch.filter((e) => e.priority === 'required' || e.priority === 'important').map(deb);
  const popular = arch
    .filter((e) => installed.has(e.name) && e.priority !== 'required' && e.priority !== 'important')
    .map(deb);
  const tailEntries = arch.filter((e) => !installed.has(e.name));
  const tail = new Map<number, number>();
  const npmIdx = npm.map((p) =>
    add(
      {
        ecosystem: 'npm',
        name: p.name,
        version: p.version,
        id: sha(`npm/${p.name}@${p.version}`).slice(0, 16),
        purl: `pkg:npm/${p.name.replace('@', '%40')}@${p.version}`,
        paths: [`app/node_modules/${p.name}/package.json`],
        layer: LAYER_MARK as `sha256:${string}`,
      },
      'npm',
    ),
  );
  const images: Seed['images'] = [];
  const choose = (from: readonly number[], n: number, into: Set<number>): void => {
    const want = into.size + Math.min(n, from.length);
    while (into.size < want) into.add(pick(from));
  };
  for (let i = 0; i < IMAGES; i++) {
    const set = new Set<number>(base);
    choose(popular, mix.popular(), set);
    const t = new Set<number>();
    const tailCount = mix.tail();
    while (t.size < tailCount) {
      const k = Math.floor(rand() * tailEntries.length);
      let idx = tail.get(k);
      if (idx === undefined) {
        idx = deb(tailEntries[k] as DebEntry);
        tail.set(k, idx);
      }
      t.add(idx);
    }
    for (const x of t) set.add(x);
    choose(npmIdx, mix.npm(), set);
    images.push({ digest: `sha256:${sha(`image-${i}`)}`, rows: [...set], base: base.length });
  }
  const keyList = [...keys].map(([k, id]) => {
    const [namespace = '', name = ''] = k.split('\u0000');
    return { id, namespace, name };
  });
  return { distinct, images, keys: keyList };
}

/** Bulk writers per backend: rows as arrays in column order. */
interface Bulk {
  insert(
    table: string,
    columns: readonly string[],
    types: readonly string[],
    rows: readonly unknown[][],
  ): Promise<void>;
  finish(): Promise<void>;
}

function sqliteBulk(file: string): Bulk {
  const db = new Database(file);
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  return {
    async insert(table, columns, _types, rows) {
      const stmt = db.prepare(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      );
      db.transaction(() => {
        for (const r of rows) stmt.run(r);
      })();
    },
    async finish() {
      db.exec('ANALYZE');
      db.close();
    },
  };
}

async function postgresBulk(url: string): Promise<Bulk> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SET synchronous_commit = off');
  const tables = new Set<string>();
  return {
    async insert(table, columns, types, rows) {
      tables.add(table);
      const CHUNK = 50_000;
      for (let i = 0; i < rows.length; i += CHUNK) {
        const part = rows.slice(i, i + CHUNK);
        const arrays = columns.map((_, c) => part.map((r) => r[c]));
        await client.query(
          `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${types.map((t, c) => `$${c + 1}::${t}[]`).join(', ')})`,
          arrays,
        );
      }
    },
    async finish() {
      // Rows were given explicit ids: move the identity sequences past them.
      for (const t of tables) {
        const r = await client.query(
          `SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND column_name = 'id' AND is_identity = 'YES'`,
          [t],
        );
        if (r.rowCount)
          await client.query(
            `SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT coalesce(max(id), 1) FROM ${t}))`,
          );
      }
      await client.query('ANALYZE');
      await client.end();
    },
  };
}

async function seed(bulk: Bulk, plan: Seed): Promise<{ rows: number; findings: number }> {
  await bulk.insert(
    'registries',
    ['id', 'name', 'url', 'tls', 'selection', 'created_at', 'updated_at'],
    ['bigint', 'text', 'text', 'text', 'text', 'bigint', 'bigint'],
    [
      [
        1,
        'registry.example',
        'https://registry.example',
        '{"insecure":false,"skipVerify":false}',
        '{"include":["**"],"exclude":[]}',
        T0,
        T0,
      ],
    ],
  );
  const repos = Math.ceil(IMAGES / 10);
  await bulk.insert(
    'repositories',
    ['id', 'registry_id', 'name', 'created_at'],
    ['bigint', 'bigint', 'text', 'bigint'],
    Array.from({ length: repos }, (_, i) => [i + 1, 1, `team-${i % 50}/service-${i}`, T0]),
  );
  await bulk.insert(
    'package_keys',
    ['id', 'namespace', 'name'],
    ['bigint', 'text', 'text'],
    plan.keys.map((k) => [k.id, k.namespace, k.name]),
  );
  await bulk.insert(
    'package_facts',
    ['id', 'hash', 'facts'],
    ['bigint', 'text', 'text'],
    plan.distinct.map((d) => [d.factsId, sha(d.factsText), d.factsText]),
  );
  const images: unknown[][] = [];
  const tags: unknown[][] = [];
  let rows = 0;
  let findings = 0;
  const CHUNK = 500;
  for (let from = 0; from < plan.images.length; from += CHUNK) {
    const ip: unknown[][] = [];
    const ipf: unknown[][] = [];
    const fr: unknown[][] = [];
    plan.images.slice(from, from + CHUNK).forEach((img, j) => {
      const id = from + j + 1;
      const own = `sha256:${sha(`layer-${id}`)}`;
      images.push([
        id,
        img.digest,
        `sha256:${sha(`config-${id}`)}`,
        'linux/amd64',
        JSON.stringify([
          { digest: BASE_LAYER, diffId: BASE_LAYER, size: 1 },
          { digest: own, diffId: own, size: 1 },
        ]),
        T0,
        T0,
      ]);
      tags.push([(id % repos) + 1, `v${id}`, img.digest, T0]);
      img.rows.forEach((d, seq) => {
        const p = plan.distinct[d] as Distinct;
        const layer = seq < img.base ? BASE_LAYER : own;
        ip.push([id, seq, p.keyId, p.sourceKeyId, p.pkg.ecosystem, p.pkg.version, p.pkg.purl, layer]);
        ipf.push([id, seq, p.factsId]);
        for (const f of p.findings)
          fr.push([
            id,
            f.ref,
            'vuln',
            f.findingId,
            f.severity,
            f.purl,
            f.fingerprint,
            f.data.replace(LAYER_MARK, layer),
            T0,
            T0,
          ]);
      });
    });
    await bulk.insert(
      'images',
      ['id', 'digest', 'config_digest', 'platform', 'layers', 'inventory_at', 'created_at'],
      ['bigint', 'text', 'text', 'text', 'text', 'bigint', 'bigint'],
      images.splice(0),
    );
    await bulk.insert(
      'tags',
      ['repository_id', 'tag', 'digest', 'updated_at'],
      ['bigint', 'text', 'text', 'bigint'],
      tags.splice(0),
    );
    await bulk.insert(
      'image_packages',
      ['image_id', 'seq', 'package_key_id', 'source_key_id', 'ecosystem', 'version', 'purl', 'layer'],
      ['bigint', 'int', 'bigint', 'bigint', 'text', 'text', 'text', 'text'],
      ip,
    );
    await bulk.insert('image_package_facts', ['image_id', 'seq', 'facts_id'], ['bigint', 'int', 'bigint'], ipf);
    await bulk.insert(
      'findings',
      [
        'image_id',
        'ref',
        'kind',
        'finding_id',
        'severity',
        'package_purl',
        'fingerprint',
        'data',
        'first_seen_at',
        'last_seen_at',
      ],
      ['bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint'],
      fr,
    );
    rows += ip.length;
    findings += fr.length;
    if ((from / CHUNK) % 8 === 0)
      process.stdout.write(`\r  seeding: ${Math.min(from + CHUNK, plan.images.length)} images`);
  }
  process.stdout.write('\n');
  await bulk.finish();
  return { rows, findings };
}

const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const ctxOf = (store: Store, clock: { t: number }): ServerContext => ({
  store,
  log: silentLog,
  dataDir: WORK,
  signal: new AbortController().signal,
  now: () => clock.t,
});

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** What both benches build from: this machine's Debian archive, installed packages and npm packages (the work dir made). */
function benchInputs() {
  mkdirSync(WORK, { recursive: true });
  const arch = debianArchive();
  const installed = installedHere();
  const npm = npmHere();
  precondition(arch.length > 10_000, `apt-cache dumpavail lists ${arch.length} packages (run apt-get update)`);
  precondition(npm.length > 100, `node_modules holds ${npm.length} npm packages`);
  const debSources = new Map<string, string>();
  for (const e of arch) if (!debSources.has(e.source)) debSources.set(e.source, e.sourceVersion);
  const npmVersions = new Map(npm.map((p) => [p.name, p.version]));
  return { arch, installed, npm, debSources, npmVersions };
}

async function main(): Promise<void> {
  console.log(`rescan-bench: ${provenance(ROOT)}`);
  const { arch, installed, npm, debSources, npmVersions } = benchInputs();
  let t = performance.now();
  const { old, next, changed } = advisories(debSources, npmVersions);
  const oldDb = join(WORK, 'old.db');
  const newDb = join(WORK, 'new.db');
  writeDb(oldDb, old);
  writeDb(newDb, next);
  console.log(
    `DBs: ${old.length} → ${next.length} advisories, ${changed} changed (${secs(performance.now() - t)} to build both)`,
  );
  t = performance.now();
  const reader = openVulnDb(oldDb);
  const plan = seedPlan(arch, installed, npm, reader);
  reader.close();
  const perImage = plan.images.reduce((n, i) => n + i.rows.length, 0) / plan.images.length;
  console.log(
    `images: ${IMAGES} × ${perImage.toFixed(0)} packages (${plan.distinct.length} distinct) from ${arch.length} Debian 12 archive packages, ${installed.size} installed here, ${npm.length} npm (${secs(performance.now() - t)} to plan)`,
  );

  const results: { backend: string; prop: number; full: number }[] = [];
  for (const backend of BACKENDS) {
    let target_: string;
    let stop: (() => Promise<void>) | undefined;
    if (backend === 'sqlite') {
      const dir = join(WORK, 'sqlite-store');
      rmSync(dir, { recursive: true, force: true });
      target_ = dir;
    } else {
      const cluster = await startPostgres();
      stop = () => cluster.stop();
      target_ = await cluster.createDatabase();
    }
    try {
      const clock = { t: T0 };
      await (await openStore(target_)).close(); // migrate
      t = performance.now();
      const bulk = backend === 'sqlite' ? sqliteBulk(join(target_, 'state.db')) : await postgresBulk(target_);
      const seeded = await seed(bulk, plan);
      console.log(
        `${backend}: seeded ${seeded.rows} inventory rows, ${seeded.findings} findings in ${secs(performance.now() - t)}`,
      );
      const store = await openStore(target_, { now: () => clock.t });
      try {
        clock.t = T1;
        const prop = await rescan(ctxOf(store, clock), { from: oldDb, to: newDb });
        console.log(
          `${backend}: proportional rescan ${secs(prop.durationMs)}: ${prop.changedKeys} changed keys, ${prop.packages} rows of ${prop.images} images re-matched, ${prop.imagesChanged} images written (${((100 * prop.packages) / seeded.rows).toFixed(1)}% of rows); findings ${JSON.stringify(prop.findings)}; ${prop.events} digest events; ms ${JSON.stringify(prop.phases)}`,
        );
        precondition(prop.mode === 'keys', `the proportional rescan ran in ${prop.mode} mode (${prop.reason})`);
        const full = await rescan(ctxOf(store, clock), { from: oldDb, to: newDb, full: true });
        console.log(
          `${backend}: full re-match ${secs(full.durationMs)}: ${full.packages} rows of ${full.images} images; findings ${JSON.stringify(full.findings)}; ms ${JSON.stringify(full.phases)}`,
        );
        // The full re-match after the rescan must find nothing left to change: the rescan got every image right.
        precondition(
          full.findings.new + full.findings.changed + full.findings.fixed + full.findings.withdrawn === 0,
          `the full re-match after the proportional rescan still changed findings: ${JSON.stringify(full.findings)}`,
        );
        results.push({ backend, prop: prop.durationMs, full: full.durationMs });
      } finally {
        await store.close();
      }
    } finally {
      await stop?.();
    }
  }
  console.log('');
  for (const r of results) {
    const ratio = r.full / r.prop;
    console.log(
      `${r.backend}: proportional ${secs(r.prop)}, full re-match ${secs(r.full)}, ratio ${ratio.toFixed(1)}×`,
    );
    console.log(
      `${r.backend}: 100,000 images ≈ proportional ${secs((r.prop * 100_000) / IMAGES)}, full ${secs((r.full * 100_000) / IMAGES)} (linear: both read and re-match rows in proportion to the images holding them)`,
    );
    target(`${r.backend} proportional rescan`, r.prop / 1000, '<=', 10, ' s');
    target(`${r.backend} full / proportional`, ratio, '>=', 50, '×');
  }
}

// ---- --store-size: how big the store grows ----

/** Packages per image: the base system (65) + 210–440 of this machine's + 15–45 of the archive + 0–60 npm. */
const SIZE_MIX: Mix = {
  popular: () => 210 + Math.floor(rand() * 231),
  tail: () => 15 + Math.floor(rand() * 31),
  npm: () => Math.floor(rand() * 61),
};
/** Images are built FROM a few common bases: their first layer is shared. */
const BASE_IMAGES = 12;
const DEB_LICENSES = [
  'GPL-2.0-or-later',
  'LGPL-2.1-or-later',
  'BSD-3-Clause',
  'MIT',
  'GPL-3.0-or-later',
  'Artistic-1.0 OR GPL-1.0-or-later',
];
const NPM_LICENSES = ['MIT', 'MIT', 'MIT', 'ISC', 'Apache-2.0', 'BSD-2-Clause'];

/** One image of the plan as a worker's scan of it leaves it: the scan result, its config and layers. */
function imageScan(
  plan: Seed,
  i: number,
): { result: ScanResult; layers: { digest: string; diffId: string; size: number; mediaType: string }[] } {
  const img = plan.images[i] as Seed['images'][number];
  const baseLayer = `sha256:${sha(`base-layer-${i % BASE_IMAGES}`)}`;
  const own = Array.from({ length: 2 + (i % 4) }, (_, k) => `sha256:${sha(`layer-${i}-${k}`)}`);
  const diffIds = [baseLayer, ...own];
  const packages: Package[] = [];
  const vulns: VulnFinding[] = [];
  img.rows.forEach((d, seq) => {
    const p = plan.distinct[d] as Distinct;
    // The base system in the base layer, the rest spread over the image's own layers.
    const layer = seq < img.base ? baseLayer : (own[seq % own.length] as string);
    const license = (p.pkg.ecosystem === 'npm' ? NPM_LICENSES : DEB_LICENSES)[p.factsId % 6] as string;
    packages.push({ ...p.pkg, layer, license });
    for (const v of p.vulns) vulns.push({ ...v, layer });
  });
  vulns.sort(compareFindings);
  const configDigest = `sha256:${sha(`config-${i}`)}` as `sha256:${string}`;
  const created = new Date(T0 - (i % 400) * 86_400_000).toISOString();
  const config = {
    architecture: 'amd64',
    os: 'linux',
    created,
    config: {
      User: i % 3 === 0 ? '' : '10001',
      Env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        `APP_VERSION=1.${i}.0`,
        'NODE_ENV=production',
      ],
      Entrypoint: ['/usr/local/bin/app'],
      Cmd: ['serve'],
      WorkingDir: '/app',
      ExposedPorts: { '8080/tcp': {} },
      Labels: { 'org.opencontainers.image.source': `https://git.example/team-${i % 50}/service-${i}` },
      ...(i % 2 === 0 ? { Healthcheck: { Test: ['CMD', '/usr/local/bin/app', 'health'] } } : {}),
    },
    rootfs: { type: 'layers', diff_ids: diffIds as `sha256:${string}`[] },
    history: diffIds.map((_, k) => ({
      created,
      created_by: k === 0 ? 'debootstrap bookworm' : `RUN step ${k} of service-${i}`,
    })),
  };
  const layers = diffIds.map((diffId, k) => ({
    digest: `sha256:${sha(`blob-${diffId}`)}`,
    diffId,
    size: k === 0 ? 29_000_000 : 1_000_000 * (1 + (k % 7)),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  }));
  const inventory = {
    schemaVersion: 1,
    tool: { name: 'customs', version: '0.1.0' },
    createdAt: new Date(T0).toISOString(),
    target: {
      name: `registry.example/team-${i % 50}/service-${i}:v${i}`,
      transport: 'registry',
      manifestDigest: img.digest,
      configDigest,
      repoDigests: [`registry.example/team-${i % 50}/service-${i}@${img.digest}`],
      repoTags: [`registry.example/team-${i % 50}/service-${i}:v${i}`],
      platform: 'linux/amd64',
      created,
      layers: layers.map((l, k) => ({
        diffID: l.diffId,
        digest: l.digest,
        mediaType: l.mediaType,
        size: l.size,
        createdBy: config.history[k]?.created_by,
      })),
    },
    os: { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)', codename: 'bookworm' },
    packages,
    unknowns: [],
  } as unknown as Inventory;
  const result: ScanResult = {
    schemaVersion: 1,
    inventory,
    scanners: ['vuln', 'secret', 'misconfig', 'malware', 'license'],
    vulnerabilities: vulns,
    notes: [],
    db: {
      path: 'db',
      schemaVersion: 1,
      builtAt: new Date(T0).toISOString(),
      sources: [{ name: 'osv:synthetic', timestamp: new Date(T0).toISOString(), records: ADVISORIES }],
    },
    secrets: [],
    misconfigurations: [],
    malware: [],
    licenses: licenseReport(inventory),
    config: config as unknown as NonNullable<ScanResult['config']>,
  };
  return { result, layers };
}

const mib = (b: number): string => `${(b / 1_048_576).toFixed(1)} MiB`;

async function storeSizeMain(): Promise<void> {
  console.log(`rescan-bench --store-size: ${provenance(ROOT)}`);
  precondition(IMAGES >= 2_000, `--store-size extrapolates to 10,000 images from at least 2,000 (given ${IMAGES})`);
  const { arch, installed, npm, debSources, npmVersions } = benchInputs();
  let t = performance.now();
  const { old } = advisories(debSources, npmVersions);
  const dbFile = join(WORK, 'size.db');
  writeDb(dbFile, old);
  const reader = openVulnDb(dbFile);
  const plan = seedPlan(arch, installed, npm, reader, SIZE_MIX);
  reader.close();
  const counts = plan.images.map((i) => i.rows.length).sort((a, b) => a - b);
  const findingsPer = plan.images.map((img) =>
    img.rows.reduce((n, d) => n + (plan.distinct[d] as Distinct).vulns.length, 0),
  );
  const q = (xs: number[], f: number): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(f * (xs.length - 1))] as number;
  console.log(
    `images: ${IMAGES}, packages per image min/median/max ${counts[0]}/${q(counts, 0.5)}/${counts[counts.length - 1]} (${plan.distinct.length} distinct), findings per image median ${q(findingsPer, 0.5)} (p90 ${q(findingsPer, 0.9)}), ${BASE_IMAGES} shared base layers; DB of ${old.length} advisories (${secs(performance.now() - t)} to plan)`,
  );
  const policyPath = join(ROOT, 'deploy', 'policy.yaml');
  const policy = loadPolicies([{ path: policyPath, text: readFileSync(policyPath, 'utf8') }], new Date(T0));
  const results: { backend: string; empty: Sizes; full: Sizes }[] = [];
  for (const backend of BACKENDS) {
    let where: string;
    let stop: (() => Promise<void>) | undefined;
    if (backend === 'sqlite') {
      where = join(WORK, 'size-sqlite');
      rmSync(where, { recursive: true, force: true });
    } else {
      const cluster = await startPostgres();
      stop = () => cluster.stop();
      where = await cluster.createDatabase();
    }
    try {
      const measure = (): Promise<Sizes> =>
        backend === 'sqlite' ? Promise.resolve(sqliteSizes(where)) : postgresSizes(where);
      await (await openStore(where)).close(); // migrate
      const empty = await measure();
      const clock = { t: T0 };
      const store = await openStore(where, { now: () => clock.t });
      t = performance.now();
      const cpu = process.cpuUsage();
      try {
        const registry = await store.registries.add({ name: 'registry.example', url: 'https://registry.example' });
        const repos = new Map<number, number>();
        for (let i = 0; i < IMAGES; i++) {
          clock.t = T0 + i * 1000;
          const { result, layers } = imageScan(plan, i);
          const digest = result.inventory.target.manifestDigest as string;
          const repoIndex = i % Math.ceil(IMAGES / 5); // ~5 images (tags) per repository
          let repoId = repos.get(repoIndex);
          if (repoId === undefined) {
            repoId = (await store.images.ensureRepository(registry.id, `team-${repoIndex % 50}/service-${repoIndex}`))
              .id;
            repos.set(repoIndex, repoId);
          }
          await store.images.setTag(repoId, `v${i}`, digest);
          const verdict = evaluatePolicy(result, policy, {
            now: new Date(clock.t),
            ...(result.config ? { config: result.config } : {}),
          });
          // The scan and its verdict in one transaction, as the worker records them.
          const recorded = await store.scans.record({
            imageDigest: digest,
            document: JSON.parse(renderScanJson(result)) as unknown,
            packages: inventoryPackagesOf(result.inventory),
            dbVersion: `1:${new Date(T0).toISOString()}`,
            verdict: { status: verdict.status, policy: 'customs-release', document: verdict },
          });
          await store.images.put({
            digest,
            configDigest: result.inventory.target.configDigest,
            ...(result.config !== undefined ? { config: result.config } : {}),
            platform: 'linux/amd64',
            layers,
          });
          await store.events.append({
            type: EVENT_TYPES.imageNew,
            subject: digest,
            data: { digest, registry: registry.name },
          });
          await store.events.append({
            type: EVENT_TYPES.scanFinished,
            subject: digest,
            data: {
              digest,
              scanId: recorded.scanId,
              verdict: verdict.status,
              findings: { new: recorded.findings.new.length, changed: 0, fixed: 0 },
              registry: registry.name,
            },
          });
          if (i % 200 === 199) process.stdout.write(`\r  ${backend}: ${i + 1} images recorded`);
        }
        process.stdout.write('\n');
      } finally {
        await store.close();
      }
      const used = process.cpuUsage(cpu);
      console.log(
        `${backend}: recorded ${IMAGES} images through the store API in ${secs(performance.now() - t)} (this process's CPU ${secs((used.user + used.system) / 1000)}; load ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')})`,
      );
      results.push({ backend, empty, full: await measure() });
    } finally {
      await stop?.();
    }
  }
  const per10k = (bytes: number): number => (bytes * 10_000) / IMAGES;
  console.log('');
  for (const r of results) {
    console.log(
      `${r.backend}: ${r.backend === 'sqlite' ? 'file' : 'pg_database_size'} ${mib(r.full.total)} for ${IMAGES} images (empty store ${mib(r.empty.total)}) → ${mib(per10k(r.full.total - r.empty.total))} per 10,000 images (linear extrapolation from ${IMAGES})`,
    );
    const names = [...r.full.tables.keys()].sort((a, b) => (r.full.tables.get(b) ?? 0) - (r.full.tables.get(a) ?? 0));
    for (const name of names) {
      const grown = (r.full.tables.get(name) ?? 0) - (r.empty.tables.get(name) ?? 0);
      if (grown <= 0) continue;
      console.log(
        `  ${name.padEnd(24)} ${mib(r.full.tables.get(name) ?? 0).padStart(12)} → ${mib(per10k(grown)).padStart(12)} per 10,000 images`,
      );
    }
    const sum = [...r.full.tables.values()].reduce((a, b) => a + b, 0);
    // The tables must account for the database: a size read from the wrong place says nothing.
    precondition(
      sum <= r.full.total && sum > 0.5 * r.full.total,
      `${r.backend}: tables sum to ${mib(sum)} of ${mib(r.full.total)}`,
    );
  }
}

await (STORE_SIZE ? storeSizeMain() : main());
