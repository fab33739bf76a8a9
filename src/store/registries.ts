/**
 * Registries the platform watches: URL, TLS settings, which repositories to
 * watch, and credentials sealed with the store key (secret-box.ts). The
 * sealing context is the registry's id, so a credentials blob copied onto
 * another registry's row does not open.
 */
import type { Selectable } from 'kysely';
import { CustomsError } from '../core/index.js';
import { conflictAs } from './backend.js';
import type { Db, RegistriesTable } from './db-schema.js';
import type { RegistryRepository } from './repository.js';
import { openSecret, sealSecret } from './secret-box.js';
import type { StoreContext } from './store-context.js';
import type { Registry, RegistryCredentials, RegistryTls, RepositorySelection } from './types.js';

const DEFAULT_TLS: RegistryTls = { insecure: false, skipVerify: false };
const DEFAULT_SELECTION: RepositorySelection = { include: ['**'], exclude: [] };

const toRegistry = (r: Selectable<RegistriesTable>): Registry => ({
  id: r.id,
  name: r.name,
  url: r.url,
  tls: JSON.parse(r.tls) as RegistryTls,
  selection: JSON.parse(r.selection) as RepositorySelection,
  hasCredentials: r.credentials !== null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const sealingContext = (id: number): string => `registry:${id}`;

export function registryRepository(ctx: StoreContext): RegistryRepository {
  const { backend } = ctx;
  const key = (what: string) => {
    if (ctx.secretKey === undefined) {
      throw new CustomsError(
        'STORE_SECRET_INVALID',
        `cannot ${what} registry credentials: the store was opened without a key (set CUSTOMS_STORE_KEY to 32 bytes, hex or base64)`,
      );
    }
    return ctx.secretKey;
  };
  const seal = (id: number, c: RegistryCredentials): Buffer =>
    sealSecret(key('store'), JSON.stringify({ username: c.username, password: c.password }), sealingContext(id));
  const byId = async (db: Db, id: number): Promise<Registry | undefined> => {
    const row = await db.selectFrom('registries').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRegistry(row) : undefined;
  };

  return {
    async add(input) {
      if (input.credentials) key('store');
      const now = ctx.now();
      return conflictAs(`a registry named ${JSON.stringify(input.name)} exists already`, () =>
        backend.write(async (trx) => {
          const { id } = await trx
            .insertInto('registries')
            .values({
              name: input.name,
              url: input.url,
              tls: JSON.stringify(input.tls ?? DEFAULT_TLS),
              selection: JSON.stringify(input.selection ?? DEFAULT_SELECTION),
              credentials: null,
              created_at: now,
              updated_at: now,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          if (input.credentials) {
            await trx
              .updateTable('registries')
              .set({ credentials: seal(id, input.credentials) })
              .where('id', '=', id)
              .execute();
          }
          const registry = await byId(trx, id);
          if (!registry) throw new Error(`registry ${id} vanished inside its own transaction`);
          return registry;
        }),
      );
    },
    async update(id, patch) {
      if (patch.credentials) key('store');
      return backend.write(async (trx) => {
        const r = await trx
          .updateTable('registries')
          .set({
            updated_at: ctx.now(),
            ...(patch.url !== undefined ? { url: patch.url } : {}),
            ...(patch.tls !== undefined ? { tls: JSON.stringify(patch.tls) } : {}),
            ...(patch.selection !== undefined ? { selection: JSON.stringify(patch.selection) } : {}),
            ...(patch.credentials !== undefined
              ? { credentials: patch.credentials === null ? null : seal(id, patch.credentials) }
              : {}),
          })
          .where('id', '=', id)
          .executeTakeFirst();
        return r.numUpdatedRows > 0n ? byId(trx, id) : undefined;
      });
    },
    get: (id) => byId(backend.db, id),
    async byName(name) {
      const row = await backend.db.selectFrom('registries').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toRegistry(row) : undefined;
    },
    async list() {
      const rows = await backend.db.selectFrom('registries').selectAll().orderBy('name').execute();
      return rows.map(toRegistry);
    },
    async remove(id) {
      const r = await backend.db.deleteFrom('registries').where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
    async credentials(id) {
      const row = await backend.db
        .selectFrom('registries')
        .select('credentials')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row?.credentials) return undefined;
      const opened = openSecret(key('open'), row.credentials, sealingContext(id));
      return JSON.parse(opened.toString('utf8')) as RegistryCredentials;
    },
  };
}
