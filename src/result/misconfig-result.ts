/**
 * A result that holds only misconfigurations, for a target that is not an image
 * (a Dockerfile, Kubernetes manifests, a host benchmark): an empty inventory named
 * after the target, so writers and the gate take it as they take an image's result.
 */
import type { Misconfiguration } from '../checks/index.js';
import { sha256, stableJson, toolVersion } from '../core/index.js';
import { SCAN_RESULT_SCHEMA_VERSION, type ScanResult } from './scan-result.js';

export interface MisconfigTarget {
  /** The target as the user named it. */
  readonly name: string;
  /** What kind of target: dockerfile, k8s, cis-docker … (the inventory's transport). */
  readonly transport: string;
  /** What was checked, hashed into the target's digest so one input always names one result. */
  readonly content: unknown;
}

export function misconfigOnlyResult(
  target: MisconfigTarget,
  misconfigurations: readonly Misconfiguration[],
  now: Date,
): ScanResult {
  return {
    schemaVersion: SCAN_RESULT_SCHEMA_VERSION,
    inventory: {
      schemaVersion: 1,
      tool: { name: 'customs', version: toolVersion() },
      createdAt: now.toISOString(),
      target: {
        name: target.name,
        transport: target.transport,
        configDigest: sha256(stableJson(target.content)),
        repoDigests: [],
        repoTags: [],
        layers: [],
      },
      packages: [],
      unknowns: [],
    },
    scanners: ['misconfig'],
    vulnerabilities: [],
    notes: [],
    misconfigurations: [...misconfigurations],
  };
}
