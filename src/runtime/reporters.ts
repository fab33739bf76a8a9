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

/**
 * Alerts and actions held while the server refuses or cannot be reached: beyond this many of
 * each, the oldest are dropped (and counted), so a long outage or a refused token cannot grow
 * the sensor's memory without bound.
 */
export const MAX_HELD = 10_000;

/** The server's reason for refusing a report: its error body's code and message, else the status alone. */
async function refusal(url: string, res: Response): Promise<string> {
  let reason = '';
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.message === 'string')
      reason = `: ${body.error.message}${typeof body.error.code === 'string' ? ` [${body.error.code}]` : ''}`;
  } catch {
    // Not the server's JSON error body (a proxy's page): the status says what there is.
  }
  return `POST ${url}: HTTP ${res.status}${reason}`;
}

/**
 * POST {server}/api/v1/runtime/reports with the bearer token; a failed POST keeps the batch for
 * the next flush (at most MAX_HELD alerts and actions; the error says how many were dropped).
 */
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
  let dropped = 0;
  const hold = <T>(list: T[], item: T): void => {
    list.push(item);
    if (list.length > MAX_HELD) {
      list.shift();
      dropped++;
    }
  };
  const url = new URL(RUNTIME_REPORT_PATH, server.endsWith('/') ? server : `${server}/`).toString();
  return {
    alert: (a) => hold(alerts, a),
    action: (a) => hold(actions, a),
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
      if (!res.ok) {
        const held = `${alerts.length} alerts and ${actions.length} actions held for the next try`;
        throw new Error(
          `${await refusal(url, res)}; ${held}${dropped > 0 ? `, ${dropped} older ones dropped (over ${MAX_HELD})` : ''}`,
        );
      }
      dropped = 0;
      alerts = [];
      actions = [];
      inventory = undefined;
    },
  };
}
