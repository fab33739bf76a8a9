/**
 * Keys that tie a scan finding to a policy FindingRef (src/policy/types.ts),
 * so the human reports (HTML, Markdown, table) can mark the findings a
 * Verdict suppressed. The formats follow the FindingRef contract's examples:
 * vuln "CVE-2023-38545@<packageId>", secret "<ruleId>@<location>:<line>",
 * misconfig "<checkId>@<path>:<line>" (or "@<target>"), malware "<ruleId>@<path>"
 * (as src/policy/rules/findings-rule.ts builds them).
 */
import type { Misconfiguration } from '../checks/index.js';
import type { VulnFinding } from '../match/index.js';
import type { Suppression, Verdict } from '../policy/index.js';
import type { MalwareFinding, SecretFinding } from './types.js';

/** Every ref id a policy may use for the vulnerability: its ID or any alias, at the package. */
export const vulnRefIds = (f: VulnFinding): string[] => [f.id, ...f.aliases].map((id) => `${id}@${f.packageId}`);
export const secretRefId = (s: SecretFinding): string => `${s.ruleId}@${s.location}${s.line !== undefined ? `:${s.line}` : ''}`;
export const malwareRefId = (m: MalwareFinding): string => `${m.ruleId}@${m.path}`;
export const misconfigRefId = (m: Misconfiguration): string => `${m.checkId}@${m.location ? `${m.location.path}:${m.location.startLine}` : m.target}`;

/** Looks up the suppression (exception or VEX) that applies to a finding, if any. */
export interface SuppressionIndex {
  vuln(f: VulnFinding): Suppression | undefined;
  secret(s: SecretFinding): Suppression | undefined;
  malware(m: MalwareFinding): Suppression | undefined;
  misconfig(m: Misconfiguration): Suppression | undefined;
  readonly size: number;
}

export function suppressionIndex(verdict: Verdict | undefined): SuppressionIndex {
  const byKey = new Map<string, Suppression>();
  for (const s of verdict?.suppressed ?? []) {
    const key = `${s.finding.kind}\0${s.finding.id}`;
    if (!byKey.has(key)) byKey.set(key, s);
  }
  const get = (kind: string, id: string): Suppression | undefined => byKey.get(`${kind}\0${id}`);
  return {
    vuln: (f) => {
      for (const id of vulnRefIds(f)) {
        const s = get('vuln', id);
        if (s) return s;
      }
      return undefined;
    },
    secret: (s) => get('secret', secretRefId(s)),
    malware: (m) => get('malware', malwareRefId(m)),
    // A policy may name a check without a place ("CUS-IMG-001"): that suppresses it everywhere.
    misconfig: (m) => get('misconfig', misconfigRefId(m)) ?? get('misconfig', m.checkId),
    size: byKey.size,
  };
}

/** "exception: accepted until the base image is rebuilt (owner team-a, expires 2026-03-01)" */
export function describeSuppression(s: Suppression): string {
  const extra = [s.owner ? `owner ${s.owner}` : '', s.expires ? `expires ${s.expires}` : ''].filter(Boolean).join(', ');
  const vex = s.vex ? ` [VEX ${s.vex.status}${s.vex.justification ? `: ${s.vex.justification}` : ''}]` : '';
  return `${s.by}: ${s.reason}${vex}${extra ? ` (${extra})` : ''}`;
}
