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

/**
 * Check several manifest files as one input, so cross-document checks (a
 * namespace's NetworkPolicy, a ServiceAccount's automount setting) see every
 * file. `path` names the whole input (a directory) where no file does.
 */
export function checkKubernetesFiles(
  files: readonly { readonly text: string; readonly path: string }[],
  path: string,
  options: KubernetesOptions = {},
): Misconfiguration[] {
  const objects = files.flatMap((f) => loadManifests(f.text, f.path).objects);
  const workloads = objects.map(workloadOf).filter((w): w is Workload => w !== undefined);
  return sortMisconfigurations(KUBERNETES_CHECKS.flatMap((c) => c.run({ path, objects, workloads, options })));
}
