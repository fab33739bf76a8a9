/**
 * Recording a scan: the scan result document (opaque JSON), the image's
 * inventory and its findings change together in one transaction, with a
 * scan.recorded event, so readers never see a scan without its findings —
 * and with the verdict judged on it when the caller gives one, so a crash
 * never leaves a scan without its verdict.
 */
import { sql } from 'kysely';
import { appendEvent } from './events.js';
import { upsertFindings } from './findings.js';
import { ensureImage } from './images.js';
import { replaceInventory } from './package-index.js';
import type { ScanRepository } from './repository.js';
import { asScanDocument, findingsOf } from './scan-document.js';
import type { StoreContext } from './store-context.js';
import { insertVerdict } from './verdicts.js';

export function scanRepository(ctx: StoreContext): ScanRepository {
  const { backend } = ctx;
  return {
    async record(input) {
      const doc = asScanDocument(input.document, `the scan of ${input.imageDigest}`);
      const findings = findingsOf(doc);
      const documentText = JSON.stringify(input.document);
      return backend.write(async (trx) => {
        const at = ctx.now();
        const imageId = await ensureImage(trx, input.imageDigest, at, doc.target.platform);
        // PostgreSQL: scans of one image are recorded one at a time (the diff reads then writes).
        if (backend.dialect === 'postgres')
          await sql`SELECT id FROM images WHERE id = ${imageId} FOR UPDATE`.execute(trx);
        const { id: scanId } = await trx
          .insertInto('scans')
          .values({
            image_id: imageId,
            job_id: input.jobId ?? null,
            db_version: input.dbVersion ?? null,
            document: documentText,
            created_at: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await replaceInventory(trx, imageId, input.packages, at);
        const changes = await upsertFindings(trx, imageId, findings, at);
        await appendEvent(trx, backend.dialect, at, {
          type: 'scan.recorded',
          subject: input.imageDigest,
          data: {
            scanId,
            new: changes.new.length,
            changed: changes.changed.length,
            fixed: changes.fixed.length,
            unchanged: changes.unchanged,
          },
        });
        // The verdict judged on this scan, in the same transaction: a crash between the two writes no scan.
        const verdict =
          input.verdict !== undefined
            ? await insertVerdict(trx, imageId, { ...input.verdict, imageDigest: input.imageDigest, scanId }, at)
            : undefined;
        return { scanId, imageId, findings: changes, ...(verdict !== undefined ? { verdict } : {}) };
      });
    },
    async latest(imageDigest) {
      const row = await backend.db
        .selectFrom('scans')
        .innerJoin('images', 'images.id', 'scans.image_id')
        .selectAll('scans')
        .where('images.digest', '=', imageDigest)
        .orderBy('scans.id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        imageDigest,
        ...(row.job_id !== null ? { jobId: row.job_id } : {}),
        ...(row.db_version !== null ? { dbVersion: row.db_version } : {}),
        document: JSON.parse(row.document) as unknown,
        createdAt: row.created_at,
      };
    },
  };
}
