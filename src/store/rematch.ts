/**
 * What a rescan reads and writes (docs/rescans.md): the stored packages under
 * some package keys, with the facts to re-match them, through the package
 * index (never every inventory); every inventory a page of images at a time
 * (the full re-match, when two DB versions cannot be compared); and the
 * re-matched vulnerabilities of a batch of images applied in one transaction,
 * with the same lifecycle as a recorded scan (store/findings.ts): new (first
 * seen now, or back after a fix), changed (another fingerprint), and closed
 * (fixed_at now) — but only for the packages that were re-matched.
 */
import { compareStrings } from '../core/index.js';
import type { Db } from './db-schema.js';
import { appendEvent } from './events.js';
import { keyFilter } from './package-index.js';
import type { RematchRepository } from './repository.js';
import { findingsOf } from './scan-document.js';
import type { StoreContext } from './store-context.js';
import type {
  FindingInput,
  PackageFacts,
  PackageKey,
  RematchApplied,
  RematchFinding,
  RematchImage,
  RematchUpdate,
} from './types.js';

const KEYS_PER_QUERY = 500;
const IDS_PER_QUERY = 500;
const ROWS_PER_INSERT = 100;
/** (image, ref) pairs per UPDATE closing findings: well under both dialects' bind limits. */
const CLOSE_PAIRS_PER_QUERY = 2000;
/** Updates per findings read when reading by purl (each names a few purls). */
const PURL_IMAGES_PER_QUERY = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The package id of a vulnerability finding's ref (`<id>@<packageId>`, result/findings.ts vulnRefId). */
const packageIdOfRef = (ref: string): string => ref.slice(ref.lastIndexOf('@') + 1);

interface RowOut {
  image_id: number;
  digest: string;
  inventory_at: number | null;
  seq: number;
  namespace: string;
  layer: string;
  facts_id: number | null;
}

function group(rows: readonly RowOut[]): RematchImage[] {
  const byImage = new Map<number, RematchImage & { rows: RematchImage['rows'][number][] }>();
  const seen = new Set<string>();
  for (const r of rows) {
    const k = `${r.image_id}:${r.seq}`;
    if (seen.has(k)) continue; // found by its name and by its source name
    seen.add(k);
    let img = byImage.get(r.image_id);
    if (!img) {
      img = { imageId: r.image_id, digest: r.digest, inventoryAt: r.inventory_at, rows: [] };
      byImage.set(r.image_id, img);
    }
    img.rows.push({ seq: r.seq, namespace: r.namespace, layer: r.layer, factsId: r.facts_id });
  }
  const out = [...byImage.values()].sort((a, b) => a.imageId - b.imageId);
  for (const img of out) img.rows.sort((a, b) => a.seq - b.seq);
  return out;
}

/**
 * One vulnerability as a finding row, as scans.record derives it (scan-document.ts findingsOf).
 * A rescan hands the same vulnerability object to many images: derived once per object.
 */
const derived = new WeakMap<object, FindingInput>();
function findingOf(v: unknown): FindingInput {
  const known = derived.get(v as object);
  if (known) return known;
  const [f] = findingsOf({ schemaVersion: 1, target: { name: '' }, vulnerabilities: [v] as never });
  if (f === undefined) throw new Error('a vulnerability without a finding');
  derived.set(v as object, f);
  return f;
}

