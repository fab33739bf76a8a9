import { createHash } from 'node:crypto';
import { CustomsError, type OsInfo, type Package, stableJson } from '../core/index.js';
import { uuidV5 } from './content-uuid.js';
import { imageIdentity } from './image-identity.js';
import type { ImportedPackage, ImportedSbom, SkippedEntry } from './imported.js';
import { sbomLicense, sbomLicenseText } from './license-normalize.js';
import { PROP } from './properties.js';
import { decodePurl } from './purl-decode.js';
import { sortPackages } from './sort.js';
import type { Inventory } from './types.js';
import {
  isObject,
  type Json,
  type NamedValues,
  namedValues,
  parseJsonObject,
  prefixedRecord,
  sbomInvalid,
  str,
} from './json-read.js';

/**
 * SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/) of an inventory,
 * valid against the official schema (spdx-spec v2.3 schemas/spdx-schema.json).
 *
 * - documentNamespace: a URI with a UUIDv5 of the inventory's content, so the
 *   same inventory gives the same bytes (spec 6.5: unique per document).
 * - packages: the image (primaryPackagePurpose CONTAINER), the OS
 *   (OPERATING_SYSTEM) and one LIBRARY per package; filesAnalyzed false, so
 *   no verification code is needed (spec 7.8).
 * - licenseDeclared: a valid SPDX expression as declared, else a
 *   LicenseRef-… defined in hasExtractedLicensingInfos (spec 10.1), else
 *   NOASSERTION. licenseConcluded is NOASSERTION: customs does not conclude.
 * - relationships: DOCUMENT DESCRIBES image; image CONTAINS OS and each package.
 * - customs facts with no SPDX field (layer, paths) are package annotations
 *   whose comment is `NAME=VALUE` with the names of properties.ts.
 */
export function toSpdx(inv: Inventory): string {
  const image = imageIdentity(inv.target);
  const created = spdxDate(inv.createdAt);
  const tool = `Tool: ${inv.tool.name}-${inv.tool.version}`;
  const uuid = uuidV5(`spdx:${stableJson(inv)}`);
  const usedIds = new Set<string>(['SPDXRef-DOCUMENT']);
  const imageId = uniqueId('SPDXRef-Image', usedIds);

  const packages: Record<string, unknown>[] = [];
  const relationships: Record<string, unknown>[] = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId },
  ];
  packages.push({
    name: image.name,
    SPDXID: imageId,
    versionInfo: image.digest,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: image.purl }],
    primaryPackagePurpose: 'CONTAINER',
  });

  if (inv.os) {
    const osId = uniqueId('SPDXRef-OperatingSystem', usedIds);
    packages.push(osPackage(inv.os, osId, created, tool));
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: osId });
  }

  const licenseRefs = new LicenseRefs();
  for (const p of sortPackages(inv.packages)) {
    const id = uniqueId(`SPDXRef-Package-${sanitizeIdString(p.id)}`, usedIds);
    packages.push(packageJson(p, id, created, tool, licenseRefs));
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  }

  const doc: Record<string, unknown> = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: image.name,
    documentNamespace: `https://spdx.org/spdxdocs/customs/${sanitizeIdString(image.name)}-${uuid}`,
    creationInfo: { created, creators: [tool] },
    packages,
    relationships,
  };
  const extracted = licenseRefs.list();
  if (extracted.length > 0) doc.hasExtractedLicensingInfos = extracted;
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** SPDX 2.3 section 6.9: created is "YYYY-MM-DDThh:mm:ssZ" (UTC, no fraction). */
function spdxDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    throw new CustomsError('INTERNAL', `inventory createdAt "${iso}" is not an ISO 8601 date-time; cannot write SPDX`);
  }
  return d.toISOString().replace(/\.[0-9]{3}Z$/, 'Z');
}

/** SPDX identifiers: "SPDXRef-" then letters, digits, "." and "-" only (spec 7.2). */
export function sanitizeIdString(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return clean === '' ? 'x' : clean.slice(0, 200);
}

function uniqueId(id: string, used: Set<string>): string {
  let r = id;
  for (let i = 2; used.has(r); i++) r = `${id}-${i}`;
  used.add(r);
  return r;
}

function annotation(created: string, tool: string, name: string, value: string): Record<string, unknown> {
  return { annotationDate: created, annotationType: 'OTHER', annotator: tool, comment: `${name}=${value}` };
}

