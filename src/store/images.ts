/**
 * Repositories of a registry, their tags (tag → digest, with the history of
 * every move) and images by manifest digest (config, platform, layers).
 */
import type { Selectable } from 'kysely';
import type { Db, ImagesTable, TagsTable } from './db-schema.js';
import { appendEvent } from './events.js';
import type { ImageRepository } from './repository.js';
import type { StoreContext } from './store-context.js';
import type { ImageLayer, ImageRecord, RepositoryRecord, TagRecord } from './types.js';

const toImage = (r: Selectable<ImagesTable>): ImageRecord => ({
  id: r.id,
  digest: r.digest,
  ...(r.config_digest !== null ? { configDigest: r.config_digest } : {}),
  ...(r.config !== null ? { config: JSON.parse(r.config) as unknown } : {}),
  ...(r.platform !== null ? { platform: r.platform } : {}),
  layers: JSON.parse(r.layers) as ImageLayer[],
  ...(r.inventory_at !== null ? { inventoryAt: r.inventory_at } : {}),
  createdAt: r.created_at,
});

const toTag = (r: Selectable<TagsTable>): TagRecord => ({
  repositoryId: r.repository_id,
  tag: r.tag,
  digest: r.digest,
  updatedAt: r.updated_at,
});

/** The image row for a digest, inserted with what is known when missing; its id. */
export async function ensureImage(trx: Db, digest: string, at: number, platform?: string): Promise<number> {
  await trx
    .insertInto('images')
    .values({ digest, layers: '[]', platform: platform ?? null, created_at: at })
    .onConflict((oc) => oc.column('digest').doNothing())
    .execute();
  const row = await trx.selectFrom('images').select('id').where('digest', '=', digest).executeTakeFirstOrThrow();
  return row.id;
}

export function imageRepository(ctx: StoreContext): ImageRepository {
  const { backend } = ctx;
  const getImage = async (db: Db, digest: string): Promise<ImageRecord | undefined> => {
    const row = await db.selectFrom('images').selectAll().where('digest', '=', digest).executeTakeFirst();
    return row ? toImage(row) : undefined;
  };

  return {
    ensureRepository: (registryId, name) =>
      backend.write(async (trx): Promise<RepositoryRecord> => {
        await trx
          .insertInto('repositories')
          .values({ registry_id: registryId, name, created_at: ctx.now() })
          .onConflict((oc) => oc.columns(['registry_id', 'name']).doNothing())
          .execute();
        const r = await trx
          .selectFrom('repositories')
          .selectAll()
          .where('registry_id', '=', registryId)
          .where('name', '=', name)
          .executeTakeFirstOrThrow();
        return { id: r.id, registryId: r.registry_id, name: r.name, createdAt: r.created_at };
      }),
    async repositories(registryId) {
      const rows = await backend.db
        .selectFrom('repositories')
        .selectAll()
        .where('registry_id', '=', registryId)
        .orderBy('name')
        .execute();
      return rows.map((r) => ({ id: r.id, registryId: r.registry_id, name: r.name, createdAt: r.created_at }));
    },
    setTag: (repositoryId, tag, digest) =>
      backend.write(async (trx) => {
        const now = ctx.now();
        const inserted = await trx
          .insertInto('tags')
          .values({ repository_id: repositoryId, tag, digest, updated_at: now })
          .onConflict((oc) => oc.columns(['repository_id', 'tag']).doNothing())
          .executeTakeFirst();
        const history = (previous: string | null) =>
          trx
            .insertInto('tag_history')
            .values({ repository_id: repositoryId, tag, digest, previous_digest: previous, at: now })
            .execute();
        if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) {
          await history(null);
          return { created: true, moved: false };
        }
        // PostgreSQL: lock the tag row so concurrent moves are recorded one after the other.
        const current = await trx
          .selectFrom('tags')
          .select('digest')
          .where('repository_id', '=', repositoryId)
          .where('tag', '=', tag)
          .$if(backend.dialect === 'postgres', (q) => q.forUpdate())
          .executeTakeFirstOrThrow();
        await trx
          .updateTable('tags')
          .set({ digest, updated_at: now })
          .where('repository_id', '=', repositoryId)
          .where('tag', '=', tag)
          .execute();
        if (current.digest === digest) return { created: false, moved: false };
        await history(current.digest);
        const repo = await trx
          .selectFrom('repositories')
          .innerJoin('registries', 'registries.id', 'repositories.registry_id')
          .select(['repositories.name as repository', 'registries.name as registry'])
          .where('repositories.id', '=', repositoryId)
          .executeTakeFirstOrThrow();
        await appendEvent(trx, backend.dialect, now, {
          type: 'tag.moved',
          subject: `${repo.registry}/${repo.repository}:${tag}`,
          data: { repositoryId, tag, digest, previousDigest: current.digest },
        });
        return { created: false, moved: true, previousDigest: current.digest };
      }),
    async tags(repositoryId) {
      const rows = await backend.db
        .selectFrom('tags')
        .selectAll()
        .where('repository_id', '=', repositoryId)
        .orderBy('tag')
        .execute();
      return rows.map(toTag);
    },
    async tagHistory(repositoryId, tag) {
      const rows = await backend.db
        .selectFrom('tag_history')
        .selectAll()
        .where('repository_id', '=', repositoryId)
        .where('tag', '=', tag)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        digest: r.digest,
        ...(r.previous_digest !== null ? { previousDigest: r.previous_digest } : {}),
        at: r.at,
      }));
    },
    async tagsOf(digest) {
      const rows = await backend.db
        .selectFrom('tags')
        .selectAll()
        .where('digest', '=', digest)
        .orderBy('repository_id')
        .orderBy('tag')
        .execute();
      return rows.map(toTag);
    },
    put: (input) =>
      backend.write(async (trx) => {
        const fields = {
          ...(input.configDigest !== undefined ? { config_digest: input.configDigest } : {}),
          ...(input.config !== undefined ? { config: JSON.stringify(input.config) } : {}),
          ...(input.platform !== undefined ? { platform: input.platform } : {}),
          ...(input.layers !== undefined ? { layers: JSON.stringify(input.layers) } : {}),
        };
        const inserted = await trx
          .insertInto('images')
          .values({ digest: input.digest, layers: '[]', created_at: ctx.now(), ...fields })
          .onConflict((oc) => oc.column('digest').doNothing())
          .executeTakeFirst();
        if ((inserted.numInsertedOrUpdatedRows ?? 0n) === 0n && Object.keys(fields).length > 0) {
          await trx.updateTable('images').set(fields).where('digest', '=', input.digest).execute();
        }
        const image = await getImage(trx, input.digest);
        if (!image) throw new Error(`image ${input.digest} vanished inside its own transaction`);
        return image;
      }),
    get: (digest) => getImage(backend.db, digest),
  };
}