export function rematchRepository(ctx: StoreContext): RematchRepository {
  const { backend } = ctx;
  const { db } = backend;

  const rowsQuery = (d: Db) =>
    d
      .selectFrom('image_packages')
      .innerJoin('images', 'images.id', 'image_packages.image_id')
      .innerJoin('package_keys as k', 'k.id', 'image_packages.package_key_id')
      .leftJoin('image_package_facts as f', (j) =>
        j.onRef('f.image_id', '=', 'image_packages.image_id').onRef('f.seq', '=', 'image_packages.seq'),
      )
      .select([
        'image_packages.image_id as image_id',
        'images.digest as digest',
        'images.inventory_at as inventory_at',
        'image_packages.seq as seq',
        'k.namespace as namespace',
        'image_packages.layer as layer',
        'f.facts_id as facts_id',
      ]);

  return {
    async imagesUnderKeys(keys: readonly PackageKey[]) {
      const rows: RowOut[] = [];
      for (const part of chunks(keys, KEYS_PER_QUERY)) {
        const filter = keyFilter(part);
        for (const via of ['package_key_id', 'source_key_id'] as const) {
          // The package index: matching keys first (unique index), then their rows (by-key / by-source index).
          const ids = db.selectFrom('package_keys').select('package_keys.id').where(filter);
          rows.push(...(await rowsQuery(db).where(`image_packages.${via}`, 'in', ids).execute()));
        }
      }
      return group(rows);
    },

    async inventoryPage(afterImageId: number, limit: number) {
      const ids = (
        await db
          .selectFrom('images')
          .select('id')
          .where('id', '>', afterImageId)
          .where('inventory_at', 'is not', null)
          .orderBy('id')
          .limit(limit)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) return [];
      const first = ids[0] as number;
      const last = ids[ids.length - 1] as number;
      const rows = await rowsQuery(db)
        .where('image_packages.image_id', '>=', first)
        .where('image_packages.image_id', '<=', last)
        .execute();
      return group(rows);
    },

    async packageFacts(ids: readonly number[]) {
      const out = new Map<number, PackageFacts>();
      for (const part of chunks([...new Set(ids)], IDS_PER_QUERY)) {
        const rows = await db.selectFrom('package_facts').select(['id', 'facts']).where('id', 'in', part).execute();
        for (const r of rows) out.set(r.id, JSON.parse(r.facts) as PackageFacts);
      }
      return out;
    },

    async repositoriesOf(digests: readonly string[]) {
      const out = new Map<string, string[]>();
      for (const part of chunks([...new Set(digests)], IDS_PER_QUERY)) {
        const rows = await db
          .selectFrom('tags')
          .innerJoin('repositories', 'repositories.id', 'tags.repository_id')
          .innerJoin('registries', 'registries.id', 'repositories.registry_id')
          .select(['tags.digest as digest', 'registries.name as registry', 'repositories.name as repository'])
          .where('tags.digest', 'in', part)
          .execute();
        for (const r of rows) {
          const list = out.get(r.digest) ?? [];
          const name = `${r.registry}/${r.repository}`;
          if (!list.includes(name)) list.push(name);
          out.set(r.digest, list);
        }
      }
      for (const list of out.values()) list.sort(compareStrings);
      return out;
    },

    async appendEvents(events) {
      for (const part of chunks(events, IDS_PER_QUERY)) {
        await backend.write(async (trx) => {
          const at = ctx.now();
          for (const e of part) await appendEvent(trx, backend.dialect, at, e);
        });
      }
    },

    applyRematch(batch) {
      return backend.write(async (trx) => {
        const at = ctx.now();
        const imageIds = batch.map((b) => b.imageId).sort((a, b) => a - b);
        const current = new Map<number, number | null>();
        for (const part of chunks(imageIds, IDS_PER_QUERY)) {
          // PostgreSQL: the same row lock scans.record takes, so a scan and a rescan of one image never interleave.
          const q = trx.selectFrom('images').select(['id', 'inventory_at']).where('id', 'in', part).orderBy('id');
          const rows = backend.dialect === 'postgres' ? await q.forUpdate().execute() : await q.execute();
          for (const r of rows) current.set(r.id, r.inventory_at);
        }
        const existing = new Map<
          number,
          { ref: string; finding_id: string; severity: string; fingerprint: string; fixed_at: number | null }[]
        >();
        // Only the findings of the re-matched packages' purls when every update names them: per image its
        // own purls (image_id, package_purl: findings_by_package), not every finding of the image.
        const byPurl = batch.every((u) => u.packagePurls !== undefined);
        const parts = byPurl ? chunks(batch, PURL_IMAGES_PER_QUERY) : chunks(imageIds, IDS_PER_QUERY);
        for (const part of parts) {
          const rows = await trx
            .selectFrom('findings')
            .select(['image_id', 'ref', 'finding_id', 'severity', 'fingerprint', 'fixed_at'])
            .where('kind', '=', 'vuln')
            .where((eb) =>
              byPurl
                ? eb.or(
                    (part as RematchUpdate[]).map((u) =>
                      eb.and([eb('image_id', '=', u.imageId), eb('package_purl', 'in', [...(u.packagePurls ?? [])])]),
                    ),
                  )
                : eb('image_id', 'in', part as number[]),
            )
            .execute();
          for (const r of rows) {
            const list = existing.get(r.image_id) ?? [];
            list.push(r);
            existing.set(r.image_id, list);
          }
        }
        const inserts: Record<string, unknown>[] = [];
        const reopens: { imageId: number; f: FindingInput }[] = [];
        const changes: { imageId: number; f: FindingInput }[] = [];
        const closes = new Map<number, string[]>();
        const applied: RematchApplied[] = [];
        const brief = (f: FindingInput): RematchFinding => ({
          ref: f.ref,
          findingId: f.findingId,
          severity: f.severity,
        });
        for (const u of batch) {
          if (!current.has(u.imageId) || current.get(u.imageId) !== u.inventoryAt) {
            // Scanned (or removed) since its inventory was read: that scan's findings stand.
            applied.push({ imageId: u.imageId, skipped: true, new: [], changed: [], closed: [] });
            continue;
          }
          const scope = new Set(u.packageIds);
          const fresh = u.vulnerabilities.map(findingOf);
          const before = new Map(
            (existing.get(u.imageId) ?? []).filter((e) => scope.has(packageIdOfRef(e.ref))).map((e) => [e.ref, e]),
          );
          const result = {
            imageId: u.imageId,
            skipped: false,
            new: [] as RematchFinding[],
            changed: [] as RematchFinding[],
            closed: [] as RematchFinding[],
          };
          for (const f of fresh) {
            const e = before.get(f.ref);
            if (!e) {
              inserts.push({
                image_id: u.imageId,
                ref: f.ref,
                kind: f.kind,
                finding_id: f.findingId,
                severity: f.severity,
                package_purl: f.packagePurl ?? null,
                fingerprint: f.fingerprint,
                data: JSON.stringify(f.data),
                first_seen_at: at,
                last_seen_at: at,
                fixed_at: null,
              });
              result.new.push(brief(f));
            } else if (e.fixed_at !== null) {
              reopens.push({ imageId: u.imageId, f });
              result.new.push(brief(f));
            } else if (e.fingerprint !== f.fingerprint) {
              changes.push({ imageId: u.imageId, f });
              result.changed.push({ ...brief(f), previousSeverity: e.severity });
            }
          }
          const reported = new Set(fresh.map((f) => f.ref));
          const closed = [...before.values()].filter((e) => e.fixed_at === null && !reported.has(e.ref));
          if (closed.length > 0)
            closes.set(
              u.imageId,
              closed.map((e) => e.ref),
            );
          result.closed = closed.map((e) => ({ ref: e.ref, findingId: e.finding_id, severity: e.severity }));
          for (const list of [result.new, result.changed, result.closed])
            list.sort((a, b) => compareStrings(a.ref, b.ref));
          applied.push(result);
        }
        for (const part of chunks(inserts, ROWS_PER_INSERT))
          await trx
            .insertInto('findings')
            .values(part as never)
            .execute();
        const row = (f: FindingInput) => ({
          severity: f.severity,
          finding_id: f.findingId,
          package_purl: f.packagePurl ?? null,
          fingerprint: f.fingerprint,
          data: JSON.stringify(f.data),
          last_seen_at: at,
        });
        for (const { imageId, f } of reopens) {
          await trx
            .updateTable('findings')
            .set({ ...row(f), first_seen_at: at, fixed_at: null })
            .where('image_id', '=', imageId)
            .where('ref', '=', f.ref)
            .execute();
        }
        for (const { imageId, f } of changes) {
          await trx
            .updateTable('findings')
            .set(row(f))
            .where('image_id', '=', imageId)
            .where('ref', '=', f.ref)
            .execute();
        }
        // Closed findings of the whole batch, per image its refs, ORed (each arm a seek on UNIQUE (image_id, ref)).
        const pairs = [...closes].flatMap(([imageId, refs]) => refs.map((ref) => [imageId, ref] as const));
        for (const part of chunks(pairs, CLOSE_PAIRS_PER_QUERY)) {
          const byImage = new Map<number, string[]>();
          for (const [imageId, ref] of part) byImage.set(imageId, [...(byImage.get(imageId) ?? []), ref]);
          await trx
            .updateTable('findings')
            .set({ fixed_at: at })
            .where((eb) =>
              eb.or(
                [...byImage].map(([imageId, refs]) => eb.and([eb('image_id', '=', imageId), eb('ref', 'in', refs)])),
              ),
            )
            .execute();
        }
        return applied;
      });
    },
  };
}
