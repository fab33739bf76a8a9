/**
 * What a registry did lately (docs/store.md "Registry status and VEX"): its last
 * discovery run (when, what it found, or why it failed) and the last push
 * notification it sent. One row per registry, overwritten by each run or push,
 * removed with the registry. The dashboard's Registries page reads it.
 */
import type { Selectable } from 'kysely';
import type { RegistryStatusTable } from './db-schema.js';
import type { StoreContext } from './store-context.js';

export interface DiscoveryRun {
  /** When the run ended (ms). */
  readonly at: number;
  readonly repositories: number;
  readonly tags: number;
  readonly digests: number;
  readonly queued: number;
  /** Per-tag errors the run went past (at most the first few are kept). */
  readonly errors: readonly string[];
  /** Set when the run as a whole failed (the registry could not be listed). */
  readonly error?: string;
}

export interface PushSeen {
  readonly at: number;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export interface RegistryStatus {
  readonly registryId: number;
  readonly discovery?: DiscoveryRun;
  readonly lastPush?: PushSeen;
}

export interface RegistryStatusRepository {
  /** Replace the registry's last discovery run; a registry no longer stored is ignored. */
  recordDiscovery(registryId: number, run: DiscoveryRun): Promise<void>;
  /** Replace the registry's last push notification; a registry no longer stored is ignored. */
  recordPush(registryId: number, push: PushSeen): Promise<void>;
  get(registryId: number): Promise<RegistryStatus | undefined>;
  /** Every registry that has a status, by registry id. */
  list(): Promise<RegistryStatus[]>;
}

/** Errors kept per run: enough to act on, bounded so one broken registry cannot grow the row without end. */
export const MAX_DISCOVERY_ERRORS = 20;

const toStatus = (r: Selectable<RegistryStatusTable>): RegistryStatus => ({
  registryId: Number(r.registry_id),
  ...(r.discovery !== null ? { discovery: JSON.parse(r.discovery) as DiscoveryRun } : {}),
  ...(r.push !== null ? { lastPush: JSON.parse(r.push) as PushSeen } : {}),
});

export function registryStatusRepository(ctx: StoreContext): RegistryStatusRepository {
  const { backend } = ctx;
  const upsert = (registryId: number, values: Partial<Omit<RegistryStatusTable, 'registry_id'>>) =>
    backend.write(async (trx) => {
      const exists = await trx.selectFrom('registries').select('id').where('id', '=', registryId).executeTakeFirst();
      if (!exists) return;
      await trx
        .insertInto('registry_status')
        .values({ registry_id: registryId, discovery_at: null, discovery: null, push_at: null, push: null, ...values })
        .onConflict((oc) => oc.column('registry_id').doUpdateSet(values))
        .execute();
    });
  return {
    recordDiscovery: (registryId, run) =>
      upsert(registryId, {
        discovery_at: run.at,
        discovery: JSON.stringify({ ...run, errors: run.errors.slice(0, MAX_DISCOVERY_ERRORS) }),
      }),
    recordPush: (registryId, push) => upsert(registryId, { push_at: push.at, push: JSON.stringify(push) }),
    async get(registryId) {
      const r = await backend.db
        .selectFrom('registry_status')
        .selectAll()
        .where('registry_id', '=', registryId)
        .executeTakeFirst();
      return r ? toStatus(r) : undefined;
    },
    async list() {
      const rows = await backend.db.selectFrom('registry_status').selectAll().orderBy('registry_id').execute();
      return rows.map(toStatus);
    },
  };
}
