import { type Check, finding, type Misconfiguration } from '../types.js';
import type { K8sObject, Path } from './manifests.js';
import { type Container, containerRef, type Workload } from './workloads.js';

export interface KubernetesOptions {
  /**
   * Registries images may come from (`docker.io`, `ghcr.io/org`); a prefix
   * matches at a `/` boundary. Empty or unset: the registry check is off.
   */
  readonly allowedRegistries?: readonly string[];
}

export interface KubernetesInput {
  readonly path: string;
  readonly objects: readonly K8sObject[];
  readonly workloads: readonly Workload[];
  readonly options: KubernetesOptions;
}

export type KubernetesCheck = Check<KubernetesInput>;

export const PSS = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';
export const PSA_SOURCE = 'https://github.com/kubernetes/pod-security-admission/tree/master/policy';

/** A finding on a pod-level field of a workload. */
export function onPod(
  check: KubernetesCheck,
  w: Workload,
  field: Path,
  message: string,
  evidence?: string,
): Misconfiguration {
  return finding(check, {
    message: `${w.ref}: ${message}`,
    target: w.ref,
    location: w.object.locate([...w.specPath, ...field]),
    ...(evidence !== undefined ? { evidence } : {}),
  });
}

/** A finding on a container field (`field` relative to the container). */
export function onContainer(
  check: KubernetesCheck,
  w: Workload,
  c: Container,
  field: Path,
  message: string,
  evidence?: string,
): Misconfiguration {
  const target = containerRef(w, c);
  return finding(check, {
    message: `${target}: ${message}`,
    target,
    location: w.object.locate([...c.path, ...field]),
    ...(evidence !== undefined ? { evidence } : {}),
  });
}

/** A finding on any field of an object. */
export function onObject(
  check: KubernetesCheck,
  o: K8sObject,
  ref: string,
  field: Path,
  message: string,
  evidence?: string,
): Misconfiguration {
  return finding(check, {
    message: `${ref}: ${message}`,
    target: ref,
    location: o.locate(field),
    ...(evidence !== undefined ? { evidence } : {}),
  });
}
