/**
 * Inventories and the package index. A package key (namespace, name) is a
 * row of package_keys; an image's packages point at their key (and at their
 * source package's key), and image_packages is indexed by key, so "which
 * images hold openssl" or "which images hold any of K1..Kn" walks the
 * index from the keys asked for and never reads other inventories.
 * Names are stored folded as the vulnerability DB folds them (PyPI by PEP
 * 503, NuGet and Packagist lower-cased: vulndb packageKey).
 */
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { compareStrings } from '../core/index.js';
import { packageKey } from '../vulndb/index.js';
import type { Db, Tables } from './db-schema.js';
import { replacePackageFacts } from './package-facts.js';
import type { PackageIndex } from './repository.js';
import type { StoreContext } from './store-context.js';
import type { InventoryPackage, PackageHit, PackageKey } from './types.js';

/** Keys per query: well under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters. */
const KEYS_PER_QUERY = 500;
/** Inventory rows per INSERT (8 parameters each). */
const ROWS_PER_INSERT = 500;

/** A WHERE condition on package_keys. */
export type KeySelector = (eb: ExpressionBuilder<Tables, 'package_keys'>) => Expression<SqlBool>;

const keyString = (namespace: string, name: string): string => `${namespace}\0${name}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Keys grouped by namespace, for `namespace = ? AND name IN (…)` lookups on the unique index. */
export function keyFilter(keys: readonly PackageKey[]): KeySelector {
  const byNamespace = new Map<string, string[]>();
  for (const k of keys) {
    const names = byNamespace.get(k.namespace) ?? [];
    names.push(k.name);
    byNamespace.set(k.namespace, names);
  }
  return (eb) =>
    eb.or(
      [...byNamespace].map(([namespace, names]) =>
        eb.and([eb('package_keys.namespace', '=', namespace), eb('package_keys.name', 'in', names)]),
      ),
    );
}

/** Ids of existing keys (folded names). */
async function keyIds(db: Db, keys: readonly PackageKey[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(keys, KEYS_PER_QUERY)) {
    const rows = await db
      .selectFrom('package_keys')
      .select(['id', 'namespace', 'name'])
      .where(keyFilter(part))
      .execute();
    for (const r of rows) ids.set(keyString(r.namespace, r.name), r.id);
  }
  return ids;
}

/** Replace an image's inventory (inside the caller's transaction). */
export async function replaceInventory(
  trx: Db,
  imageId: number,
  packages: readonly InventoryPackage[],
  at: number,
): Promise<void> {
  const folded = packages.map((p) => ({
    p,
    name: packageKey(p.namespace, p.name),
    source: p.sourceName !== undefined ? packageKey(p.namespace, p.sourceName) : undefined,
  }));
  const wanted = new Map<string, PackageKey>();
  for (const f of folded) {
    wanted.set(keyString(f.p.namespace, f.name), { namespace: f.p.namespace, name: f.name });
    if (f.source !== undefined)
      wanted.set(keyString(f.p.namespace, f.source), { namespace: f.p.namespace, name: f.source });
  }
  for (const part of chunks([...wanted.values()], KEYS_PER_QUERY)) {
    await trx
      .insertInto('package_keys')
      .values(part)
      .onConflict((oc) => oc.columns(['namespace', 'name']).doNothing())
      .execute();
  }
  const ids = await keyIds(trx, [...wanted.values()]);
  const idOf = (namespace: string, name: string): number => {
    const id = ids.get(keyString(namespace, name));
    if (id === undefined) throw new Error(`package key ${namespace}/${name} missing after insert`);
    return id;
  };
  await trx.deleteFrom('image_packages').where('image_id', '=', imageId).execute();
  const rows = folded.map((f, seq) => ({
    image_id: imageId,
    seq,
    package_key_id: idOf(f.p.namespace, f.name),
    source_key_id: f.source !== undefined && f.source !== f.name ? idOf(f.p.namespace, f.source) : null,
    ecosystem: f.p.ecosystem,
    version: f.p.version,
    purl: f.p.purl,
    layer: f.p.layer,
  }));
  for (const part of chunks(rows, ROWS_PER_INSERT)) await trx.insertInto('image_packages').values(part).execute();
  await replacePackageFacts(trx, imageId, packages);
  await trx.updateTable('images').set({ inventory_at: at }).where('id', '=', imageId).execute();
}

export type MatchVia = PackageHit['matchedBy'];

/**
 * The index query: images whose packages (by name, or by source package)
 * have a key selected by `filter`. Exported so tests can EXPLAIN the very
 * query the store runs.
 */
export function packageHitsQuery(db: Db, via: MatchVia, filter: KeySelector) {
  return db
    .selectFrom('package_keys')
    .innerJoin('image_packages', (j) =>
      j.onRef(
        via === 'name' ? 'image_packages.package_key_id' : 'image_packages.source_key_id',
        '=',
        'package_keys.id',
      ),
    )
    .innerJoin('images', 'images.id', 'image_packages.image_id')
    .select([
      'images.digest as digest',
      'package_keys.namespace as namespace',
      'package_keys.name as name',
      'image_packages.version as version',
      'image_packages.purl as purl',
      'image_packages.layer as layer',
    ])
    .where(filter);
}

/** Filter for a name in any namespace; rows are checked afterwards against each namespace's folding. */
export function nameFilter(names: readonly string[]): KeySelector {
  return (eb) => eb('package_keys.name', 'in', [...names]);
}

const compareHits = (a: PackageHit, b: PackageHit): number =>
  compareStrings(a.imageDigest, b.imageDigest) ||
  compareStrings(a.namespace, b.namespace) ||
  compareStrings(a.name, b.name) ||
  compareStrings(a.purl, b.purl) ||
  compareStrings(a.layer, b.layer);

export function packageIndex(ctx: StoreContext): PackageIndex {
  const { db } = ctx.backend;
  const run = async (filter: KeySelector): Promise<PackageHit[]> => {
    const hits: PackageHit[] = [];
    for (const via of ['name', 'source'] as const) {
      const rows = await packageHitsQuery(db, via, filter).execute();
      for (const r of rows) {
        hits.push({
          imageDigest: r.digest,
          namespace: r.namespace,
          name: r.name,
          matchedBy: via,
          version: r.version,
          purl: r.purl,
          layer: r.layer,
        });
      }
    }
    return hits;
  };

  return {
    async inventory(imageDigest) {
      const rows = await db
        .selectFrom('images')
        .innerJoin('image_packages', 'image_packages.image_id', 'images.id')
        .innerJoin('package_keys as k', 'k.id', 'image_packages.package_key_id')
        .leftJoin('package_keys as s', 's.id', 'image_packages.source_key_id')
        .select([
          'image_packages.ecosystem as ecosystem',
          'k.namespace as namespace',
          'k.name as name',
          's.name as sourceName',
          'image_packages.version as version',
          'image_packages.purl as purl',
          'image_packages.layer as layer',
        ])
        .where('images.digest', '=', imageDigest)
        .orderBy('image_packages.seq')
        .execute();
      return rows.map((r) => ({
        ecosystem: r.ecosystem,
        namespace: r.namespace,
        name: r.name,
        ...(r.sourceName !== null ? { sourceName: r.sourceName } : {}),
        version: r.version,
        purl: r.purl,
        layer: r.layer,
      }));
    },
    async imagesWithPackage(name, namespace) {
      if (namespace !== undefined)
        return (await run(keyFilter([{ namespace, name: packageKey(namespace, name) }]))).sort(compareHits);
      // Any namespace: ask for every folding of the name, keep the rows whose namespace folds it that way.
      const candidates = [...new Set([name, packageKey('PyPI', name), name.toLowerCase()])];
      const hits = await run(nameFilter(candidates));
      return hits.filter((h) => packageKey(h.namespace, name) === h.name).sort(compareHits);
    },
    async imagesWithPackageKeys(keys) {
      if (keys.length === 0) return [];
      const folded = keys.map((k) => ({ namespace: k.namespace, name: packageKey(k.namespace, k.name) }));
      const hits: PackageHit[] = [];
      for (const part of chunks(folded, KEYS_PER_QUERY)) hits.push(...(await run(keyFilter(part))));
      return hits.sort(compareHits);
    },
  };
}
