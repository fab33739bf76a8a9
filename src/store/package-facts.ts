/**
 * Package facts: each distinct inventory package (without its layer and file
 * list) stored once, keyed by the SHA-256 of its canonical JSON, and pointed
 * at by the inventory rows that hold it (image_package_facts). Thousands of
 * images share the same packages, so a rescan reads a few thousand facts for
 * hundreds of thousands of rows.
 */
import { createHash } from 'node:crypto';
import { stableJson } from '../core/index.js';
import type { Db } from './db-schema.js';
import type { InventoryPackage, PackageFacts } from './types.js';

/** Facts per INSERT (2 parameters each) and hashes per lookup. */
const PER_QUERY = 500;

export const factsText = (f: PackageFacts): string => stableJson(f);
export const factsHash = (text: string): string => createHash('sha256').update(text).digest('hex');

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Ids of these facts (by hash), inserting the missing ones (inside the caller's transaction). */
export async function ensureFacts(trx: Db, texts: ReadonlyMap<string, string>): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const entries = [...texts];
  for (const part of chunks(entries, PER_QUERY)) {
    await trx
      .insertInto('package_facts')
      .values(part.map(([hash, facts]) => ({ hash, facts })))
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
    const rows = await trx
      .selectFrom('package_facts')
      .select(['id', 'hash'])
      .where(
        'hash',
        'in',
        part.map(([h]) => h),
      )
      .execute();
    for (const r of rows) ids.set(r.hash, r.id);
  }
  return ids;
}

/** Point an image's inventory rows (by seq) at their facts; rows without facts get none. */
export async function replacePackageFacts(
  trx: Db,
  imageId: number,
  packages: readonly InventoryPackage[],
): Promise<void> {
  await trx.deleteFrom('image_package_facts').where('image_id', '=', imageId).execute();
  const texts = new Map<string, string>();
  const rowHash: (string | undefined)[] = packages.map((p) => {
    if (p.facts === undefined) return undefined;
    const text = factsText(p.facts);
    const hash = factsHash(text);
    texts.set(hash, text);
    return hash;
  });
  if (texts.size === 0) return;
  const ids = await ensureFacts(trx, texts);
  const rows = rowHash.flatMap((h, seq) => {
    const id = h === undefined ? undefined : ids.get(h);
    return id === undefined ? [] : [{ image_id: imageId, seq, facts_id: id }];
  });
  for (const part of chunks(rows, PER_QUERY)) await trx.insertInto('image_package_facts').values(part).execute();
}
