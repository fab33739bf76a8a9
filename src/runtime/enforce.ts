/**
 * Enforcement: what the sensor does to a container when a rule fires. Dry-run by
 * default (the action is decided and audited, not taken). Actions are Engine API
 * calls (v1.41): pause = POST /containers/{id}/pause (cgroup freezer: the
 * processes stop, the state is kept for forensics), stop = POST /stop?t=10
 * (SIGTERM then SIGKILL), kill = POST /kill (SIGKILL), isolate = POST
 * /networks/{n}/disconnect for every network the container is on (it keeps
 * running, unreachable: for forensics). Replacing the workload is the
 * orchestrator's job.
 */
import type { DockerApi } from './docker-api.js';
import { messageOf } from './docker-api.js';
import { obj } from './json-fields.js';
import type { ContainerRef } from './rules.js';

export const ACTIONS = ['alert', 'pause', 'stop', 'kill', 'isolate'] as const;
export type EnforcementAction = (typeof ACTIONS)[number];

export interface ActionRecord {
  readonly action: EnforcementAction;
  readonly ruleId: string;
  readonly container: ContainerRef;
  readonly dryRun: boolean;
  readonly ok: boolean;
  /** What was done (or would be): the API calls. */
  readonly calls: readonly string[];
  readonly error?: string;
  readonly time: string;
}

async function post(api: DockerApi, path: string, body?: unknown): Promise<void> {
  const a = await api.post(path, body);
  // 304: already paused/stopped — the wanted state holds.
  if (a.status >= 300 && a.status !== 304) throw new Error(`POST ${path}: HTTP ${a.status} ${messageOf(a.body)}`);
}

/** The API calls an action makes on a container (networks read from its inspect for isolate). */
export async function planCalls(api: DockerApi, action: EnforcementAction, c: ContainerRef): Promise<string[]> {
  const id = encodeURIComponent(c.id);
  switch (action) {
    case 'alert':
      return [];
    case 'pause':
      return [`/containers/${id}/pause`];
    case 'stop':
      return [`/containers/${id}/stop?t=10`];
    case 'kill':
      return [`/containers/${id}/kill?signal=SIGKILL`];
    case 'isolate': {
      const inspect = obj(await api.getJson(`/containers/${id}/json`));
      const nets = Object.keys(obj(obj(inspect.NetworkSettings).Networks)).sort();
      return nets.map((n) => `/networks/${encodeURIComponent(n)}/disconnect`);
    }
  }
}

export async function enforce(
  api: DockerApi,
  action: EnforcementAction,
  ruleId: string,
  container: ContainerRef,
  dryRun: boolean,
  now: Date,
): Promise<ActionRecord> {
  const base = { action, ruleId, container, dryRun, time: now.toISOString() };
  let calls: string[] = [];
  try {
    calls = await planCalls(api, action, container);
    if (!dryRun)
      for (const path of calls)
        await post(api, path, path.endsWith('/disconnect') ? { Container: container.id, Force: true } : undefined);
    return { ...base, ok: true, calls };
  } catch (e) {
    return { ...base, ok: false, calls, error: (e as Error).message };
  }
}
