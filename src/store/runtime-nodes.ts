/**
 * What the runtime sensors report (docs/store.md "Runtime"): the nodes, the
 * containers each node's latest inventory listed, and the join of those
 * containers with stored images ("which running workloads have CVE-X").
 * A report is applied in one transaction: the node's containers are replaced
 * (upserted by container ID, the ones no longer listed removed), and its
 * alerts and actions appended to the event log once each, so a sensor that
 * re-sends a batch after a lost answer adds nothing twice.
 */
import type { ExpressionBuilder, Selectable } from 'kysely';
import { CustomsError } from '../core/index.js';
import type { Db, RuntimeContainersTable, RuntimeNodesTable, Tables } from './db-schema.js';
import { appendEvent } from './events.js';
import type { RuntimeRepository } from './repository.js';
import type { ContainerPrivileges, RuntimeContainer, RuntimeNode } from './runtime-types.js';
import type { StoreContext } from './store-context.js';
import type { EventRecord } from './types.js';

const pageSize = (limit: number | undefined): number => Math.max(1, Math.min(limit ?? 100, 1000));
/** Rows per insert: 13 bound values each stays far under SQLite's variable limit. */
const CHUNK = 200;

const toNode = (r: Selectable<RuntimeNodesTable>, containers: number, running: number): RuntimeNode => ({
  id: r.id,
  name: r.name,
  lastReportAt: Number(r.last_report_at),
  receivedAt: Number(r.received_at),
  ...(r.inventory_at !== null ? { inventoryAt: Number(r.inventory_at) } : {}),
  containers,
  running,
  stats: JSON.parse(r.stats) as unknown,
  createdAt: Number(r.created_at),
  ...(r.owner_token_id !== null ? { ownerTokenId: Number(r.owner_token_id) } : {}),
});

const toContainer = (r: Selectable<RuntimeContainersTable> & { node: string }): RuntimeContainer => ({
  id: r.id,
  node: r.node,
  containerId: r.container_id,
  name: r.name,
  runtime: r.runtime,
  imageId: r.image_id,
  ...(r.image_digest !== null ? { imageDigest: r.image_digest } : {}),
  imageRef: r.image_ref,
  state: r.state,
  ...(r.k8s_namespace !== null ? { kubernetesNamespace: r.k8s_namespace } : {}),
  ...(r.k8s_pod !== null ? { kubernetesPod: r.k8s_pod } : {}),
  privileges: JSON.parse(r.privileges) as ContainerPrivileges,
  lastSeenAt: Number(r.last_seen_at),
});

/**
 * A container runs an image when its manifest digest is the image's digest, or its
 * image ID (config digest) is the image's digest (images scanned from a node are
 * stored under their ID) or the image's config digest.
 */
const runsImage = (eb: ExpressionBuilder<Tables & { c: RuntimeContainersTable; i: Tables['images'] }, 'c' | 'i'>) =>
  eb.or([
    eb('c.image_digest', '=', eb.ref('i.digest')),
    eb('c.image_id', '=', eb.ref('i.digest')),
    eb('c.image_id', '=', eb.ref('i.config_digest')),
  ]);

/** Append an event once per key (the event_once table the notifier also uses); undefined when seen before. */
async function appendOnce(
  trx: Db,
  ctx: StoreContext,
  at: number,
  key: string,
  input: { type: string; subject: string; data: unknown },
): Promise<EventRecord | undefined> {
  const marked = await trx
    .insertInto('event_once')
    .values({ once_key: key, event_id: 0, created_at: at })
    .onConflict((oc) => oc.column('once_key').doNothing())
    .executeTakeFirst();
  if (Number(marked.numInsertedOrUpdatedRows ?? 0n) === 0) return undefined;
  const event = await appendEvent(trx, ctx.backend.dialect, at, input);
  await trx.updateTable('event_once').set({ event_id: event.id }).where('once_key', '=', key).execute();
  return event;
}

