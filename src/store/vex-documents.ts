/**
 * VEX documents the server's central policy applies (docs/store.md "Registry
 * status and VEX"): OpenVEX or CycloneDX VEX, stored as sent under a name. The
 * store keeps the text; the server parses it (policy/vex.ts) before storing it
 * and whenever it judges, so what is stored is what was validated.
 */
import type { Selectable } from 'kysely';
import type { VexDocumentsTable } from './db-schema.js';
import type { StoreContext } from './store-context.js';

export interface VexDocumentInput {
  readonly name: string;
  /** The format the parser recognised ('openvex' | 'cyclonedx'). */
  readonly format: string;
  readonly body: string;
  readonly createdBy: string;
}

export interface VexDocumentRecord extends VexDocumentInput {
  readonly id: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface VexDocumentRepository {
  /** Create, or replace the body of the document of that name. */
  put(input: VexDocumentInput): Promise<VexDocumentRecord>;
  get(name: string): Promise<VexDocumentRecord | undefined>;
  /** By name. */
  list(): Promise<VexDocumentRecord[]>;
  remove(name: string): Promise<boolean>;
}

const toRecord = (r: Selectable<VexDocumentsTable>): VexDocumentRecord => ({
  id: r.id,
  name: r.name,
  format: r.format,
  body: r.body,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function vexDocumentRepository(ctx: StoreContext): VexDocumentRepository {
  const { backend } = ctx;
  const byName = async (name: string) => {
    const r = await backend.db.selectFrom('vex_documents').selectAll().where('name', '=', name).executeTakeFirst();
    return r ? toRecord(r) : undefined;
  };
  return {
    async put(input) {
      const now = ctx.now();
      await backend.write((trx) =>
        trx
          .insertInto('vex_documents')
          .values({
            name: input.name,
            format: input.format,
            body: input.body,
            created_by: input.createdBy,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc.column('name').doUpdateSet({
              format: input.format,
              body: input.body,
              created_by: input.createdBy,
              updated_at: now,
            }),
          )
          .execute(),
      );
      const stored = await byName(input.name);
      if (!stored) throw new Error(`VEX document ${input.name} vanished after it was stored`);
      return stored;
    },
    get: byName,
    async list() {
      const rows = await backend.db.selectFrom('vex_documents').selectAll().orderBy('name').execute();
      return rows.map(toRecord);
    },
    async remove(name) {
      const r = await backend.db.deleteFrom('vex_documents').where('name', '=', name).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}
