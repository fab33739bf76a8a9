/**
 * The container images of an admitted object: a Pod's, or the pod template's
 * of a workload (Deployment … CronJob), at the paths the Kubernetes checks use
 * (checks' POD_SPEC_PATHS), in PSA's order: initContainers, containers,
 * ephemeralContainers.
 */
import { CONTAINER_LISTS, POD_SPEC_PATHS } from '../checks/index.js';

export interface ContainerImage {
  /** JSON pointer of the container's image field (RFC 6901), for a JSONPatch. */
  readonly pointer: string;
  /** "containers[0] app". */
  readonly container: string;
  readonly image: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 6901: "~" → "~0", "/" → "~1". */
const escapePointer = (s: string): string => s.replaceAll('~', '~0').replaceAll('/', '~1');

/** Whether the webhook judges objects of this kind. */
export function isAdmittedKind(kind: string): boolean {
  return kind !== 'PodTemplate' && Object.hasOwn(POD_SPEC_PATHS, kind);
}

export function containerImages(object: Record<string, unknown>): ContainerImage[] {
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const path = POD_SPEC_PATHS[kind];
  if (!path) return [];
  let spec: unknown = object;
  for (const p of path) spec = isObject(spec) ? spec[p as string] : undefined;
  if (!isObject(spec)) return [];
  const base = `/${path.map((p) => escapePointer(String(p))).join('/')}`;
  const out: ContainerImage[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((c, i) => {
      if (!isObject(c) || typeof c.image !== 'string' || c.image === '') return;
      const name = typeof c.name === 'string' ? c.name : '';
      out.push({ pointer: `${base}/${list}/${i}/image`, container: `${list}[${i}] ${name}`.trim(), image: c.image });
    });
  }
  return out;
}
