import { createRequire } from 'node:module';
import type * as CDX from '@cyclonedx/cyclonedx-library';
import { type CustomsError, OS_ECOSYSTEMS, type OsInfo, type Package, stableJson } from '../core/index.js';
import { uuidV5 } from './content-uuid.js';
import { imageIdentity } from './image-identity.js';
import type { ImportedPackage, ImportedSbom, SkippedEntry } from './imported.js';
import { isLicenseListId, sbomLicense, sbomLicenseText } from './license-normalize.js';
import { PROP, TRIVY_PROP } from './properties.js';
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
 * The CycloneDX library is loaded on first use: it is large, and commands that
 * never write CycloneDX should not pay for it at start-up.
 */
type Lib = Pick<typeof CDX, 'Enums' | 'Models' | 'Serialize' | 'Spec'>;
let lib: Lib | undefined;
function cdx(): Lib {
  if (!lib) {
    // Sub-path entry points: the package root also loads validators and XML support.
    const require = createRequire(import.meta.url);
    lib = {
      Enums: require('@cyclonedx/cyclonedx-library/Enums') as typeof CDX.Enums,
      Models: require('@cyclonedx/cyclonedx-library/Models') as typeof CDX.Models,
      Serialize: require('@cyclonedx/cyclonedx-library/Serialize') as typeof CDX.Serialize,
      Spec: require('@cyclonedx/cyclonedx-library/Spec') as typeof CDX.Spec,
    };
  }
  return lib;
}

/**
 * Loads the CycloneDX library ahead of toCycloneDx, as ES imports: a bundler can then bundle
 * it (the image commands' bundles do, scripts/bundle.mjs), and one bundled file loads in
 * ~18 ms where Node's CommonJS loader takes ~43 ms over its ~80 files. Without it, the first
 * toCycloneDx requires the library from node_modules.
 */
export async function loadCycloneDx(): Promise<void> {
  if (lib) return;
  const [Enums, Models, Serialize, Spec] = await Promise.all([
    import('@cyclonedx/cyclonedx-library/Enums'),
    import('@cyclonedx/cyclonedx-library/Models'),
    import('@cyclonedx/cyclonedx-library/Serialize'),
    import('@cyclonedx/cyclonedx-library/Spec'),
  ]);
  // A CommonJS module's exports object is an ES import's default export.
  lib ??= { Enums: Enums.default, Models: Models.default, Serialize: Serialize.default, Spec: Spec.default };
}

/**
 * CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/) of an inventory.
 *
 * - metadata.component: the image, type "container", version = its digest,
 *   purl `pkg:oci/…` (purl-spec oci type).
 * - metadata.tools.components: customs and its version (1.5+ form).
 * - metadata.timestamp = inventory.createdAt; serialNumber = a UUIDv5 of the
 *   inventory's content, so the same inventory gives the same bytes.
 * - one component per package (type library; bom-ref = package id; purl;
 *   licenses; `customs:` properties), the OS as an operating-system component.
 * - dependencies: image → OS and language packages; OS → OS packages.
 */
export function toCycloneDx(inv: Inventory): string {
  const { Enums, Models, Serialize, Spec } = cdx();
  const image = imageIdentity(inv.target);
  const bom = new Models.Bom({ serialNumber: `urn:uuid:${uuidV5(`cyclonedx:${stableJson(inv)}`)}` });
  const created = new Date(inv.createdAt);
  if (!Number.isNaN(created.getTime())) bom.metadata.timestamp = created;
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, inv.tool.name, { version: inv.tool.version }),
  );

  const imageComponent = new Models.Component(Enums.ComponentType.Container, image.name, {
    bomRef: image.purl,
    version: image.digest,
    purl: image.purl,
    properties: new Models.PropertyRepository(imageProperties(inv)),
  });
  bom.metadata.component = imageComponent;

  const usedRefs = new Set<string>([image.purl]);
  let osComponent: CDX.Models.Component | undefined;
  if (inv.os) {
    osComponent = osToComponent(inv.os, uniqueRef(`os:${inv.os.family}@${inv.os.version}`, usedRefs));
    bom.components.add(osComponent);
    imageComponent.dependencies.add(osComponent.bomRef);
  }
  for (const p of sortPackages(inv.packages)) {
    const c = packageToComponent(p, uniqueRef(p.id, usedRefs));
    bom.components.add(c);
    const parent = osComponent && OS_ECOSYSTEMS.includes(p.ecosystem) ? osComponent : imageComponent;
    parent.dependencies.add(c.bomRef);
  }

  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  // sortLists off: our own order is already deterministic and does not depend on locale collation.
  return `${serializer.serialize(bom, { sortLists: false, space: 2 })}\n`;
}

