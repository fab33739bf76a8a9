/**
 * The findings of a scan result document (schema/scan-result-v1.json), read
 * through the few fields the store needs. The store keeps the document
 * itself as opaque JSON; these rows are what it indexes and diffs. Finding
 * refs and kinds are the result model's (result/findings.ts), so a
 * verdict's references name the same findings as the store.
 */
import { CustomsError, sha256, stableJson } from '../core/index.js';
import { malwareRefId, misconfigRefId, secretRefId, vulnRefId } from '../result/index.js';
import type { FindingInput } from './types.js';

/** The part of a scan result document the store reads. */
export interface ScanDocument {
  readonly schemaVersion: number;
  readonly target: { readonly name: string; readonly platform?: string };
  readonly vulnerabilities: readonly {
    readonly id: string;
    readonly severity: string;
    readonly state: string;
    readonly kev: boolean;
    readonly fixedVersions: readonly string[];
    readonly package: { readonly id: string; readonly purl: string };
  }[];
  readonly secrets?: readonly {
    readonly ruleId: string;
    readonly severity: string;
    readonly location: string;
    readonly line?: number;
  }[];
  readonly misconfigurations?: readonly {
    readonly checkId: string;
    readonly severity: string;
    readonly target: string;
    readonly message: string;
    readonly location?: { readonly path: string; readonly startLine: number };
  }[];
  readonly malware?: readonly {
    readonly ruleId: string;
    readonly severity: string;
    readonly path: string;
    readonly detail: string;
  }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field checks per finding list: each named field must have the type given. */
const REQUIRED: Readonly<Record<string, Readonly<Record<string, 'string' | 'number' | 'boolean' | 'object'>>>> = {
  vulnerabilities: { id: 'string', severity: 'string', state: 'string', kev: 'boolean', package: 'object' },
  secrets: { ruleId: 'string', severity: 'string', location: 'string' },
  misconfigurations: { checkId: 'string', severity: 'string', target: 'string', message: 'string' },
  malware: { ruleId: 'string', severity: 'string', path: 'string', detail: 'string' },
};

/** Check the fields the store reads; the first problems are named with their JSON pointer. */
export function asScanDocument(value: unknown, what: string): ScanDocument {
  const problems: string[] = [];
  if (!isObject(value)) problems.push('/: not an object');
  else {
    if (typeof value.schemaVersion !== 'number') problems.push('/schemaVersion: not a number');
    if (!isObject(value.target) || typeof value.target.name !== 'string') problems.push('/target/name: not a string');
    for (const [list, fields] of Object.entries(REQUIRED)) {
      const items = value[list];
      if (items === undefined && list !== 'vulnerabilities') continue;
      if (!Array.isArray(items)) {
        problems.push(`/${list}: not an array`);
        continue;
      }
      items.forEach((item: unknown, i) => {
        for (const [field, type] of Object.entries(fields)) {
          const v = isObject(item) ? item[field] : undefined;
          const ok = type === 'object' ? isObject(v) : typeof v === type;
          if (!ok) problems.push(`/${list}/${i}/${field}: not a${type === 'object' ? 'n' : ''} ${type}`);
        }
        if (list === 'vulnerabilities' && isObject(item)) {
          const pkg = item.package;
          if (!isObject(pkg) || typeof pkg.id !== 'string' || typeof pkg.purl !== 'string')
            problems.push(`/${list}/${i}/package: needs string id and purl`);
          if (!Array.isArray(item.fixedVersions)) problems.push(`/${list}/${i}/fixedVersions: not an array`);
        }
      });
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 10);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    throw new CustomsError(
      'SCAN_RESULT_INVALID',
      `${what} is not a customs scan result (schema/scan-result-v1.json):\n  ${shown.join('\n  ')}${more}`,
    );
  }
  return value as unknown as ScanDocument;
}

const fingerprint = (material: unknown): string => sha256(stableJson(material));

/** One row per finding; a ref seen twice keeps the first (the document lists each once). */
export function findingsOf(doc: ScanDocument): FindingInput[] {
  const out = new Map<string, FindingInput>();
  const add = (f: FindingInput): void => {
    if (!out.has(f.ref)) out.set(f.ref, f);
  };
  for (const v of doc.vulnerabilities) {
    add({
      ref: vulnRefId(v.id, v.package.id),
      kind: 'vuln',
      findingId: v.id,
      severity: v.severity,
      packagePurl: v.package.purl,
      // A rescore, a new fix, a changed fix state or a KEV listing is a change worth telling.
      fingerprint: fingerprint([v.severity, v.state, [...v.fixedVersions].sort(), v.kev]),
      data: v,
    });
  }
  for (const s of doc.secrets ?? []) {
    add({
      ref: secretRefId(s),
      kind: 'secret',
      findingId: s.ruleId,
      severity: s.severity,
      fingerprint: fingerprint([s.severity]),
      data: s,
    });
  }
  for (const m of doc.misconfigurations ?? []) {
    add({
      ref: misconfigRefId(m),
      kind: 'misconfig',
      findingId: m.checkId,
      severity: m.severity,
      fingerprint: fingerprint([m.severity, m.message]),
      data: m,
    });
  }
  for (const m of doc.malware ?? []) {
    add({
      ref: malwareRefId(m),
      kind: 'malware',
      findingId: m.ruleId,
      severity: m.severity,
      fingerprint: fingerprint([m.severity, m.detail]),
      data: m,
    });
  }
  return [...out.values()];
}
