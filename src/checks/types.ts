/**
 * Misconfiguration checks: a check is a plain object with its metadata and a
 * pure `run(input)`; registries list them explicitly per input kind (see
 * registry files), like analyzers (docs/architecture.md "Extension points").
 */

import type { RatedSeverity } from '../core/index.js';

/** A check's severity: the core scale, every check rated (core/severity.ts). */
export type CheckSeverity = RatedSeverity;

/** The standard a check comes from. Every field is optional; docs/checks.md prints the ones set. */
export interface CheckStandards {
  /** CIS Docker Benchmark item (v1.6.0 §4 "Container Images and Build File"), e.g. "4.1". */
  readonly cisDocker?: string;
  /** Pod Security Standards profile the control belongs to. */
  readonly pss?: 'baseline' | 'restricted';
  /** The PSS control name as the spec spells it ("Privileged Containers"). */
  readonly control?: string;
  /** CIS Kubernetes Benchmark item (§5 Policies), e.g. "5.1.3". */
  readonly cisKubernetes?: string;
  /**
   * hadolint rules the check corresponds to (https://github.com/hadolint/hadolint#rules):
   * it catches what they catch and lets pass what their documentation lets pass,
   * except where docs/checks.md says otherwise.
   */
  readonly hadolint?: readonly string[];
}

/** Where a finding sits in a text file. Lines are 1-based and inclusive, so SARIF can point at them. */
export interface SourceLocation {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
}

export interface Misconfiguration {
  readonly checkId: string;
  readonly severity: CheckSeverity;
  readonly title: string;
  /** Specific: names the container, port, user, instruction… */
  readonly message: string;
  /** The image, the file path, or the k8s object ("Deployment/ns/name container x"). */
  readonly target: string;
  readonly location?: SourceLocation;
  /** The offending text (an instruction, a field and its value); never a secret value in clear. */
  readonly evidence?: string;
}

/**
 * An input object no check covers (a ConfigMap, a Service, a custom
 * resource …): listed so a report can say it was seen and not judged,
 * instead of it passing silently.
 */
export interface SkippedObject {
  readonly kind: string;
  readonly apiVersion: string;
  /** metadata.name ("(unnamed)" when absent). */
  readonly name: string;
  /** metadata.namespace, or "default". */
  readonly namespace: string;
  readonly location?: SourceLocation;
  /** Why no check looked at it. */
  readonly reason: string;
}

/** What a configuration check run returns: its findings and the objects it did not judge. */
export interface ConfigCheckResult {
  readonly misconfigurations: readonly Misconfiguration[];
  /** Sorted by (path, line, kind, namespace, name). */
  readonly skipped: readonly SkippedObject[];
}

export interface Check<Input> {
  /** CUS-IMG-NNN (image config), CUS-DF-NNN (Dockerfile), CUS-K8S-NNN (Kubernetes). */
  readonly id: string;
  readonly severity: CheckSeverity;
  readonly title: string;
  readonly rationale: string;
  readonly remediation: string;
  readonly references: readonly string[];
  readonly standards: CheckStandards;
  run(input: Input): readonly Misconfiguration[];
}

/** What every finding of a check shares; `finding()` fills it in. */
export interface FindingDetail {
  readonly message: string;
  readonly target: string;
  readonly location?: SourceLocation;
  readonly evidence?: string;
}

export function finding(
  check: Pick<Check<never>, 'id' | 'severity' | 'title'>,
  detail: FindingDetail,
): Misconfiguration {
  return {
    checkId: check.id,
    severity: check.severity,
    title: check.title,
    message: detail.message,
    target: detail.target,
    ...(detail.location ? { location: detail.location } : {}),
    ...(detail.evidence !== undefined ? { evidence: detail.evidence } : {}),
  };
}

/** Findings sorted by (target, path, line, check id, message): same input, same output. */
export function sortMisconfigurations(list: readonly Misconfiguration[]): Misconfiguration[] {
  const key = (m: Misconfiguration): [string, string, number, string, string] => [
    m.target,
    m.location?.path ?? '',
    m.location?.startLine ?? 0,
    m.checkId,
    m.message,
  ];
  return [...list].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      const x = ka[i] as string | number;
      const y = kb[i] as string | number;
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });
}