/** bom-refs must be unique in a document; a clash gets a deterministic suffix. */
function uniqueRef(ref: string, used: Set<string>): string {
  let r = ref;
  for (let i = 2; used.has(r); i++) r = `${ref}#${i}`;
  used.add(r);
  return r;
}

function imageProperties(inv: Inventory): CDX.Models.Property[] {
  const { Models } = cdx();
  const t = inv.target;
  const props: CDX.Models.Property[] = [new Models.Property(PROP.imageTransport, t.transport)];
  if (t.manifestDigest) props.push(new Models.Property(PROP.imageManifestDigest, t.manifestDigest));
  props.push(new Models.Property(PROP.imageConfigDigest, t.configDigest));
  if (t.platform) props.push(new Models.Property(PROP.imagePlatform, t.platform));
  for (const d of t.repoDigests) props.push(new Models.Property(PROP.imageRepoDigest, d));
  for (const tag of t.repoTags) props.push(new Models.Property(PROP.imageRepoTag, tag));
  for (const l of t.layers) props.push(new Models.Property(PROP.imageLayerDiffID, l.diffID));
  return props;
}

function osToComponent(os: OsInfo, ref: string): CDX.Models.Component {
  const { Enums, Models } = cdx();
  const props: CDX.Models.Property[] = [new Models.Property(PROP.osFamily, os.family)];
  if (os.codename) props.push(new Models.Property(PROP.osCodename, os.codename));
  if (os.distroless !== undefined) props.push(new Models.Property(PROP.osDistroless, String(os.distroless)));
  if (os.eol !== undefined) props.push(new Models.Property(PROP.osEol, String(os.eol)));
  return new Models.Component(Enums.ComponentType.OperatingSystem, os.family, {
    bomRef: ref,
    version: os.version,
    ...(os.name ? { description: os.name } : {}),
    properties: new Models.PropertyRepository(props),
  });
}

/** Group/name split as purls do it: npm scope, Maven groupId, Go/Composer namespace. */
function groupAndName(p: Package): { group?: string; name: string } {
  switch (p.ecosystem) {
    case 'npm': {
      const m = /^(@[^/]+)\/(.+)$/.exec(p.name);
      return m?.[1] && m[2] ? { group: m[1], name: m[2] } : { name: p.name };
    }
    case 'maven': {
      const i = p.name.indexOf(':');
      return i > 0 ? { group: p.name.slice(0, i), name: p.name.slice(i + 1) } : { name: p.name };
    }
    case 'golang':
    case 'composer': {
      const i = p.name.lastIndexOf('/');
      return i > 0 ? { group: p.name.slice(0, i), name: p.name.slice(i + 1) } : { name: p.name };
    }
    default:
      return { name: p.name };
  }
}

function packageToComponent(p: Package, ref: string): CDX.Models.Component {
  const { Enums, Models } = cdx();
  const { group, name } = groupAndName(p);
  const licenses = new Models.LicenseRepository();
  const lic = p.license !== undefined ? sbomLicense(p.license) : undefined;
  // CycloneDX 1.6 licenses: one SPDX expression, or license objects (all apply). Debian short
  // names are normalised (docs/licenses.md); a licence list id is an id, other parts are named.
  if (lic?.kind === 'expression') licenses.add(new Models.LicenseExpression(lic.expression));
  else if (lic?.kind === 'parts') {
    for (const part of lic.parts) {
      if (part.spdx !== undefined && isLicenseListId(part.spdx)) licenses.add(new Models.SpdxLicense(part.spdx));
      else
        licenses.add(
          new Models.NamedLicense(part.spdx !== undefined && !/LicenseRef-/.test(part.spdx) ? part.spdx : part.text),
        );
    }
  }

  const props: CDX.Models.Property[] = [new Models.Property(PROP.ecosystem, p.ecosystem)];
  if (ref !== p.id) props.push(new Models.Property(PROP.packageId, p.id));
  props.push(new Models.Property(PROP.layerDiffID, p.layer));
  for (const path of p.paths) props.push(new Models.Property(PROP.path, path));
  if (p.source) {
    props.push(new Models.Property(PROP.sourceName, p.source.name));
    props.push(new Models.Property(PROP.sourceVersion, p.source.version));
  }
  // The licence as declared, when the licenses field does not spell it the same ("mit" → MIT, Expat → MIT).
  if (p.license !== undefined && sbomLicenseText(p.license) !== p.license) {
    props.push(new Models.Property(PROP.license, p.license));
  }
  for (const k of Object.keys(p.meta ?? {}).sort()) {
    const v = p.meta?.[k];
    if (v !== undefined) props.push(new Models.Property(`${PROP.metaPrefix}${k}`, v));
  }
  return new Models.Component(Enums.ComponentType.Library, name, {
    bomRef: ref,
    version: p.version,
    purl: p.purl,
    licenses,
    properties: new Models.PropertyRepository(props),
    ...(group !== undefined ? { group } : {}),
  });
}