function osPackage(os: OsInfo, id: string, created: string, tool: string): Record<string, unknown> {
  const annotations = [annotation(created, tool, PROP.osFamily, os.family)];
  if (os.codename) annotations.push(annotation(created, tool, PROP.osCodename, os.codename));
  if (os.distroless !== undefined)
    annotations.push(annotation(created, tool, PROP.osDistroless, String(os.distroless)));
  if (os.eol !== undefined) annotations.push(annotation(created, tool, PROP.osEol, String(os.eol)));
  return {
    name: os.family,
    SPDXID: id,
    versionInfo: os.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    ...(os.name ? { description: os.name } : {}),
    primaryPackagePurpose: 'OPERATING_SYSTEM',
    annotations,
  };
}

function packageJson(
  p: Package,
  id: string,
  created: string,
  tool: string,
  licenseRefs: LicenseRefs,
): Record<string, unknown> {
  const annotations = [annotation(created, tool, PROP.layerDiffID, p.layer)];
  for (const path of p.paths) annotations.push(annotation(created, tool, PROP.path, path));
  if (id !== `SPDXRef-Package-${p.id}`) annotations.push(annotation(created, tool, PROP.packageId, p.id));
  // The licence as declared, when licenseDeclared does not spell it the same ("mit" → MIT, Expat → MIT).
  if (p.license !== undefined && sbomLicenseText(p.license) !== p.license) {
    annotations.push(annotation(created, tool, PROP.license, p.license));
  }
  for (const k of Object.keys(p.meta ?? {}).sort()) {
    const v = p.meta?.[k];
    if (v !== undefined) annotations.push(annotation(created, tool, `${PROP.metaPrefix}${k}`, v));
  }
  return {
    name: p.name,
    SPDXID: id,
    versionInfo: p.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: licenseRefs.declared(p.license),
    copyrightText: 'NOASSERTION',
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
    // Section 7.7: the origin of an OS binary package is its source package.
    ...(p.source ? { sourceInfo: `built package from: ${p.source.name} ${p.source.version}` } : {}),
    primaryPackagePurpose: 'LIBRARY',
    annotations,
  };
}

/** Free-text licences become LicenseRef-… identifiers, one per distinct text. */
class LicenseRefs {
  /** id → the licence's name and text. */
  private readonly defined = new Map<string, { name: string; text: string; comment: string }>();
  private readonly byText = new Map<string, string>();

  /**
   * licenseDeclared for a declared licence: normalised to SPDX (Debian short names
   * included, docs/licenses.md), parts SPDX cannot express as LicenseRef-… joined
   * with AND. Every LicenseRef used is defined (spec 10.1).
   */
  declared(license: string | undefined): string {
    if (license === undefined) return 'NOASSERTION';
    const l = sbomLicense(license);
    if (l === undefined) return 'NOASSERTION';
    if (l.kind === 'expression') return this.defineRefs(l.expression, license.trim());
    return l.parts
      .map((part) => {
        if (part.spdx === undefined) return this.ref(part.text);
        const expr = this.defineRefs(part.spdx, part.text);
        return l.parts.length > 1 && /\s(?:OR|AND)\s/.test(expr) ? `(${expr})` : expr;
      })
      .join(' AND ');
  }

  /** LicenseRef-… ids that normalisation writes (LicenseRef-public-domain), defined once. */
  private defineRefs(expression: string, declared: string): string {
    for (const [id] of expression.matchAll(/LicenseRef-[A-Za-z0-9.-]+/g)) {
      if (this.defined.has(id)) continue;
      const known = NORMALISED_REFS[id];
      this.defined.set(id, known ?? { name: declared, text: declared, comment: 'Licence as declared by the package.' });
    }
    return expression;
  }

