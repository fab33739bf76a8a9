/**
 * Generated images and DB versions for rescan tests and the rescan benchmark
 * (test code only). Images are Debian 12 inventories with npm and PyPI
 * packages drawn from name pools; the old DB states advisories about those
 * names, the new one adds, changes (fix versions, severity, KEV) and
 * withdraws some. Deterministic for a seed.
 */
import { SCAN_RESULT_SCHEMA_VERSION, type ScanResult } from '../../../result/index.js';
import type { OsInfo, Package } from '../../../core/index.js';
import { sha256 } from '../../../core/index.js';
import { matchInventory } from '../../../match/index.js';
import { renderScanJson } from '../../../report/index.js';
import type { Inventory } from '../../../sbom/index.js';
import type { VulnDbReader } from '../../../vulndb/index.js';
import type { OsvSpec } from '../../../vulndb/test-support/osv-records.js';

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEBIAN_12: OsInfo = {
  family: 'debian',
  version: '12',
  name: 'Debian GNU/Linux 12 (bookworm)',
  codename: 'bookworm',
};

/** A package name in a pool: its ecosystem, and for Debian binaries the source package. */
export interface PoolEntry {
  readonly ecosystem: 'deb' | 'npm' | 'pypi';
  readonly name: string;
  readonly source?: string;
}

/** The advisory namespace (DB ecosystem key) and the name advisories use for a pool entry. */
export function advisoryKeyOf(e: PoolEntry): { ecosystem: string; name: string } {
  if (e.ecosystem === 'deb') return { ecosystem: 'Debian:12', name: e.source ?? e.name };
  return { ecosystem: e.ecosystem === 'npm' ? 'npm' : 'PyPI', name: e.name };
}

const layerOf = (image: number) => sha256(`layer-${image}`);

/** A full inventory Package, as an analyzer and the inventory builder would give it. */
export function packageOf(e: PoolEntry, minor: number, image: number, binNmu: boolean): Package {
  const deb = e.ecosystem === 'deb';
  const version = deb ? `1.${minor}.0-1${binNmu ? '+b1' : ''}` : `1.${minor}.0`;
  const path = deb ? 'var/lib/dpkg/status' : `app/${e.ecosystem}/${e.name}`;
  const purl = deb
    ? `pkg:deb/debian/${e.name}@${version}?arch=amd64&distro=debian-12`
    : `pkg:${e.ecosystem}/${e.name.toLowerCase()}@${version}`;
  return {
    ecosystem: e.ecosystem,
    name: e.name,
    version,
    ...(deb ? { arch: 'amd64', source: { name: e.source ?? e.name, version: `1.${minor}.0-1` } } : {}),
    id: sha256(`${e.ecosystem}/${e.name}@${version}/${path}`).slice(7, 23),
    purl,
    paths: [path],
    layer: layerOf(image),
  };
}

export interface SyntheticImage {
  readonly digest: string;
  readonly repository: string;
  readonly inventory: Inventory;
}

