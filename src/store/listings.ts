/**
 * The reads the HTTP API pages through: listings across registries with
 * filters, "which stored images have finding X" through the findings index,
 * findings over time, job counts, and the schema version for readiness.
 * Every listing is ordered by a database id and paged by `afterId`, so a
 * cursor stays valid while rows are added (docs/api.md "Pagination").
 */
import { sql } from 'kysely';
import { isAtLeast, SEVERITIES, type Severity, severityCounts, toSeverity } from '../core/index.js';
import type { VerdictStatus } from '../policy/index.js';
import { packageKey } from '../vulndb/index.js';
import type { Db } from './db-schema.js';
import { toJob } from './job-queue.js';
import type { Listings } from './repository.js';
import type { StoreContext } from './store-context.js';
import { JOB_STATES, type JobState } from './types.js';
import type { FindingHistoryDay, ImageSummary, ImageTagRef, ListedRepository } from './types.js';

const DAY_MS = 86_400_000;
/** Most rows one page returns. */
export const MAX_PAGE = 1000;

const pageSize = (limit: number | undefined): number => Math.max(1, Math.min(limit ?? 100, MAX_PAGE));

/** Severities at or above `min`, most severe first (the SEVERITIES scale). */
const atLeast = (min: Severity): Severity[] => SEVERITIES.filter((s) => isAtLeast(s, min));

/** Tags of the given digests with their repository and registry names, grouped by digest. */
async function tagRefs(db: Db, digests: readonly string[]): Promise<Map<string, ImageTagRef[]>> {
  const out = new Map<string, ImageTagRef[]>();
  if (digests.length === 0) return out;
  const rows = await db
    .selectFrom('tags')
    .innerJoin('repositories', 'repositories.id', 'tags.repository_id')
    .innerJoin('registries', 'registries.id', 'repositories.registry_id')
    .select([
      'tags.digest',
      'tags.tag',
      'repositories.id as repository_id',
      'repositories.name as repository',
      'registries.name as registry',
    ])
    .where('tags.digest', 'in', [...digests])
    .orderBy('registries.name')
    .orderBy('repositories.name')
    .orderBy('tags.tag')
    .execute();
  for (const r of rows) {
    const list = out.get(r.digest) ?? [];
    list.push({ registry: r.registry, repository: r.repository, repositoryId: r.repository_id, tag: r.tag });
    out.set(r.digest, list);
  }
  return out;
}

/** Open findings per severity of each image id. */
async function openCounts(db: Db, imageIds: readonly number[]): Promise<Map<number, Record<Severity, number>>> {
  const out = new Map<number, Record<Severity, number>>();
  if (imageIds.length === 0) return out;
  const rows = await db
    .selectFrom('findings')
    .select(['image_id', 'severity', (eb) => eb.fn.countAll<number>().as('n')])
    .where('image_id', 'in', [...imageIds])
    .where('fixed_at', 'is', null)
    .groupBy(['image_id', 'severity'])
    .execute();
  for (const r of rows) {
    const counts = out.get(r.image_id) ?? severityCounts();
    counts[toSeverity(r.severity)] += Number(r.n);
    out.set(r.image_id, counts);
  }
  return out;
}

/** The latest verdict status of each image id. */
async function latestVerdicts(db: Db, imageIds: readonly number[]): Promise<Map<number, VerdictStatus>> {
  const out = new Map<number, VerdictStatus>();
  if (imageIds.length === 0) return out;
  const rows = await db
    .selectFrom('verdicts')
    .select(['image_id', 'status', 'id'])
    .where('image_id', 'in', [...imageIds])
    .orderBy('id')
    .execute();
  for (const r of rows) out.set(r.image_id, r.status as VerdictStatus);
  return out;
}

