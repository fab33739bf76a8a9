/** Policy verdicts per image, newest last; the verdict document is stored as is. */
import type { Selectable } from 'kysely';
import type { VerdictStatus } from '../policy/index.js';
import type { Db, VerdictsTable } from './db-schema.js';
import { ensureImage } from './images.js';
import type { VerdictRepository } from './repository.js';
import type { StoreContext } from './store-context.js';
import type { VerdictInput, VerdictRecord } from './types.js';

const toVerdict = (r: Selectable<VerdictsTable>, imageDigest: string): VerdictRecord => ({
  id: r.id,
  imageDigest,
  ...(r.scan_id !== null ? { scanId: r.scan_id } : {}),
  status: r.status as VerdictStatus,
  ...(r.policy !== null ? { policy: r.policy } : {}),
  document: JSON.parse(r.document) as unknown,
  createdAt: r.created_at,
});

/** Insert a verdict inside the caller's transaction (scans.record writes a scan and its verdict in one). */
export async function insertVerdict(trx: Db, imageId: number, input: VerdictInput, at: number): Promise<VerdictRecord> {
  const row = await trx
    .insertInto('verdicts')
    .values({
      image_id: imageId,
      scan_id: input.scanId ?? null,
      status: input.status,
      policy: input.policy ?? null,
      document: JSON.stringify(input.document),
      created_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toVerdict(row, input.imageDigest);
}

export function verdictRepository(ctx: StoreContext): VerdictRepository {
  const { backend } = ctx;
  const list = async (imageDigest: string, limit: number): Promise<VerdictRecord[]> => {
    const rows = await backend.db
      .selectFrom('verdicts')
      .innerJoin('images', 'images.id', 'verdicts.image_id')
      .selectAll('verdicts')
      .where('images.digest', '=', imageDigest)
      .orderBy('verdicts.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => toVerdict(r, imageDigest));
  };
  return {
    record: (input) =>
      backend.write(async (trx) => {
        const at = ctx.now();
        const imageId = await ensureImage(trx, input.imageDigest, at);
        return insertVerdict(trx, imageId, input, at);
      }),
    latest: async (imageDigest) => (await list(imageDigest, 1))[0],
    list: (imageDigest, limit = 100) => list(imageDigest, Math.max(1, Math.min(limit, 1000))),
  };
}