/** `count` images of `size` packages each: pool entries (distinct per image) at minor versions 0..9. */
export function syntheticImages(
  pool: readonly PoolEntry[],
  count: number,
  size: number,
  seed: number,
  repositories = Math.max(1, Math.floor(count / 8)),
): SyntheticImage[] {
  const rand = rng(seed);
  const out: SyntheticImage[] = [];
  for (let i = 0; i < count; i++) {
    const picked = new Set<number>();
    const want = Math.min(size, pool.length);
    while (picked.size < want) picked.add(Math.floor(rand() * pool.length));
    const packages = [...picked]
      .sort((a, b) => a - b)
      .map((p) => {
        const e = pool[p] as PoolEntry;
        return packageOf(e, Math.floor(rand() * 10), i, e.ecosystem === 'deb' && rand() < 0.1);
      });
    const digest = sha256(`image-${seed}-${i}`);
    const layer = layerOf(i);
    out.push({
      digest,
      repository: `team-${i % repositories}/app`,
      inventory: {
        schemaVersion: 1,
        tool: { name: 'customs', version: 'test' },
        createdAt: '2026-01-01T00:00:00.000Z',
        target: {
          name: `registry.example/app@${digest}`,
          transport: 'registry',
          manifestDigest: digest,
          configDigest: sha256(`config-${i}`),
          repoDigests: [],
          repoTags: [],
          layers: [{ diffID: layer, digest: layer, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
        },
        os: DEBIAN_12,
        packages,
        unknowns: [],
      },
    });
  }
  return out;
}

const SEVERITIES = ['LOW', 'MODERATE', 'HIGH', 'CRITICAL'] as const;

/** Advisories about pool names (0–3 per name) in the old DB. */
export function oldAdvisories(pool: readonly PoolEntry[], seed: number, perKey = 3): OsvSpec[] {
  const rand = rng(seed);
  const keys = new Map<string, { ecosystem: string; name: string }>();
  for (const e of pool) {
    const k = advisoryKeyOf(e);
    keys.set(`${k.ecosystem}\u0000${k.name}`, k);
  }
  const out: OsvSpec[] = [];
  let n = 0;
  for (const k of keys.values()) {
    const count = Math.floor(rand() * (perKey + 1));
    for (let j = 0; j < count; j++) out.push(advisory(k, n++, rand));
  }
  return out;
}

function advisory(k: { ecosystem: string; name: string }, n: number, rand: () => number): OsvSpec {
  const cve = `CVE-2026-${String(10000 + n)}`;
  const deb = k.ecosystem.startsWith('Debian');
  const minor = 1 + Math.floor(rand() * 9);
  const fixed = rand() < 0.15 ? undefined : deb ? `1.${minor}.0-1` : `1.${minor}.0`;
  return {
    id: deb ? cve : `GHSA-syn-${n}`,
    ...(deb ? {} : { aliases: [cve] }),
    ecosystem: k.ecosystem,
    name: k.name,
    ...(fixed !== undefined ? { fixed } : {}),
    severity: SEVERITIES[Math.floor(rand() * 4)] as string,
  };
}

/**
 * The new DB's advisories: of the old ones, `changeShare` get another fix
 * version or severity, `withdrawShare` are withdrawn (half removed, half
 * marked withdrawn); `added` new ones about random keys of the pool.
 */
export function nextAdvisories(
  old: readonly OsvSpec[],
  pool: readonly PoolEntry[],
  seed: number,
  opts: { changeShare: number; withdrawShare: number; added: number },
): { advisories: OsvSpec[]; touched: number } {
  const rand = rng(seed);
  const out: OsvSpec[] = [];
  let touched = 0;
  for (const a of old) {
    const r = rand();
    if (r < opts.withdrawShare) {
      touched++;
      if (rand() < 0.5) out.push({ ...a, withdrawn: '2026-02-01T00:00:00Z' });
      continue;
    }
    if (r < opts.withdrawShare + opts.changeShare) {
      touched++;
      const deb = a.ecosystem.startsWith('Debian');
      const minor = 1 + Math.floor(rand() * 9);
      const { fixed: _fixed, ...rest } = a;
      out.push(
        rand() < 0.5
          ? { ...rest, fixed: deb ? `1.${minor}.0-1` : `1.${minor}.0` }
          : { ...a, severity: SEVERITIES[(SEVERITIES.indexOf(a.severity as never) + 1) % 4] as string },
      );
      continue;
    }
    out.push(a);
  }
  for (let j = 0; j < opts.added; j++) {
    const e = pool[Math.floor(rand() * pool.length)] as PoolEntry;
    out.push(advisory(advisoryKeyOf(e), 900_000 + j, rand));
    touched++;
  }
  return { advisories: out, touched };
}

/** The saved scan JSON of an inventory matched with `db`, as a worker stores it. */
export function scanDocumentOf(inventory: Inventory, db: VulnDbReader): unknown {
  const m = matchInventory(inventory, db);
  const result: ScanResult = {
    schemaVersion: SCAN_RESULT_SCHEMA_VERSION,
    inventory,
    scanners: ['vuln'],
    vulnerabilities: m.findings,
    notes: m.notes,
    db: { path: 'customs.db', schemaVersion: db.metadata.schemaVersion, builtAt: db.metadata.builtAt, sources: [] },
  };
  return JSON.parse(renderScanJson(result)) as unknown;
}

/** A pool of Debian binaries (with their sources), npm and PyPI names. */
export function namePool(
  deb: readonly [string, string][],
  npm: readonly string[],
  pypi: readonly string[],
): PoolEntry[] {
  return [
    ...deb.map(([name, source]) => ({ ecosystem: 'deb' as const, name, ...(source !== name ? { source } : {}) })),
    ...npm.map((name) => ({ ecosystem: 'npm' as const, name })),
    ...pypi.map((name) => ({ ecosystem: 'pypi' as const, name })),
  ];
}
