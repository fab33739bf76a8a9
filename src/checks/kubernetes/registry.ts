import { namespaceWithoutNetworkPolicy, rbacEscalation, rbacWildcard } from './cluster-checks.js';
import { imageLatest, imageNoDigest, imageRegistryNotAllowed, resourcesMissing, rootFilesystemWritable, serviceAccountTokenMounted } from './hardening-checks.js';
import type { KubernetesCheck } from './k8s-check.js';
import {
  pssAppArmor,
  pssCapabilitiesBaseline,
  pssHostNamespaces,
  pssHostPath,
  pssHostPorts,
  pssHostProbes,
  pssHostProcess,
  pssPrivileged,
  pssProcMount,
  pssSeccompBaseline,
  pssSelinux,
  pssSysctls,
} from './pss-baseline.js';
import {
  pssAllowPrivilegeEscalation,
  pssCapabilitiesRestricted,
  pssProcMountRestricted,
  pssRunAsNonRoot,
  pssRunAsUser,
  pssSeccompRestricted,
  pssVolumeTypes,
} from './pss-restricted.js';

/** Every Kubernetes check, in id order: PSS baseline (001–012), PSS restricted (020–026), hardening (030–035), cluster (040–042). */
export const KUBERNETES_CHECKS: readonly KubernetesCheck[] = [
  pssHostProcess,
  pssHostNamespaces,
  pssPrivileged,
  pssCapabilitiesBaseline,
  pssHostPath,
  pssHostPorts,
  pssAppArmor,
  pssSelinux,
  pssProcMount,
  pssSeccompBaseline,
  pssSysctls,
  pssHostProbes,
  pssVolumeTypes,
  pssAllowPrivilegeEscalation,
  pssRunAsNonRoot,
  pssRunAsUser,
  pssSeccompRestricted,
  pssCapabilitiesRestricted,
  pssProcMountRestricted,
  resourcesMissing,
  rootFilesystemWritable,
  imageLatest,
  imageNoDigest,
  imageRegistryNotAllowed,
  serviceAccountTokenMounted,
  rbacWildcard,
  rbacEscalation,
  namespaceWithoutNetworkPolicy,
];
