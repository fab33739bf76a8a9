import { type Misconfiguration, sortMisconfigurations } from '../types.js';
import type { KubernetesOptions } from './k8s-check.js';
import { loadManifests } from './manifests.js';
import { KUBERNETES_CHECKS } from './registry.js';
import { type Workload, workloadOf } from './workloads.js';

/**
 * Run every Kubernetes check on a manifest text (YAML, multi-document, Helm
 * output, List kinds, or JSON). `path` names the file in locations. Documents
 * that do not parse are skipped (the count is not an error: a Helm chart may
 * render empty documents).
 */
export function checkKubernetes(text: string, path: string, options: KubernetesOptions = {}): Misconfiguration[] {
  const { objects } = loadManifests(text, path);
  const workloads = objects.map(workloadOf).filter((w): w is Workload => w !== undefined);
  return sortMisconfigurations(KUBERNETES_CHECKS.flatMap((c) => c.run({ path, objects, workloads, options })));
}
