/**
 * The IDs of FindingRefs (types.ts): how a verdict names a finding, and how
 * reports and the gate find it again. One definition, used by the policy rules,
 * the gate and every report writer.
 */

/** A vulnerability at a package: "CVE-2023-38545@<packageId>" (any alias may stand for the ID). */
export const vulnRefId = (id: string, packageId: string): string => `${id}@${packageId}`;

/** A secret: "<ruleId>@<location>[:<line>]". */
export const secretRefId = (s: {
  readonly ruleId: string;
  readonly location: string;
  readonly line?: number;
}): string => `${s.ruleId}@${s.location}${s.line !== undefined ? `:${s.line}` : ''}`;

/** A misconfiguration: "<checkId>@<path>:<line>", or "<checkId>@<target>" without a location. */
export const misconfigRefId = (m: {
  readonly checkId: string;
  readonly target: string;
  readonly location?: { readonly path: string; readonly startLine: number };
}): string => `${m.checkId}@${m.location ? `${m.location.path}:${m.location.startLine}` : m.target}`;

/** A malware indicator: "<ruleId>@<path>". */
export const malwareRefId = (m: { readonly ruleId: string; readonly path: string }): string => `${m.ruleId}@${m.path}`;
