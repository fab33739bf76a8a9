import { CustomsError } from '../../core/index.js';
import { type ConfigCheckResult, type Misconfiguration, type SkippedObject, sortMisconfigurations } from '../types.js';
import type { KubernetesCheck, KubernetesOptions } from './k8s-check.js';
import { isJson, type K8sObject, loadManifests, type ManifestProblem, objectOfValue } from './manifests.js';
import { KUBERNETES_CHECKS } from './registry.js';
import { POD_SPEC_PATHS, type Workload, workloadOf } from './workloads.js';

/**
 * The kinds some check reads besides workloads (POD_SPEC_PATHS): RBAC roles
 * (CUS-K8S-040/041), NetworkPolicy and Namespace (CUS-K8S-042),
 * ServiceAccount (CUS-K8S-035). Any other kind is listed as skipped.
 */
const OTHER_COVERED_KINDS: Readonly<Record<string, string>> = {
  Role: 'rbac.authorization.k8s.io/',
  ClusterRole: 'rbac.authorization.k8s.io/',
  NetworkPolicy: 'networking.k8s.io/',
  Namespace: 'v1',
  ServiceAccount: 'v1',
};

/** API groups of the Kubernetes project itself (a kind in any other group is a custom resource). */
const BUILT_IN_GROUP = /^(v1|[a-z0-9.-]*\.k8s\.io\/[^/]+|(apps|batch|autoscaling|policy|extensions)\/[^/]+)$/;

function skipReason(o: K8sObject, workload: Workload | undefined): string | undefined {
  const specPath = POD_SPEC_PATHS[o.kind];
  if (specPath) return workload ? undefined : `${o.kind} has no pod spec at ${specPath.join('.')}`;
  const group = OTHER_COVERED_KINDS[o.kind];
  if (group !== undefined && (group === 'v1' ? o.apiVersion === 'v1' : o.apiVersion.startsWith(group)))
    return undefined;
  return BUILT_IN_GROUP.test(o.apiVersion)
    ? `no check covers kind ${o.kind}`
    : `custom resource (${o.apiVersion}): no check covers kind ${o.kind}`;
}

/** How many problems one error message lists before it says "and N more". */
const SHOWN_PROBLEMS = 5;

function inputError(problems: readonly ManifestProblem[], what: string): CustomsError {
  const shown = problems.slice(0, SHOWN_PROBLEMS).map((p) => `${p.path} line ${p.line}: ${p.message}`);
  const more = problems.length > SHOWN_PROBLEMS ? `; and ${problems.length - SHOWN_PROBLEMS} more` : '';
  return new CustomsError('CONFIG_INPUT_INVALID', `${what} is not Kubernetes manifests: ${shown.join('; ')}${more}`);
}

/**
 * Check manifest files as one input, so cross-document checks (a
 * namespace's NetworkPolicy, a ServiceAccount's automount setting) see every
 * file. `path` names the whole input (a directory) where no file does.
 * Every document must be a Kubernetes object: invalid YAML, or YAML that is
 * not an object with apiVersion and kind, is CONFIG_INPUT_INVALID naming the
 * file and line, as is an input with no object at all. Objects no check
 * covers are returned in `skipped`.
 */
export function checkKubernetesInput(
  files: readonly { readonly text: string; readonly path: string }[],
  path: string,
  options: KubernetesOptions = {},
): ConfigCheckResult {
  const objects: K8sObject[] = [];
  const problems: ManifestProblem[] = [];
  for (const f of files) {
    const loaded = loadManifests(f.text, f.path);
    objects.push(...loaded.objects);
    problems.push(...loaded.problems);
  }
  if (problems.length > 0) throw inputError(problems, path);
  if (objects.length === 0) {
    throw new CustomsError(
      'CONFIG_INPUT_INVALID',
      `${path} holds no Kubernetes object (every document is empty); expected YAML or JSON objects with apiVersion and kind`,
    );
  }
  const workloads: Workload[] = [];
  const skipped: SkippedObject[] = [];
  for (const o of objects) {
    const w = workloadOf(o);
    if (w) workloads.push(w);
    const reason = skipReason(o, w);
    if (reason !== undefined)
      skipped.push({
        kind: o.kind,
        apiVersion: o.apiVersion,
        name: o.name,
        namespace: o.namespace,
        location: o.locate([]),
        reason,
      });
  }
  const key = (s: SkippedObject): string =>
    [s.location?.path ?? '', String(s.location?.startLine ?? 0).padStart(9, '0'), s.kind, s.namespace, s.name].join(
      '\0',
    );
  return {
    misconfigurations: sortMisconfigurations(
      KUBERNETES_CHECKS.flatMap((c) => c.run({ path, objects, workloads, options })),
    ),
    skipped: skipped.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)),
  };
}

/** `checkKubernetesInput` on one text; the findings only. */
export function checkKubernetes(text: string, path: string, options: KubernetesOptions = {}): Misconfiguration[] {
  return [...checkKubernetesInput([{ text, path }], path, options).misconfigurations];
}

/** `checkKubernetesInput`, the findings only (the skipped objects are in its result). */
export function checkKubernetesFiles(
  files: readonly { readonly text: string; readonly path: string }[],
  path: string,
  options: KubernetesOptions = {},
): Misconfiguration[] {
  return [...checkKubernetesInput(files, path, options).misconfigurations];
}

/**
 * The checks `keep` selects over objects already parsed (an admission
 * request's object): the same checks `customs scan k8s` runs on text, without
 * a YAML parse per request. Values that are not objects with apiVersion and
 * kind are ignored; locations are line 1 of `path`.
 */
export function checkKubernetesValues(
  values: readonly unknown[],
  path: string,
  keep: (check: KubernetesCheck) => boolean = () => true,
  options: KubernetesOptions = {},
): Misconfiguration[] {
  const objects: K8sObject[] = [];
  for (const v of values) {
    const o = isJson(v) ? objectOfValue(v, path) : undefined;
    if (o) objects.push(o);
  }
  const workloads: Workload[] = [];
  for (const o of objects) {
    const w = workloadOf(o);
    if (w) workloads.push(w);
  }
  return sortMisconfigurations(
    KUBERNETES_CHECKS.filter(keep).flatMap((c) => c.run({ path, objects, workloads, options })),
  );
}
