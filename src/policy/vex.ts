/**
 * VEX documents: OpenVEX (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md)
 * and CycloneDX VEX (https://cyclonedx.org/docs/1.6/json/#vulnerabilities),
 * read into one statement model. Only statements saying a product is not
 * affected or fixed suppress findings; affected / under_investigation are kept
 * (they change nothing in the gate).
 */
import { CustomsError, nestingProblem } from '../core/index.js';

export const VEX_STATUSES = ['not_affected', 'fixed', 'affected', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

export interface VexStatement {
  /** The vulnerability id and its aliases. */
  readonly vulnerabilities: readonly string[];
  /**
   * Products: purls (a package, or pkg:oci/… an image), or image references /
   * digests. A statement about an image with no subcomponents covers every package in it.
   */
  readonly products: readonly string[];
  /** Packages inside the products the statement is about (OpenVEX subcomponents). */
  readonly subcomponents: readonly string[];
  readonly status: VexStatus;
  /** The document's own word for the status (CycloneDX: resolved, false_positive …). */
  readonly rawStatus: string;
  readonly justification?: string;
  /** Statement timestamp when given: later statements win over earlier ones. */
  readonly timestamp?: string;
}

export interface VexDocument {
  readonly path: string;
  readonly format: 'openvex' | 'cyclonedx';
  readonly statements: readonly VexStatement[];
}

const MAX_VEX_BYTES = 64 * 1024 * 1024;

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const arr = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** Parses a VEX document and tells the format from its content (OpenVEX @context, CycloneDX bomFormat). */
export function loadVex(text: string, path: string): VexDocument {
  if (text.length > MAX_VEX_BYTES)
    throw new CustomsError('VEX_INVALID', `${path}: larger than ${MAX_VEX_BYTES.toString()} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CustomsError('VEX_INVALID', `${path}: not JSON (${e instanceof Error ? e.message : String(e)})`, e);
  }
  // Refused before anything walks it: a document nested 200,000 deep is an input error, not a crash.
  const deep = nestingProblem(doc);
  if (deep !== undefined) throw new CustomsError('VEX_INVALID', `${path}: ${deep}; a VEX document is not`);
  if (!isObj(doc)) throw new CustomsError('VEX_INVALID', `${path}: a VEX document is a JSON object`);
  const context = doc['@context'];
  if (typeof context === 'string' && context.startsWith('https://openvex.dev/ns')) return openVex(doc, path);
  if (doc.bomFormat === 'CycloneDX') return cyclonedxVex(doc, path);
  throw new CustomsError(
    'VEX_INVALID',
    `${path}: neither OpenVEX (@context https://openvex.dev/ns…) nor CycloneDX (bomFormat "CycloneDX")`,
  );
}

function openVex(doc: Obj, path: string): VexDocument {
  const problems: string[] = [];
  const docTime = str(doc.timestamp);
  const statements: VexStatement[] = [];
  arr(doc.statements).forEach((s, i) => {
    const where = `statements[${i.toString()}]`;
    if (!isObj(s)) {
      problems.push(`${where}: not an object`);
      return;
    }
    // OpenVEX 0.2: vulnerability is {name, aliases, @id}; v0.0.x used a plain string.
    const v = s.vulnerability;
    const vulns = isObj(v) ? [str(v.name), ...arr(v.aliases).map(str)] : [str(v)];
    const ids = vulns.filter((x): x is string => x !== undefined);
    if (ids.length === 0) problems.push(`${where}.vulnerability: no name`);
    const products: string[] = [];
    const subcomponents: string[] = [];
    for (const p of arr(s.products)) {
      if (typeof p === 'string') products.push(p);
      else if (isObj(p)) {
        const id = str(p['@id']);
        if (id !== undefined) products.push(id);
        const purl = isObj(p.identifiers) ? str(p.identifiers.purl) : undefined;
        if (purl !== undefined) products.push(purl);
        for (const sc of arr(p.subcomponents)) {
          const sid = isObj(sc)
            ? (str(sc['@id']) ?? (isObj(sc.identifiers) ? str(sc.identifiers.purl) : undefined))
            : str(sc);
          if (sid !== undefined) subcomponents.push(sid);
        }
      }
    }
    if (products.length === 0) problems.push(`${where}.products: none`);
    const status = str(s.status);
    if (status === undefined || !(VEX_STATUSES as readonly string[]).includes(status)) {
      problems.push(`${where}.status: "${String(s.status)}" is not one of ${VEX_STATUSES.join(', ')}`);
      return;
    }
    const justification = str(s.justification) ?? str(s.impact_statement) ?? str(s.status_notes);
    // OpenVEX: not_affected needs a justification or an impact statement.
    if (status === 'not_affected' && justification === undefined)
      problems.push(`${where}: not_affected without justification or impact_statement`);
    const timestamp = str(s.timestamp) ?? docTime;
    statements.push({
      vulnerabilities: ids,
      products,
      subcomponents,
      status: status as VexStatus,
      rawStatus: status,
      ...(justification !== undefined ? { justification } : {}),
      ...(timestamp !== undefined ? { timestamp } : {}),
    });
  });
  if (problems.length > 0)
    throw new CustomsError('VEX_INVALID', `${path}: OpenVEX document is invalid:\n  ${problems.join('\n  ')}`);
  return { path, format: 'openvex', statements };
}

/**
 * CycloneDX analysis.state → VEX status (CycloneDX 1.6 "impactAnalysisState").
 * A Map: the state is the document's word, and "constructor" or "__proto__"
 * must not find a member of Object.prototype.
 */
const CDX_STATE: ReadonlyMap<string, VexStatus> = new Map([
  ['not_affected', 'not_affected'],
  ['false_positive', 'not_affected'],
  ['resolved', 'fixed'],
  ['resolved_with_pedigree', 'fixed'],
  ['exploitable', 'affected'],
  ['in_triage', 'under_investigation'],
]);

function cyclonedxVex(doc: Obj, path: string): VexDocument {
  const problems: string[] = [];
  // bom-ref → purl, for affects[].ref pointing at components of this BOM: depth-first over
  // nested components, with a stack of its own (loadVex has bounded the nesting already).
  // Children are pushed last first, so components are visited in document order.
  const refs = new Map<string, string>();
  const stack: unknown[] = [];
  const pushAll = (list: readonly unknown[]): void => {
    for (let i = list.length - 1; i >= 0; i--) stack.push(list[i]);
  };
  if (isObj(doc.metadata) && isObj(doc.metadata.component)) stack.push(doc.metadata.component);
  pushAll(arr(doc.components));
  while (stack.length > 0) {
    const c = stack.pop();
    if (!isObj(c)) continue;
    const ref = str(c['bom-ref']);
    const purl = str(c.purl);
    if (ref !== undefined && purl !== undefined) refs.set(ref, purl);
    pushAll(arr(c.components));
  }
  const statements: VexStatement[] = [];
  arr(doc.vulnerabilities).forEach((v, i) => {
    const where = `vulnerabilities[${i.toString()}]`;
    if (!isObj(v)) {
      problems.push(`${where}: not an object`);
      return;
    }
    const id = str(v.id);
    if (id === undefined) {
      problems.push(`${where}.id: missing`);
      return;
    }
    const aliases = arr(v.references)
      .map((r) => (isObj(r) ? str(r.id) : undefined))
      .filter((x): x is string => x !== undefined);
    const analysis = isObj(v.analysis) ? v.analysis : undefined;
    const state = analysis ? str(analysis.state) : undefined;
    if (state === undefined) return; // no analysis: not a VEX statement
    const status = CDX_STATE.get(state);
    if (status === undefined) {
      problems.push(`${where}.analysis.state: "${state}" is not a CycloneDX impact analysis state`);
      return;
    }
    const products: string[] = [];
    for (const a of arr(v.affects)) {
      const ref = isObj(a) ? str(a.ref) : undefined;
      if (ref === undefined) continue;
      // A BOM-Link (urn:cdx:serial/version#bom-ref) names a bom-ref of another BOM.
      const local = ref.startsWith('urn:cdx:') ? decodedFragment(ref) : ref;
      if (local === undefined) {
        problems.push(`${where}.affects: "${ref}" is not a BOM-Link (bad percent-encoding)`);
        continue;
      }
      products.push(refs.get(local) ?? local);
    }
    if (products.length === 0) problems.push(`${where}.affects: no ref`);
    const justification = analysis ? (str(analysis.justification) ?? str(analysis.detail)) : undefined;
    const detail = analysis ? str(analysis.detail) : undefined;
    const timestamp = (analysis ? str(analysis.lastUpdated) : undefined) ?? str(v.updated) ?? str(v.published);
    statements.push({
      vulnerabilities: [id, ...aliases],
      products,
      subcomponents: [],
      status,
      rawStatus: state,
      ...(justification !== undefined
        ? {
            justification:
              detail !== undefined && detail !== justification ? `${justification}: ${detail}` : justification,
          }
        : {}),
      ...(timestamp !== undefined ? { timestamp } : {}),
    });
  });
  if (problems.length > 0)
    throw new CustomsError('VEX_INVALID', `${path}: CycloneDX VEX is invalid:\n  ${problems.join('\n  ')}`);
  return { path, format: 'cyclonedx', statements };
}

/** The bom-ref of a BOM-Link (percent-decoded, RFC 3986 §2.1), or undefined when it does not decode. */
function decodedFragment(link: string): string | undefined {
  try {
    return decodeURIComponent(link.slice(link.indexOf('#') + 1));
  } catch {
    return undefined;
  }
}
