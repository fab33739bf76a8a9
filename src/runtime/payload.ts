/**
 * What the sensor reports, to the server (POST {server}/api/v1/runtime/reports,
 * `Authorization: Bearer TOKEN`, JSON body RuntimeReport) or to a local store
 * (events runtime.alert / runtime.action / runtime.inventory, and an audit entry
 * per enforcement action). docs/runtime.md "Reporting" documents the body.
 */
import type { RuntimeAlert } from './alerts.js';
import type { ActionRecord } from './enforce.js';
import type { NodeInventory } from './types.js';

export const RUNTIME_REPORT_SCHEMA = 'customs.runtime.report/v1';
export const RUNTIME_REPORT_PATH = '/api/v1/runtime/reports';

/** Store event types (the same strings as the server's EVENT_TYPES runtime* entries). */
export const RUNTIME_EVENTS = {
  alert: 'runtime.alert',
  action: 'runtime.action',
  inventory: 'runtime.inventory',
  /** Files a container exec'd or opened (data: InUseFiles), the latest per container. */
  inUse: 'runtime.in-use',
} as const;

export interface SensorStats {
  /** Lines read from bpftrace. */
  readonly lines: number;
  readonly events: number;
  /** Lines that looked like events but could not be read. */
  readonly malformed: number;
  /** Events bpftrace reported lost (perf buffer full) plus those dropped by the sensor's queue. */
  readonly lost: number;
  /** Events of processes in no known container. */
  readonly unattributed: number;
  readonly alerts: number;
  /** Alerts not repeated (same rule, container and detail within the dedup window). */
  readonly suppressed: number;
  readonly actions: number;
  readonly falcoLines: number;
  readonly falcoErrors: number;
  readonly restarts: number;
}

/** Every counter at zero: a sensor's start, and the base tests add their counts to. */
export function zeroSensorStats(): { -readonly [K in keyof SensorStats]: number } {
  return {
    lines: 0,
    events: 0,
    malformed: 0,
    lost: 0,
    unattributed: 0,
    alerts: 0,
    suppressed: 0,
    actions: 0,
    falcoLines: 0,
    falcoErrors: 0,
    restarts: 0,
  };
}

/** Packages' files seen in use: exec'd or opened, per container (absolute paths). */
export interface InUseFiles {
  readonly containerId: string;
  readonly imageId: string;
  readonly files: readonly string[];
}

export interface RuntimeReport {
  readonly schema: typeof RUNTIME_REPORT_SCHEMA;
  readonly host: string;
  readonly sentAt: string;
  readonly inventory?: NodeInventory;
  readonly alerts: readonly RuntimeAlert[];
  readonly actions: readonly ActionRecord[];
  readonly inUse?: readonly InUseFiles[];
  readonly stats: SensorStats;
}