export function listings(ctx: StoreContext): Listings {
  const { db } = ctx.backend;

  const summaries = async (
    rows: readonly {
      id: number;
      digest: string;
      platform: string | null;
      created_at: number;
      inventory_at: number | null;
    }[],
  ): Promise<ImageSummary[]> => {
    const ids = rows.map((r) => r.id);
    const [tags, counts, verdicts] = await Promise.all([
      tagRefs(
        db,
        rows.map((r) => r.digest),
      ),
      openCounts(db, ids),
      latestVerdicts(db, ids),
    ]);
    return rows.map((r) => {
      const verdict = verdicts.get(r.id);
      return {
        id: r.id,
        digest: r.digest,
        ...(r.platform !== null ? { platform: r.platform } : {}),
        createdAt: r.created_at,
        ...(r.inventory_at !== null ? { inventoryAt: r.inventory_at } : {}),
        openFindings: counts.get(r.id) ?? severityCounts(),
        ...(verdict !== undefined ? { verdict } : {}),
        tags: tags.get(r.digest) ?? [],
      };
    });
  };

  return {
    async schemaVersion() {
      const row = await db
        .selectFrom('schema_migrations')
        .select((eb) => eb.fn.max('version').as('v'))
        .executeTakeFirst();
      return Number(row?.v ?? 0);
    },

    async generation() {
      // Ids only grow, and every change a listing shows appends a row to one of these
      // (a scan or rescan an event, a tag set its history, a verdict its row).
      const row = await db
        .selectNoFrom((eb) => [
          eb
            .selectFrom('events')
            .select((e) => e.fn.max('id').as('m'))
            .as('events'),
          eb
            .selectFrom('tag_history')
            .select((e) => e.fn.max('id').as('m'))
            .as('tags'),
          eb
            .selectFrom('verdicts')
            .select((e) => e.fn.max('id').as('m'))
            .as('verdicts'),
        ])
        .executeTakeFirst();
      return [row?.events, row?.tags, row?.verdicts].map((v) => String(v ?? 0)).join('.');
    },

    async repositories(q = {}) {
      const rows = await db
        .selectFrom('repositories')
        .innerJoin('registries', 'registries.id', 'repositories.registry_id')
        .select([
          'repositories.id',
          'repositories.registry_id',
          'repositories.name',
          'repositories.created_at',
          'registries.name as registry',
          (eb) =>
            eb
              .selectFrom('tags')
              .select((e) => e.fn.countAll<number>().as('n'))
              .whereRef('tags.repository_id', '=', 'repositories.id')
              .as('tag_count'),
        ])
        .$if(q.registryId !== undefined, (b) => b.where('repositories.registry_id', '=', q.registryId ?? 0))
        .where('repositories.id', '>', q.afterId ?? 0)
        .orderBy('repositories.id')
        .limit(pageSize(q.limit))
        .execute();
      return rows.map(
        (r): ListedRepository => ({
          id: r.id,
          registryId: r.registry_id,
          registry: r.registry,
          name: r.name,
          tagCount: Number(r.tag_count ?? 0),
          createdAt: r.created_at,
        }),
      );
    },

    async repository(id) {
      const r = await db.selectFrom('repositories').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? { id: r.id, registryId: r.registry_id, name: r.name, createdAt: r.created_at } : undefined;
    },

    async images(q = {}) {
      let query = db
        .selectFrom('images')
        .select(['images.id', 'images.digest', 'images.platform', 'images.created_at', 'images.inventory_at'])
        .where('images.id', '>', q.afterId ?? 0);
      if (q.registryId !== undefined || q.repository !== undefined) {
        const registryId = q.registryId;
        const repository = q.repository;
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('tags')
              .innerJoin('repositories', 'repositories.id', 'tags.repository_id')
              .select('tags.tag')
              .whereRef('tags.digest', '=', 'images.digest')
              .$if(registryId !== undefined, (b) => b.where('repositories.registry_id', '=', registryId ?? 0))
              .$if(repository !== undefined, (b) => b.where('repositories.name', '=', repository ?? '')),
          ),
        );
      }
      if (q.os !== undefined) {
        // The OS of an inventory is its OS packages' namespace: "Debian:12", "Alpine:v3.19".
        const os = q.os.toLowerCase();
        const pattern = os.includes(':') ? os : `${os}:%`;
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('image_packages')
              .innerJoin('package_keys', 'package_keys.id', 'image_packages.package_key_id')
              .select('image_packages.seq')
              .whereRef('image_packages.image_id', '=', 'images.id')
              .where(sql<string>`lower(package_keys.namespace)`, 'like', pattern),
          ),
        );
      }
      if (q.package !== undefined) {
        // Through the package index: the key ids of that name, then the images holding them.
        const names = [...new Set([q.package, packageKey('PyPI', q.package), q.package.toLowerCase()])];
        query = query.where('images.id', 'in', (eb) =>
          eb
            .selectFrom('image_packages')
            .select('image_packages.image_id')
            .where((w) =>
              w.or([
                w(
                  'image_packages.package_key_id',
                  'in',
                  w.selectFrom('package_keys').select('package_keys.id').where('package_keys.name', 'in', names),
                ),
                w(
                  'image_packages.source_key_id',
                  'in',
                  w.selectFrom('package_keys').select('package_keys.id').where('package_keys.name', 'in', names),
                ),
              ]),
            ),
        );
      }
      if (q.severity !== undefined) {
        const severities = atLeast(q.severity);
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('findings')
              .select('findings.id')
              .whereRef('findings.image_id', '=', 'images.id')
              .where('findings.fixed_at', 'is', null)
              .where('findings.severity', 'in', severities),
          ),
        );
      }
      if (q.verdict !== undefined) {
        const status = q.verdict;
        query = query.where((eb) =>
          eb(
            eb
              .selectFrom('verdicts')
              .select('verdicts.status')
              .whereRef('verdicts.image_id', '=', 'images.id')
              .orderBy('verdicts.id', 'desc')
              .limit(1),
            '=',
            status,
          ),
        );
      }
      const rows = await query.orderBy('images.id').limit(pageSize(q.limit)).execute();
      return summaries(rows);
    },

    async imagesWithFinding(findingId, q = {}) {
      // The findings index (finding_id, image_id) gives the images in id order: one page of it.
      const hits = await db
        .selectFrom('findings')
        .select(['findings.image_id', 'findings.severity', 'findings.package_purl', 'findings.ref'])
        .where('findings.finding_id', '=', findingId)
        .where('findings.fixed_at', 'is', null)
        .where('findings.image_id', 'in', (eb) =>
          eb
            .selectFrom('findings as f')
            .select('f.image_id')
            .where('f.finding_id', '=', findingId)
            .where('f.fixed_at', 'is', null)
            .where('f.image_id', '>', q.afterId ?? 0)
            .groupBy('f.image_id')
            .orderBy('f.image_id')
            .limit(pageSize(q.limit)),
        )
        .orderBy('findings.image_id')
        .orderBy('findings.ref')
        .execute();
      const ids = [...new Set(hits.map((h) => h.image_id))];
      const images =
        ids.length === 0
          ? []
          : await db
              .selectFrom('images')
              .select(['id', 'digest', 'platform', 'created_at', 'inventory_at'])
              .where('id', 'in', ids)
              .orderBy('id')
              .execute();
      const listed = await summaries(images);
      return listed.map((img) => {
        const own = hits.filter((h) => h.image_id === img.id);
        return {
          ...img,
          refs: own.map((h) => h.ref),
          packages: [...new Set(own.flatMap((h) => (h.package_purl !== null ? [h.package_purl] : [])))],
          severity: own[0]?.severity ?? 'unknown',
        };
      });
    },

    async findingSpread(findingId) {
      const images = await db
        .selectFrom('findings')
        .select((eb) => eb.fn.count<number>('findings.image_id').distinct().as('n'))
        .where('finding_id', '=', findingId)
        .where('fixed_at', 'is', null)
        .executeTakeFirst();
      const repos = await db
        .selectFrom('findings')
        .innerJoin('images', 'images.id', 'findings.image_id')
        .innerJoin('tags', 'tags.digest', 'images.digest')
        .innerJoin('repositories', 'repositories.id', 'tags.repository_id')
        .innerJoin('registries', 'registries.id', 'repositories.registry_id')
        .select([
          'repositories.id',
          'repositories.name',
          'registries.name as registry',
          (eb) => eb.fn.count<number>('findings.image_id').distinct().as('images'),
        ])
        .where('findings.finding_id', '=', findingId)
        .where('findings.fixed_at', 'is', null)
        .groupBy(['repositories.id', 'repositories.name', 'registries.name'])
        .orderBy('registries.name')
        .orderBy('repositories.name')
        .execute();
      return {
        images: Number(images?.n ?? 0),
        repositories: repos.map((r) => ({
          id: r.id,
          registry: r.registry,
          name: r.name,
          images: Number(r.images),
        })),
      };
    },

    async findingHistory(q) {
      const from = Math.floor(q.from / DAY_MS);
      const to = Math.floor(q.to / DAY_MS);
      const byDay = async (column: 'first_seen_at' | 'fixed_at') =>
        db
          .selectFrom('findings')
          .select([
            // An integer literal: a bound number is a REAL in SQLite, and the division would not truncate.
            sql<number>`${sql.ref(column)} / ${sql.lit(DAY_MS)}`.as('day'),
            'severity',
            (eb) => eb.fn.countAll<number>().as('n'),
          ])
          .where(column, '>=', from * DAY_MS)
          .groupBy([sql`${sql.ref(column)} / ${sql.lit(DAY_MS)}`, 'severity'])
          .execute();
      const [opened, fixed, open] = await Promise.all([
        byDay('first_seen_at'),
        byDay('fixed_at'),
        db
          .selectFrom('findings')
          .select(['severity', (eb) => eb.fn.countAll<number>().as('n')])
          .where('fixed_at', 'is', null)
          .groupBy('severity')
          .execute(),
      ]);
      const days = new Map<number, { opened: Record<Severity, number>; fixed: Record<Severity, number> }>();
      const dayOf = (d: number) => {
        let e = days.get(d);
        if (!e) {
          e = { opened: severityCounts(), fixed: severityCounts() };
          days.set(d, e);
        }
        return e;
      };
      for (const r of opened) dayOf(Number(r.day)).opened[toSeverity(r.severity)] += Number(r.n);
      for (const r of fixed) dayOf(Number(r.day)).fixed[toSeverity(r.severity)] += Number(r.n);
      // Open at the end of a day = open now, minus what opened after it, plus what was fixed after it.
      const running = severityCounts();
      for (const r of open) running[toSeverity(r.severity)] += Number(r.n);
      const out: FindingHistoryDay[] = [];
      const last = Math.max(to, ...days.keys());
      for (let d = last; d >= from; d--) {
        const e = days.get(d) ?? { opened: severityCounts(), fixed: severityCounts() };
        if (d <= to) out.push({ day: new Date(d * DAY_MS).toISOString().slice(0, 10), ...e, open: { ...running } });
        for (const s of SEVERITIES) running[s] += e.fixed[s] - e.opened[s];
      }
      return out.reverse();
    },

    async jobs(q = {}) {
      const rows = await db
        .selectFrom('jobs')
        .selectAll()
        .$if(q.state !== undefined, (b) => b.where('state', '=', q.state ?? 'queued'))
        .$if(q.kind !== undefined, (b) => b.where('kind', '=', q.kind ?? ''))
        .where('id', '>', q.afterId ?? 0)
        .orderBy('id')
        .limit(pageSize(q.limit))
        .execute();
      return rows.map(toJob);
    },

    async jobCounts() {
      const rows = await db
        .selectFrom('jobs')
        .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('state')
        .execute();
      const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
      for (const r of rows)
        if ((JOB_STATES as readonly string[]).includes(r.state)) counts[r.state as JobState] = Number(r.n);
      return counts;
    },
  };
}
