import { asArray, get, isJson, type Json, type K8sObject, type Path } from './manifests.js';

/** Where each workload kind keeps its pod template (Kubernetes API reference, apps/v1, batch/v1, core/v1). */
export const POD_SPEC_PATHS: Readonly<Record<string, Path>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  PodTemplate: ['template', 'spec'],
};

export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

export interface Container {
  readonly list: (typeof CONTAINER_LISTS)[number];
  readonly name: string;
  readonly value: Json;
  /** Path of the container inside the object. */
  readonly path: Path;
}

export interface Workload {
  readonly object: K8sObject;
  /** The pod spec and its path inside the object. */
  readonly spec: Json;
  readonly specPath: Path;
  /** The pod's metadata (the template's, for controllers). */
  readonly meta: Json;
  readonly metaPath: Path;
  /** initContainers, containers, ephemeralContainers, in that order (the PSA visitor's order). */
  readonly containers: readonly Container[];
  /** "Deployment/ns/name". */
  readonly ref: string;
}

export function objectRef(o: K8sObject): string {
  return `${o.kind}/${o.namespace}/${o.name}`;
}

export function workloadOf(o: K8sObject): Workload | undefined {
  const specPath = POD_SPEC_PATHS[o.kind];
  if (!specPath) return undefined;
  const spec = get(o.value, specPath);
  if (!isJson(spec)) return undefined;
  const metaPath = [...specPath.slice(0, -1), 'metadata'];
  const meta = get(o.value, metaPath);
  const containers: Container[] = [];
  for (const list of CONTAINER_LISTS) {
    asArray(spec[list]).forEach((c, i) => {
      if (!isJson(c)) return;
      containers.push({
        list,
        name: typeof c.name === 'string' ? c.name : `${list}[${i}]`,
        value: c,
        path: [...specPath, list, i],
      });
    });
  }
  return { object: o, spec, specPath, meta: isJson(meta) ? meta : {}, metaPath, containers, ref: objectRef(o) };
}

/** Container target: `Deployment/ns/name container app` (init and ephemeral containers say so). */
export function containerRef(w: Workload, c: Container): string {
  const what =
    c.list === 'containers' ? 'container' : c.list === 'initContainers' ? 'initContainer' : 'ephemeralContainer';
  return `${w.ref} ${what} ${c.name}`;
}