// ---------------------------------------------------------------------------
// Reading CycloneDX JSON 1.4–1.6 (for `customs scan SBOM.json`).

const SUPPORTED_SPEC = new Set(['1.4', '1.5', '1.6']);
/** Bounds for hostile documents: components visited and nesting depth. */
const MAX_COMPONENTS = 1_000_000;
const MAX_DEPTH = 64;

const invalid = (message: string): CustomsError => sbomInvalid('CycloneDX', message);

/**
 * Read a CycloneDX 1.4–1.6 JSON document into packages. Packages come from
 * purls (ecosystem, name, version, qualifiers); customs: properties (and
 * Trivy's) restore layer, paths and source package. Components without a
 * usable purl are listed in `skipped`.
 */
export function parseCycloneDx(text: string): ImportedSbom {
  const doc = parseJsonObject(text, 'CycloneDX');
  const problems: string[] = [];
  if (doc.bomFormat !== 'CycloneDX')
    problems.push(`bomFormat is ${JSON.stringify(doc.bomFormat)}, expected "CycloneDX"`);
  const specVersion = str(doc.specVersion);
  if (specVersion === undefined || !SUPPORTED_SPEC.has(specVersion)) {
    problems.push(`specVersion ${JSON.stringify(doc.specVersion)} is not supported (1.4, 1.5 or 1.6)`);
  }
  if (doc.components !== undefined && !Array.isArray(doc.components)) problems.push('components is not an array');
  if (doc.metadata !== undefined && !isObject(doc.metadata)) problems.push('metadata is not an object');
  if (problems.length > 0) throw invalid(problems.join('; '));

  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const subjectJson = isObject(metadata.component) ? metadata.component : undefined;
  const packages: ImportedPackage[] = [];
  const skipped: SkippedEntry[] = [];
  let os: OsInfo | undefined;

  // Depth-first over components and their nested components, iteratively and bounded.
  const stack: { c: unknown; depth: number; where: string }[] = [];
  const top = Array.isArray(doc.components) ? (doc.components as unknown[]) : [];
  for (let i = top.length - 1; i >= 0; i--) stack.push({ c: top[i], depth: 0, where: `/components/${i}` });
  if (subjectJson && Array.isArray(subjectJson.components)) {
    const nested = subjectJson.components as unknown[];
    for (let i = nested.length - 1; i >= 0; i--) {
      stack.push({ c: nested[i], depth: 1, where: `/metadata/component/components/${i}` });
    }
  }
  let visited = 0;
  const badFields: string[] = [];
  while (stack.length > 0) {
    const { c, depth, where } = stack.pop() as { c: unknown; depth: number; where: string };
    if (++visited > MAX_COMPONENTS) throw invalid(`more than ${MAX_COMPONENTS} components; refusing to read further`);
    if (!isObject(c)) {
      badFields.push(`${where}: not an object`);
      continue;
    }
    if (Array.isArray(c.components)) {
      if (depth >= MAX_DEPTH) throw invalid(`${where}: components nested deeper than ${MAX_DEPTH} levels`);
      const nested = c.components as unknown[];
      for (let i = nested.length - 1; i >= 0; i--) {
        stack.push({ c: nested[i], depth: depth + 1, where: `${where}/components/${i}` });
      }
    }
    const type = str(c.type);
    const name = str(c.name);
    if (type === undefined || name === undefined) {
      badFields.push(`${where}: ${type === undefined ? 'type' : 'name'} is missing or not a string`);
      continue;
    }
    const ref = str(c['bom-ref']) ?? where;
    if (type === 'operating-system') {
      os ??= componentToOs(c, name);
      continue;
    }
    const purl = str(c.purl);
    if (purl === undefined) {
      skipped.push({ ref, reason: 'no purl' });
      continue;
    }
    const props = propertiesOf(c);
    const decoded = decodePurl(purl, name);
    if (!decoded.ok) {
      skipped.push({ ref, reason: decoded.reason });
      continue;
    }
    const d = decoded.value;
    const sourceName = props.first(PROP.sourceName) ?? props.first(TRIVY_PROP.sourceName);
    const sourceVersion = props.first(PROP.sourceVersion) ?? trivySourceVersion(props, d.ecosystem);
    const source =
      sourceName !== undefined
        ? { name: sourceName, version: sourceVersion ?? d.source?.version ?? d.version }
        : d.source;
    const layer = props.first(PROP.layerDiffID) ?? props.first(TRIVY_PROP.layerDiffID);
    const paths = props.all(PROP.path);
    const license = props.first(PROP.license) ?? licenseOf(c.licenses);
    const meta = prefixedRecord(props, PROP.metaPrefix);
    packages.push({
      id: props.first(PROP.packageId) ?? ref,
      ecosystem: d.ecosystem,
      name: d.name,
      version: d.version || (str(c.version) ?? ''),
      purl,
      paths: paths.length > 0 ? paths : props.all(TRIVY_PROP.path),
      ...(d.arch !== undefined ? { arch: d.arch } : {}),
      ...(source !== undefined ? { source } : {}),
      ...(d.epoch !== undefined ? { epoch: d.epoch } : {}),
      ...(license !== undefined ? { license } : {}),
      ...(d.qualifiers !== undefined ? { qualifiers: d.qualifiers } : {}),
      ...(Object.keys(meta).length > 0 ? { meta } : {}),
      ...(layer !== undefined ? { layer } : {}),
    });
  }
  if (badFields.length > 0) {
    const shown = badFields.slice(0, 50);
    const more = badFields.length > shown.length ? `\n  … and ${badFields.length - shown.length} more` : '';
    throw invalid(`${badFields.length} malformed components:\n  ${shown.join('\n  ')}${more}`);
  }

  const subject =
    subjectJson && typeof subjectJson.name === 'string'
      ? {
          name: subjectJson.name,
          ...(typeof subjectJson.version === 'string' ? { version: subjectJson.version } : {}),
          ...(typeof subjectJson.purl === 'string' ? { purl: subjectJson.purl } : {}),
        }
      : undefined;
  const createdAt = str(metadata.timestamp);
  return {
    format: 'cyclonedx',
    specVersion: specVersion as string,
    ...(subject !== undefined ? { subject } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
    ...(os !== undefined ? { os } : {}),
    packages,
    skipped,
  };
}

/**
 * Trivy splits a source version into SrcEpoch, SrcVersion and SrcRelease;
 * put it back the way the package manager writes it (dpkg keeps the epoch
 * in the version, deb-version(7); rpm keeps it apart).
 */
function trivySourceVersion(props: Props, ecosystem: string): string | undefined {
  const version = props.first(TRIVY_PROP.sourceVersion);
  if (version === undefined) return undefined;
  const release = props.first(TRIVY_PROP.sourceRelease);
  const epoch = props.first(TRIVY_PROP.sourceEpoch);
  const full = release ? `${version}-${release}` : version;
  return ecosystem === 'deb' && epoch && epoch !== '0' ? `${epoch}:${full}` : full;
}

type Props = NamedValues;

function propertiesOf(c: Json): Props {
  const entries: [string, string][] = [];
  if (Array.isArray(c.properties)) {
    for (const p of c.properties as unknown[]) {
      if (isObject(p) && typeof p.name === 'string' && typeof p.value === 'string') entries.push([p.name, p.value]);
    }
  }
  return namedValues(entries);
}

/** CycloneDX licenses: [{expression}] or [{license: {id | name}}, …] (joined with AND: all apply). */
function licenseOf(licenses: unknown): string | undefined {
  if (!Array.isArray(licenses)) return undefined;
  const parts: string[] = [];
  for (const l of licenses as unknown[]) {
    if (!isObject(l)) continue;
    if (typeof l.expression === 'string') parts.push(l.expression);
    else if (isObject(l.license)) {
      const v = str(l.license.id) ?? str(l.license.name);
      if (v !== undefined) parts.push(v);
    }
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : parts.join(' AND ');
}

function componentToOs(c: Json, name: string): OsInfo {
  const props = propertiesOf(c);
  const codename = props.first(PROP.osCodename);
  const distroless = props.first(PROP.osDistroless);
  const eol = props.first(PROP.osEol);
  return {
    family: (props.first(PROP.osFamily) ?? name).toLowerCase(),
    version: str(c.version) ?? '',
    name: str(c.description) ?? name,
    ...(codename !== undefined ? { codename } : {}),
    ...(distroless !== undefined ? { distroless: distroless === 'true' } : {}),
    ...(eol !== undefined ? { eol: eol === 'true' } : {}),
  };
}