export function runtimeRepository(ctx: StoreContext): RuntimeRepository {
  const { backend } = ctx;
  const { db } = backend;
  const postgres = backend.dialect === 'postgres';

  const counts = async (nodeIds: readonly number[]) => {
    const out = new Map<number, { containers: number; running: number }>();
    if (nodeIds.length === 0) return out;
    const rows = await db
      .selectFrom('runtime_containers')
      .select(['node_id', 'state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('node_id', 'in', [...nodeIds])
      .groupBy(['node_id', 'state'])
      .execute();
    for (const r of rows) {
      const c = out.get(r.node_id) ?? { containers: 0, running: 0 };
      c.containers += Number(r.n);
      if (r.state === 'running') c.running += Number(r.n);
      out.set(r.node_id, c);
    }
    return out;
  };
  const nodesOf = async (rows: readonly Selectable<RuntimeNodesTable>[]) => {
    const c = await counts(rows.map((r) => r.id));
    return rows.map((r) => toNode(r, c.get(r.id)?.containers ?? 0, c.get(r.id)?.running ?? 0));
  };

  /**
   * A node not bound yet is bound to the reporting token; one bound to another token is
   * refused (thrown inside the transaction: nothing of the report is written).
   */
  const claim = async (trx: Db, node: Selectable<RuntimeNodesTable>, tokenId: number): Promise<void> => {
    if (node.owner_token_id === null) {
      await trx.updateTable('runtime_nodes').set({ owner_token_id: tokenId }).where('id', '=', node.id).execute();
      return;
    }
    if (Number(node.owner_token_id) === tokenId) return;
    const owner = await trx
      .selectFrom('api_tokens')
      .select('name')
      .where('id', '=', Number(node.owner_token_id))
      .executeTakeFirst();
    throw new CustomsError(
      'RUNTIME_NODE_OWNED',
      `node "${node.name}" is bound to token ${owner ? `"${owner.name}" ` : ''}(id ${String(node.owner_token_id)}), which reported it first; send its reports with that token, or have an admin reassign the node (PUT /api/v1/runtime/nodes/${encodeURIComponent(node.name)}/owner)`,
    );
  };

  return {
    async setNodeOwner(name, tokenId) {
      const found = await backend.write(async (trx) =>
        trx
          .updateTable('runtime_nodes')
          .set({ owner_token_id: tokenId })
          .where('name', '=', name)
          .returning('id')
          .executeTakeFirst(),
      );
      if (!found) return undefined;
      const row = await db.selectFrom('runtime_nodes').selectAll().where('id', '=', found.id).executeTakeFirstOrThrow();
      return (await nodesOf([row]))[0];
    },

    async report(input) {
      const now = ctx.now();
      const outcome = await backend.write(async (trx) => {
        await trx
          .insertInto('runtime_nodes')
          .values({
            name: input.node,
            last_report_at: 0,
            received_at: now,
            inventory_at: null,
            stats: 'null',
            created_at: now,
            owner_token_id: input.tokenId ?? null,
          })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        // Reports of one node are applied one at a time (SQLite: the write lock; PostgreSQL: the row).
        const node = await trx
          .selectFrom('runtime_nodes')
          .selectAll()
          .where('name', '=', input.node)
          .$if(postgres, (q) => q.forUpdate())
          .executeTakeFirstOrThrow();
        if (input.tokenId !== undefined) await claim(trx, node, input.tokenId);
        // Older or the same: a re-sent or late report must not roll the node's containers back.
        const duplicate = input.sentAt <= Number(node.last_report_at);
        const events: EventRecord[] = [];
        let inventoryApplied = false;
        if (!duplicate) {
          const applyInventory = input.containers !== undefined;
          await trx
            .updateTable('runtime_nodes')
            .set({
              last_report_at: input.sentAt,
              received_at: now,
              stats: JSON.stringify(input.stats ?? null),
              ...(applyInventory ? { inventory_at: input.sentAt } : {}),
            })
            .where('id', '=', node.id)
            .execute();
          if (input.containers !== undefined) {
            const rows = input.containers.map((c) => ({
              node_id: node.id,
              container_id: c.containerId,
              name: c.name,
              runtime: c.runtime,
              image_id: c.imageId,
              image_digest: c.imageDigest ?? null,
              image_ref: c.imageRef,
              state: c.state,
              k8s_namespace: c.kubernetesNamespace ?? null,
              k8s_pod: c.kubernetesPod ?? null,
              privileges: JSON.stringify(c.privileges),
              last_seen_at: input.sentAt,
            }));
            // Upserted by (node, container ID): a container keeps its row id, so a listing's cursor stays valid.
            for (let i = 0; i < rows.length; i += CHUNK) {
              await trx
                .insertInto('runtime_containers')
                .values(rows.slice(i, i + CHUNK))
                .onConflict((oc) =>
                  oc.columns(['node_id', 'container_id']).doUpdateSet((eb) => ({
                    name: eb.ref('excluded.name'),
                    runtime: eb.ref('excluded.runtime'),
                    image_id: eb.ref('excluded.image_id'),
                    image_digest: eb.ref('excluded.image_digest'),
                    image_ref: eb.ref('excluded.image_ref'),
                    state: eb.ref('excluded.state'),
                    k8s_namespace: eb.ref('excluded.k8s_namespace'),
                    k8s_pod: eb.ref('excluded.k8s_pod'),
                    privileges: eb.ref('excluded.privileges'),
                    last_seen_at: eb.ref('excluded.last_seen_at'),
                  })),
                )
                .execute();
            }
            // Every container this inventory listed now has its time; the others are gone from the node.
            await trx
              .deleteFrom('runtime_containers')
              .where('node_id', '=', node.id)
              .where('last_seen_at', '<>', input.sentAt)
              .execute();
            inventoryApplied = true;
          }
        }
        for (const a of input.events) {
          const e = await appendOnce(trx, ctx, now, `runtime:${input.node}:${a.key}`, {
            type: a.type,
            subject: a.subject,
            data: a.data,
          });
          if (e) events.push(e);
        }
        // Last: the event's id moves the store's generation, so cached "where is CVE-X" answers renew.
        if (inventoryApplied && input.inventoryEvent)
          events.push(
            await appendEvent(trx, backend.dialect, now, {
              type: input.inventoryEvent.type,
              subject: input.node,
              data: input.inventoryEvent.data,
            }),
          );
        return { nodeId: node.id, duplicate, inventoryApplied, events };
      });
      const row = await db
        .selectFrom('runtime_nodes')
        .selectAll()
        .where('id', '=', outcome.nodeId)
        .executeTakeFirstOrThrow();
      const [node] = await nodesOf([row]);
      if (!node) throw new Error('unreachable: the node was just written');
      return {
        node,
        duplicate: outcome.duplicate,
        inventoryApplied: outcome.inventoryApplied,
        events: outcome.events,
      };
    },

    async nodes(q = {}) {
      const rows = await db
        .selectFrom('runtime_nodes')
        .selectAll()
        .where('id', '>', q.afterId ?? 0)
        .orderBy('id')
        .limit(pageSize(q.limit))
        .execute();
      return nodesOf(rows);
    },

    async node(name) {
      const row = await db.selectFrom('runtime_nodes').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? (await nodesOf([row]))[0] : undefined;
    },

    async containers(q = {}) {
      const rows = await db
        .selectFrom('runtime_containers as c')
        .innerJoin('runtime_nodes as n', 'n.id', 'c.node_id')
        .selectAll('c')
        .select('n.name as node')
        .where('c.id', '>', q.afterId ?? 0)
        .$if(q.node !== undefined, (b) => b.where('n.name', '=', q.node ?? ''))
        .$if(q.imageDigest !== undefined, (b) =>
          b.where((eb) =>
            eb.or([eb('c.image_digest', '=', q.imageDigest ?? ''), eb('c.image_id', '=', q.imageDigest ?? '')]),
          ),
        )
        .$if(q.state !== undefined, (b) => b.where('c.state', '=', q.state ?? ''))
        .orderBy('c.id')
        .limit(pageSize(q.limit))
        .execute();
      return rows.map(toContainer);
    },

    async runningByImage(imageIds) {
      const out = new Map<number, { containers: number; nodes: number }>();
      if (imageIds.length === 0) return out;
      const rows = await db
        .selectFrom('runtime_containers as c')
        .innerJoin('images as i', (j) => j.on(runsImage))
        .select([
          'i.id',
          (eb) => eb.fn.count<number>('c.id').distinct().as('containers'),
          (eb) => eb.fn.count<number>('c.node_id').distinct().as('nodes'),
        ])
        .where('i.id', 'in', [...imageIds])
        .where('c.state', '=', 'running')
        .groupBy('i.id')
        .execute();
      for (const r of rows) out.set(r.id, { containers: Number(r.containers), nodes: Number(r.nodes) });
      return out;
    },

    async runningWithFinding(findingId) {
      const row = await db
        .selectFrom('runtime_containers as c')
        .innerJoin('images as i', (j) => j.on(runsImage))
        .select([
          (eb) => eb.fn.count<number>('c.id').distinct().as('containers'),
          (eb) => eb.fn.count<number>('c.node_id').distinct().as('nodes'),
        ])
        .where('c.state', '=', 'running')
        .where('i.id', 'in', (eb) =>
          eb
            .selectFrom('findings')
            .select('findings.image_id')
            .where('findings.finding_id', '=', findingId)
            .where('findings.fixed_at', 'is', null),
        )
        .executeTakeFirst();
      return { containers: Number(row?.containers ?? 0), nodes: Number(row?.nodes ?? 0) };
    },
  };
}
