/**
 * CycloneDX 1.6 with vulnerabilities (VEX): the image's SBOM exactly as
 * `customs sbom --format cyclonedx` writes it (src/sbom's toCycloneDx, reused,
 * not rewritten) plus `vulnerabilities[]`
 * (https://cyclonedx.org/docs/1.6/json/#vulnerabilities): one entry per
 * finding (vulnerability × package), so each carries its own analysis.
 *
 * analysis.state (CycloneDX impactAnalysisState): a VEX suppression maps
 * OpenVEX / CycloneDX statuses (not_affected → not_affected with its
 * justification, fixed → resolved); an exception is accepted risk
 * (exploitable, response will_not_fix); a finding a fail/warn rule names is
 * exploitable; anything else is in_triage (nobody has assessed it yet).
 */
import type { VulnFinding } from '../match/index.js';
import { SBOM_PROPERTIES, toCycloneDx } from '../sbom/index.js';
import type { SeverityRating } from '../vulndb/index.js';
import { type MachineReportOptions, stableHash, verdictIndex, vulnRemediation } from './finding-refs.js';
import { findingsOf, type ScanResult } from '../result/index.js';

type Json = Record<string, unknown>;

/** CycloneDX 1.6 rating methods (scoreMethod). */
function method(r: SeverityRating): string {
  switch (r.cvssVersion) {
    case '2.0':
      return 'CVSSv2';
    case '3.0':
      return 'CVSSv3';
    case '3.1':
      return 'CVSSv31';
    case '4.0':
      return 'CVSSv4';
    default:
      return 'other';
  }
}

/** Who publishes an ID, by its prefix, with the advisory's canonical page. */
export function advisorySource(id: string): { name: string; url: string } | undefined {
  if (/^CVE-\d{4}-\d+$/.test(id)) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` };
  if (id.startsWith('GHSA-')) return { name: 'GitHub', url: `https://github.com/advisories/${id}` };
  if (/^(DSA|DLA)-/.test(id)) return { name: 'Debian', url: `https://security-tracker.debian.org/tracker/${id}` };
  if (id.startsWith('GO-')) return { name: 'Go', url: `https://pkg.go.dev/vuln/${id}` };
  if (/^(PYSEC|RUSTSEC|ALSA|ALBA|RHSA|USN|OSV)-/.test(id))
    return { name: id.slice(0, id.indexOf('-')), url: `https://osv.dev/vulnerability/${id}` };
  return undefined;
}

/**
 * OpenVEX justifications (https://github.com/openvex/spec) → CycloneDX
 * impactAnalysisJustification; CycloneDX values pass through.
 */
const JUSTIFICATION: Record<string, string> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'protected_by_mitigating_control',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};
const CDX_JUSTIFICATIONS = new Set([
  'code_not_present',
  'code_not_reachable',
  'requires_configuration',
  'requires_dependency',
  'requires_environment',
  'protected_by_compiler',
  'protected_at_runtime',
  'protected_at_perimeter',
  'protected_by_mitigating_control',
]);

function isoTime(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace('.000Z', 'Z');
}

function ratings(v: VulnFinding): Json[] {
  return v.ratings.map((r) => ({
    source: { name: r.source },
    ...(r.score !== undefined && Number.isFinite(r.score) ? { score: r.score } : {}),
    severity: r.severity,
    method: method(r),
    ...(r.vector !== undefined ? { vector: r.vector } : {}),
  }));
}