  /** A free-text licence as a LicenseRef-…, one per distinct text. */
  private ref(text: string): string {
    const known = this.byText.get(text);
    if (known) return known;
    let id = `LicenseRef-${sanitizeIdString(text).slice(0, 64)}`;
    if (this.defined.has(id)) id = `${id}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
    for (let i = 2; this.defined.has(id); i++) id = `${id}-${i}`;
    this.defined.set(id, {
      name: text,
      text,
      comment: 'Licence as declared by the package; not an SPDX licence list identifier.',
    });
    this.byText.set(text, id);
    return id;
  }

  list(): Record<string, unknown>[] {
    // Sorted by identifier: the same licences give the same array whatever order they were met in.
    return [...this.defined.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([id, d]) => ({ licenseId: id, name: d.name, extractedText: d.text, comment: d.comment }));
  }
}

/**
 * LicenseRefs that licence normalisation itself produces. DEP-5's
 * "public-domain": "No license required for any purpose; the work is not
 * subject to copyright in any jurisdiction" (copyright-format 1.0, short names).
 */
const NORMALISED_REFS: Readonly<Record<string, { name: string; text: string; comment: string }>> = {
  'LicenseRef-public-domain': {
    name: 'public-domain',
    text: 'No license required for any purpose; the work is not subject to copyright in any jurisdiction.',
    comment: 'Debian copyright-format 1.0 short name "public-domain".',
  },
};

// ---------------------------------------------------------------------------
// Reading SPDX 2.2/2.3 JSON (for `customs scan SBOM.json`).

const SUPPORTED = new Set(['SPDX-2.2', 'SPDX-2.3']);
const MAX_PACKAGES = 1_000_000;

const invalid = (message: string): CustomsError => sbomInvalid('SPDX', message);

/**
 * Read an SPDX 2.2/2.3 JSON document into packages: purls from
 * PACKAGE-MANAGER external references, the subject from DESCRIBES, the OS
 * from the OPERATING_SYSTEM package, customs annotations restore layer and
 * paths. Packages without a usable purl are listed in `skipped`.
 */
export function parseSpdx(text: string): ImportedSbom {
  const doc = parseJsonObject(text, 'SPDX');
  const problems: string[] = [];
  const specVersion = str(doc.spdxVersion);
  if (specVersion === undefined || !SUPPORTED.has(specVersion)) {
    problems.push(`spdxVersion ${JSON.stringify(doc.spdxVersion)} is not supported (SPDX-2.2 or SPDX-2.3)`);
  }
  if (doc.packages !== undefined && !Array.isArray(doc.packages)) problems.push('packages is not an array');
  if (doc.relationships !== undefined && !Array.isArray(doc.relationships))
    problems.push('relationships is not an array');
  const rawPackages = Array.isArray(doc.packages) ? (doc.packages as unknown[]) : [];
  if (rawPackages.length > MAX_PACKAGES) problems.push(`more than ${MAX_PACKAGES} packages`);
  rawPackages.forEach((p, i) => {
    if (!isObject(p)) problems.push(`/packages/${i}: not an object`);
    else {
      if (typeof p.SPDXID !== 'string') problems.push(`/packages/${i}/SPDXID: missing or not a string`);
      if (typeof p.name !== 'string') problems.push(`/packages/${i}/name: missing or not a string`);
    }
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 50);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    throw invalid(`${problems.length} problems:\n  ${shown.join('\n  ')}${more}`);
  }

  const extracted = new Map<string, string>();
  if (Array.isArray(doc.hasExtractedLicensingInfos)) {
    for (const e of doc.hasExtractedLicensingInfos as unknown[]) {
      if (!isObject(e) || typeof e.licenseId !== 'string') continue;
      const t = str(e.name) ?? str(e.extractedText);
      if (t !== undefined) extracted.set(e.licenseId, t);
    }
  }

  const described = new Set<string>();
  for (const r of Array.isArray(doc.relationships) ? (doc.relationships as unknown[]) : []) {
    if (!isObject(r)) continue;
    if (
      r.spdxElementId === 'SPDXRef-DOCUMENT' &&
      r.relationshipType === 'DESCRIBES' &&
      typeof r.relatedSpdxElement === 'string'
    ) {
      described.add(r.relatedSpdxElement);
    }
    if (
      r.relationshipType === 'DESCRIBED_BY' &&
      r.relatedSpdxElement === 'SPDXRef-DOCUMENT' &&
      typeof r.spdxElementId === 'string'
    ) {
      described.add(r.spdxElementId);
    }
  }
  if (Array.isArray(doc.documentDescribes)) {
    for (const d of doc.documentDescribes as unknown[]) if (typeof d === 'string') described.add(d);
  }

  const packages: ImportedPackage[] = [];
  const skipped: SkippedEntry[] = [];
  let os: OsInfo | undefined;
  let subject: { name: string; version?: string; purl?: string } | undefined;
  for (const raw of rawPackages) {
    const p = raw as Json;
    const spdxId = p.SPDXID as string;
    const name = p.name as string;
    const purl = purlOf(p);
    const notes = annotationsOf(p);
    if (described.has(spdxId) && subject === undefined) {
      const version = str(p.versionInfo);
      subject = { name, ...(version !== undefined ? { version } : {}), ...(purl !== undefined ? { purl } : {}) };
      continue;
    }
    const purpose = str(p.primaryPackagePurpose);
    if (purpose === 'OPERATING_SYSTEM' || purpose === 'OPERATING-SYSTEM') {
      os ??= packageToOs(p, name, notes);
      continue;
    }
    if (purl === undefined) {
      skipped.push({ ref: spdxId, reason: 'no purl external reference' });
      continue;
    }
    const decoded = decodePurl(purl, name);
    if (!decoded.ok) {
      skipped.push({ ref: spdxId, reason: decoded.reason });
      continue;
    }
    const d = decoded.value;
    const src = /^built package from: (\S+) (\S+)$/.exec(str(p.sourceInfo) ?? '');
    const source = src?.[1] && src[2] ? { name: src[1], version: src[2] } : d.source;
    const license = notes.first(PROP.license) ?? licenseOf(str(p.licenseDeclared), extracted);
    const layer = notes.first(PROP.layerDiffID);
    const meta = prefixedRecord(notes, PROP.metaPrefix);
    packages.push({
      id: notes.first(PROP.packageId) ?? (spdxId.startsWith('SPDXRef-Package-') ? spdxId.slice(16) : spdxId),
      ecosystem: d.ecosystem,
      name: d.name,
      version: d.version || (str(p.versionInfo) ?? ''),
      purl,
      paths: notes.all(PROP.path),
      ...(d.arch !== undefined ? { arch: d.arch } : {}),
      ...(source !== undefined ? { source } : {}),
      ...(d.epoch !== undefined ? { epoch: d.epoch } : {}),
      ...(license !== undefined ? { license } : {}),
      ...(d.qualifiers !== undefined ? { qualifiers: d.qualifiers } : {}),
      ...(Object.keys(meta).length > 0 ? { meta } : {}),
      ...(layer !== undefined ? { layer } : {}),
    });
  }

  const createdAt = isObject(doc.creationInfo) ? str(doc.creationInfo.created) : undefined;
  return {
    format: 'spdx',
    specVersion: specVersion as string,
    ...(subject !== undefined ? { subject } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
    ...(os !== undefined ? { os } : {}),
    packages,
    skipped,
  };
}

function purlOf(p: Json): string | undefined {
  if (!Array.isArray(p.externalRefs)) return undefined;
  for (const r of p.externalRefs as unknown[]) {
    if (isObject(r) && r.referenceType === 'purl' && typeof r.referenceLocator === 'string') return r.referenceLocator;
  }
  return undefined;
}

type Notes = NamedValues;

/** customs annotations: comment "NAME=VALUE" with a customs: name. */
function annotationsOf(p: Json): Notes {
  const entries: [string, string][] = [];
  if (Array.isArray(p.annotations)) {
    for (const a of p.annotations as unknown[]) {
      if (!isObject(a) || typeof a.comment !== 'string' || !a.comment.startsWith('customs:')) continue;
      const eq = a.comment.indexOf('=');
      if (eq > 0) entries.push([a.comment.slice(0, eq), a.comment.slice(eq + 1)]);
    }
  }
  return namedValues(entries);
}

/** licenseDeclared back to the declared text: NOASSERTION/NONE say nothing; a lone LicenseRef is its extracted text. */
function licenseOf(declared: string | undefined, extracted: ReadonlyMap<string, string>): string | undefined {
  if (declared === undefined || declared === 'NOASSERTION' || declared === 'NONE') return undefined;
  return extracted.get(declared) ?? declared;
}

function packageToOs(p: Json, name: string, notes: Notes): OsInfo {
  const codename = notes.first(PROP.osCodename);
  const distroless = notes.first(PROP.osDistroless);
  const eol = notes.first(PROP.osEol);
  return {
    family: (notes.first(PROP.osFamily) ?? name).toLowerCase(),
    version: str(p.versionInfo) ?? '',
    name: str(p.description) ?? name,
    ...(codename !== undefined ? { codename } : {}),
    ...(distroless !== undefined ? { distroless: distroless === 'true' } : {}),
    ...(eol !== undefined ? { eol: eol === 'true' } : {}),
  };
}
