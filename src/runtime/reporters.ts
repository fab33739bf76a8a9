/**
 * Where sensor records go besides stdout: the server's runtime API (batched
 * POSTs of RuntimeReport) or a local store (events and audit entries).
 */
import type { Store } from '../store/index.js';
import type { RuntimeAlert } from './alerts.js';
import type { ActionRecord } from './enforce.js';
import {
  type InUseFiles,
  RUNTIME_EVENTS,
  RUNTIME_REPORT_PATH,
  RUNTIME_REPORT_SCHEMA,
  type RuntimeReport,
  type SensorStats,
} from './payload.js';
import type { NodeInventory } from './types.js';

export interface Reporter {
  alert(a: RuntimeAlert): void;
  action(a: ActionRecord): void;
  inventory(inv: NodeInventory): void;
  /** Send what is buffered. */
  flush(stats: SensorStats, inUse: readonly InUseFiles[]): Promise<void>;
}

/** Records into the store: runtime.* events, and one audit entry per enforcement action (taken or dry-run). */
export function storeReporter(store: Store, host: string): Reporter {
  const pending: Promise<unknown>[] = [];
  const sent = new Map<string, number>();
  return {
    alert(a) {
      pending.push(store.events.append({ type: RUNTIME_EVENTS.alert, subject: a.container?.id ?? host, data: a }));
    },
    action(a) {
      pending.push(store.events.append({ type: RUNTIME_EVENTS.action, subject: a.container.id, data: a }));
      pending.push(
        store.audit.append({
          actor: `sensor@${host}`,
          action: `runtime.${a.action}${a.dryRun ? '.dry-run' : ''}`,
          target: a.container.id,
          source: host,
          detail: a,
        }),
      );
    },
    inventory(inv) {
      pending.push(store.events.append({ type: RUNTIME_EVENTS.inventory, subject: host, data: inv }));
    },
    async flush(_stats, inUse) {
      // The latest list per container, when it grew since the last flush.
      for (const u of inUse) {
        if ((sent.get(u.containerId) ?? 0) >= u.files.length) continue;
        sent.set(u.containerId, u.files.length);
        pending.push(store.events.append({ type: RUNTIME_EVENTS.inUse, subject: u.containerId, data: u }));
      }
      await Promise.all(pending.splice(0));
    },
  };
}

/** POST {server}/api/v1/runtime/reports with the bearer token; a failed POST keeps the batch for the next flush. */
export function serverReporter(
  server: string,
  token: string | undefined,
  host: string,
  now: () => Date,
  fetchFn: typeof fetch = fetch,
): Reporter {
  let alerts: RuntimeAlert[] = [];
  let actions: ActionRecord[] = [];
  let inventory: NodeInventory | undefined;
  const url = new URL(RUNTIME_REPORT_PATH, server.endsWith('/') ? server : `${server}/`).toString();
  return {
    alert: (a) => void alerts.push(a),
    action: (a) => void actions.push(a),
    inventory: (inv) => {
      inventory = inv;
    },
    async flush(stats, inUse) {
      const body: RuntimeReport = {
        schema: RUNTIME_REPORT_SCHEMA,
        host,
        sentAt: now().toISOString(),
        ...(inventory ? { inventory } : {}),
        alerts,
        actions,
        inUse,
        stats,
      };
      const res = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status}`);
      alerts = [];
      actions = [];
      inventory = undefined;
    },
  };
}