/** CycloneDX 1.6 JSON: the SBOM of the scanned image plus its vulnerabilities and their analysis. */
export function renderCycloneDxVex(result: ScanResult, opts: MachineReportOptions = {}): string {
  const bom = JSON.parse(toCycloneDx(result.inventory)) as Json;
  // Package id → the component's bom-ref (toCycloneDx adds customs:package:id when it had to change the ref).
  const refOf = new Map<string, string>();
  for (const c of (bom.components ?? []) as Json[]) {
    const ref = c['bom-ref'];
    if (typeof ref !== 'string') continue;
    const props = (c.properties ?? []) as { name: string; value: string }[];
    refOf.set(props.find((p) => p.name === SBOM_PROPERTIES.packageId)?.value ?? ref, ref);
  }
  const subject = (bom.metadata as Json | undefined)?.component as Json | undefined;
  const subjectRef = typeof subject?.['bom-ref'] === 'string' ? subject['bom-ref'] : undefined;

  const index = verdictIndex(opts.verdict);
  const used = new Set<string>();
  const vulnerabilities: Json[] = [];
  for (const f of findingsOf(result)) {
    if (f.kind !== 'vuln') continue;
    const v = f.vuln;
    const ref = refOf.get(v.packageId) ?? subjectRef;
    let bomRef = `vuln:${v.id}:${ref ?? v.packageId}`;
    for (let i = 2; used.has(bomRef); i++) bomRef = `vuln:${v.id}:${ref ?? v.packageId}#${i}`;
    used.add(bomRef);

    const fv = index.of(f);
    const s = fv.suppression;
    let analysis: Json;
    if (s?.vex) {
      const st = s.vex.status.toLowerCase();
      const j =
        s.vex.justification !== undefined ? (JUSTIFICATION[s.vex.justification] ?? s.vex.justification) : undefined;
      const state =
        st === 'fixed' || st === 'resolved'
          ? 'resolved'
          : st === 'not_affected'
            ? 'not_affected'
            : st === 'affected'
              ? 'exploitable'
              : 'in_triage';
      analysis = {
        state,
        ...(state === 'not_affected' && j !== undefined && CDX_JUSTIFICATIONS.has(j) ? { justification: j } : {}),
        detail: `VEX ${s.vex.document}: ${s.reason}${s.vex.justification ? ` (${s.vex.justification})` : ''}`,
      };
    } else if (s) {
      analysis = {
        state: 'exploitable',
        response: ['will_not_fix'],
        detail: `${s.by}: ${s.reason}${s.owner ? `; owner ${s.owner}` : ''}${s.expires ? `; expires ${s.expires}` : ''}`,
      };
    } else if (v.state === 'not-affected') {
      analysis = { state: 'not_affected', detail: 'the distribution says this release is not affected' };
    } else if (fv.rules.length > 0) {
      analysis = {
        state: 'exploitable',
        response:
          v.fixedVersions.length > 0 ? ['update'] : v.state === 'will-not-fix' ? ['will_not_fix'] : ['can_not_fix'],
        detail: fv.rules.map((r) => `${r.action} ${r.ruleId}: ${r.message}`).join('; '),
      };
    } else {
      analysis = { state: 'in_triage', ...(v.state === 'will-not-fix' ? { response: ['will_not_fix'] } : {}) };
    }

    const source = advisorySource(v.id);
    const published = isoTime(v.published);
    const recommendation = vulnRemediation(result, v, opts.verdict);
    vulnerabilities.push({
      'bom-ref': bomRef,
      id: v.id,
      source: source ?? { name: v.severitySource, url: v.url },
      ...(v.aliases.length > 0
        ? { references: v.aliases.map((a) => ({ id: a, source: advisorySource(a) ?? { name: v.severitySource } })) }
        : {}),
      ratings: ratings(v),
      ...(v.title !== undefined ? { description: v.title } : {}),
      ...(recommendation !== undefined ? { recommendation } : {}),
      advisories: [{ url: v.url }],
      ...(published !== undefined ? { published } : {}),
      affects: [
        {
          ref: ref ?? v.packageId,
          versions: [
            { version: v.installedVersion, status: 'affected' },
            ...v.fixedVersions.map((fx) => ({ version: fx, status: 'unaffected' })),
          ],
        },
      ],
      analysis,
      properties: [
        { name: 'customs:vuln:severity', value: v.severity },
        { name: 'customs:vuln:layer', value: v.layer },
        { name: 'customs:vuln:match', value: v.match.searchedBy },
      ],
    });
  }
  // A different document from the plain SBOM: its own serial number, derived from its content.
  const out: Json = { ...bom, vulnerabilities };
  out.serialNumber = `urn:uuid:${uuidFromHash(stableHash(JSON.stringify(out)) + stableHash(`vex${JSON.stringify(vulnerabilities)}`))}`;
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** A UUID-shaped (version 8, RFC 9562 custom) identifier from 32 hex digits. */
function uuidFromHash(hex: string): string {
  const h = hex.padEnd(32, '0').slice(0, 32).split('');
  h[12] = '8';
  h[16] = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
