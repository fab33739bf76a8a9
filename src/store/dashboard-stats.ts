/**
 * The figures of the dashboard's overview (docs/dashboard.md "Overview"): how
 * much is stored, how the latest verdicts fall, and which open
 * vulnerabilities reach the most images. Aggregates in SQL, through the
 * existing indexes, so they stay one round trip each with many thousands of
 * images.
 */
import { sql } from 'kysely';
import type { StoreContext } from './store-context.js';

export interface InventoryCounts {
  readonly images: number;
  /** Images stored but never scanned (no inventory yet). */
  readonly unscanned: number;
  readonly registries: number;
  readonly repositories: number;
  readonly tags: number;
  /** Images by the status of their latest verdict. */
  readonly verdicts: Readonly<Record<string, number>>;
}

export interface FindingReach {
  readonly findingId: string;
  readonly severity: string;
  /** Stored images with the finding open. */
  readonly images: number;
}

export interface DashboardStats {
  counts(): Promise<InventoryCounts>;
  /** Open vulnerability findings by how many images they reach, most first (then by ID). */
  topVulnerabilities(limit: number): Promise<FindingReach[]>;
}

const SEVERITY_RANK =
  "CASE severity WHEN 'critical' THEN 5 WHEN 'high' THEN 4 WHEN 'medium' THEN 3 WHEN 'low' THEN 2 ELSE 1 END";

export function dashboardStats(ctx: StoreContext): DashboardStats {
  const { db } = ctx.backend;
  const count = async (table: 'images' | 'registries' | 'repositories' | 'tags') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );
  return {
    async counts() {
      const [images, registries, repositories, tags, unscanned, verdicts] = await Promise.all([
        count('images'),
        count('registries'),
        count('repositories'),
        count('tags'),
        db
          .selectFrom('images')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('inventory_at', 'is', null)
          .executeTakeFirst(),
        // The latest verdict of each image: the highest id per image (verdicts_by_image).
        db
          .selectFrom('verdicts as v')
          .select(['v.status', (eb) => eb.fn.countAll().as('n')])
          .where('v.id', 'in', (eb) =>
            eb
              .selectFrom('verdicts')
              .select((e) => e.fn.max('id').as('id'))
              .groupBy('image_id'),
          )
          .groupBy('v.status')
          .execute(),
      ]);
      return {
        images,
        unscanned: Number(unscanned?.n ?? 0),
        registries,
        repositories,
        tags,
        verdicts: Object.fromEntries(verdicts.map((r) => [r.status, Number(r.n)])),
      };
    },
    async topVulnerabilities(limit) {
      const rows = await db
        .selectFrom('findings')
        .select([
          'finding_id',
          sql<number>`MAX(${sql.raw(SEVERITY_RANK)})`.as('rank'),
          (eb) => eb.fn.count<number>('image_id').distinct().as('images'),
        ])
        .where('kind', '=', 'vuln')
        .where('fixed_at', 'is', null)
        .groupBy('finding_id')
        .orderBy('images', 'desc')
        .orderBy('finding_id')
        .limit(limit)
        .execute();
      const names = ['unknown', 'unknown', 'low', 'medium', 'high', 'critical'];
      return rows.map((r) => ({
        findingId: r.finding_id,
        severity: names[Number(r.rank)] ?? 'unknown',
        images: Number(r.images),
      }));
    },
  };
}
