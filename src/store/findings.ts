/**
 * Findings per image with their lifecycle. Recording a scan upserts the
 * image's findings by ref: a ref not open before is new (first_seen_at set;
 * a fixed finding that comes back is new again), an open ref whose
 * fingerprint differs is changed, an open ref the scan no longer reports is
 * fixed (fixed_at set). The full current finding is in the latest scan
 * document; a row's data is refreshed when its fingerprint changes.
 */
import type { Selectable } from 'kysely';
import { compareStrings } from '../core/index.js';
import type { Db, FindingsTable } from './db-schema.js';
import type { FindingRepository } from './repository.js';
import type { StoreContext } from './store-context.js';
import type { FindingKindName } from '../result/index.js';
import type { FindingChanges, FindingInput, FindingRecord } from './types.js';

const REFS_PER_QUERY = 500;

const toFinding = (r: Selectable<FindingsTable>, imageDigest: string): FindingRecord => ({
  imageDigest,
  ref: r.ref,
  kind: r.kind as FindingKindName,
  findingId: r.finding_id,
  severity: r.severity,
  ...(r.package_purl !== null ? { packagePurl: r.package_purl } : {}),
  fingerprint: r.fingerprint,
  data: JSON.parse(r.data) as unknown,
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
  ...(r.fixed_at !== null ? { fixedAt: r.fixed_at } : {}),
});

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Upsert a scan's findings for an image (inside the caller's transaction, which holds the image's lock). */
export async function upsertFindings(
  trx: Db,
  imageId: number,
  findings: readonly FindingInput[],
  at: number,
): Promise<FindingChanges> {
  const existing = new Map(
    (
      await trx
        .selectFrom('findings')
        .select(['ref', 'fingerprint', 'fixed_at'])
        .where('image_id', '=', imageId)
        .execute()
    ).map((r) => [r.ref, r]),
  );
  const fresh: FindingInput[] = [];
  const reopened: FindingInput[] = [];
  const changed: FindingInput[] = [];
  const unchanged: string[] = [];
  for (const f of findings) {
    const e = existing.get(f.ref);
    if (!e) fresh.push(f);
    else if (e.fixed_at !== null) reopened.push(f);
    else if (e.fingerprint !== f.fingerprint) changed.push(f);
    else unchanged.push(f.ref);
  }
  const seen = new Set(findings.map((f) => f.ref));
  const fixed = [...existing.values()].filter((e) => e.fixed_at === null && !seen.has(e.ref)).map((e) => e.ref);

  const row = (f: FindingInput) => ({
    kind: f.kind,
    finding_id: f.findingId,
    severity: f.severity,
    package_purl: f.packagePurl ?? null,
    fingerprint: f.fingerprint,
    data: JSON.stringify(f.data),
    last_seen_at: at,
  });
  for (const part of chunks(fresh, REFS_PER_QUERY / 5)) {
    await trx
      .insertInto('findings')
      .values(part.map((f) => ({ image_id: imageId, ref: f.ref, ...row(f), first_seen_at: at, fixed_at: null })))
      .execute();
  }
  for (const f of reopened) {
    await trx
      .updateTable('findings')
      .set({ ...row(f), first_seen_at: at, fixed_at: null })
      .where('image_id', '=', imageId)
      .where('ref', '=', f.ref)
      .execute();
  }
  for (const f of changed) {
    await trx.updateTable('findings').set(row(f)).where('image_id', '=', imageId).where('ref', '=', f.ref).execute();
  }
  for (const part of chunks(unchanged, REFS_PER_QUERY)) {
    await trx
      .updateTable('findings')
      .set({ last_seen_at: at })
      .where('image_id', '=', imageId)
      .where('ref', 'in', part)
      .execute();
  }
  for (const part of chunks(fixed, REFS_PER_QUERY)) {
    await trx
      .updateTable('findings')
      .set({ fixed_at: at })
      .where('image_id', '=', imageId)
      .where('ref', 'in', part)
      .execute();
  }
  const refs = (list: readonly FindingInput[]) => list.map((f) => f.ref);
  return {
    new: [...refs(fresh), ...refs(reopened)].sort(compareStrings),
    changed: refs(changed).sort(compareStrings),
    fixed: fixed.sort(compareStrings),
    unchanged: unchanged.length,
  };
}

export function findingRepository(ctx: StoreContext): FindingRepository {
  const { db } = ctx.backend;
  return {
    async forImage(imageDigest, opts = {}) {
      const rows = await db
        .selectFrom('findings')
        .innerJoin('images', 'images.id', 'findings.image_id')
        .selectAll('findings')
        .where('images.digest', '=', imageDigest)
        .$if(opts.includeFixed !== true, (q) => q.where('findings.fixed_at', 'is', null))
        .orderBy('findings.ref')
        .execute();
      return rows.map((r) => toFinding(r, imageDigest));
    },
    async withId(findingId) {
      const rows = await db
        .selectFrom('findings')
        .innerJoin('images', 'images.id', 'findings.image_id')
        .selectAll('findings')
        .select('images.digest as image_digest')
        .where('findings.finding_id', '=', findingId)
        .where('findings.fixed_at', 'is', null)
        .orderBy('images.digest')
        .orderBy('findings.ref')
        .execute();
      return rows.map((r) => toFinding(r, r.image_digest));
    },
  };
}
