/**
 * Read a saved `customs scan --format json` document (schema/scan-result-v1.json)
 * back into a ScanResult, so a pipeline scans once and gates many times
 * (`customs scan -f json -o s.json`, then `customs gate s.json --policy …`).
 *
 * The saved JSON keeps every finding (vulnerabilities, secrets, misconfigurations, malware,
 * licences) and what policies read about the image: its references (RepoTags, RepoDigests),
 * labels, creation time, layers, the config fields rules check, and the package list; so a
 * gate on it decides as a gate on the image does. Not saved: the unanalysable files (only
 * their count) and the config's history. Files written before
 * these optional fields existed are still read: their inventory holds the vulnerable
 * packages only, and docs/gate.md lists what a gate on them cannot decide.
 */
import { readFile } from 'node:fs/promises';
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';
import type { Static } from '@sinclair/typebox';
import { CustomsError, type Digest, ECOSYSTEMS, type Ecosystem, type Package, type Severity } from '../core/index.js';
import type { ImageConfig } from '../image/index.js';
import type { VulnFinding } from '../match/index.js';
import { SCAN_RESULT_SCHEMA_VERSION, type ScanResult } from '../result/index.js';
import {
  type Inventory,
  isJsonFile,
  LICENSE_CATEGORIES,
  type LicenseCategory,
  type LicenseReport,
} from '../sbom/index.js';
import type { FixState } from '../vulndb/index.js';
import { ScanJsonSchema } from './scan-json-schema.js';

type ScanJson = Static<typeof ScanJsonSchema>;
type FindingJson = ScanJson['vulnerabilities'][number];

let compiled: ReturnType<typeof TypeCompiler.Compile<typeof ScanJsonSchema>> | undefined;
/** Compiled on first use, so commands that never read a saved scan do not pay for it. */
const checker = (): ReturnType<typeof TypeCompiler.Compile<typeof ScanJsonSchema>> => {
  compiled ??= TypeCompiler.Compile(ScanJsonSchema);
  return compiled;
};

/** At most this many bad fields are listed in one error; the rest are counted. */
const MAX_LISTED = 30;

/** The DB path is not saved (it is local to the machine that scanned). */
export const SAVED_DB_PATH = '(saved scan result)';

/**
 * True when a parsed JSON value looks like a saved scan result (as opposed to an SBOM):
 * it has `schemaVersion`, a `vulnerabilities` array and a `scanners` array.
 */
export function isScanResultJson(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const o = value as Record<string, unknown>;
  return 'schemaVersion' in o && Array.isArray(o.vulnerabilities) && Array.isArray(o.scanners);
}

function describe(e: ValueError): string {
  return `${e.path || '/'}: ${e.message}`;
}

function invalid(path: string, problems: readonly string[], more = 0): CustomsError {
  const tail = more > 0 ? `\n  … and ${more} more` : '';
  return new CustomsError(
    'SCAN_RESULT_INVALID',
    `${path} is not a valid customs scan result (schema/scan-result-v1.json):\n  ${problems.join('\n  ')}${tail}`,
  );
}

function isEcosystem(s: string): s is Ecosystem {
  return (ECOSYSTEMS as readonly string[]).includes(s);
}

function findingOf(f: FindingJson): VulnFinding {
  return {
    id: f.id,
    aliases: f.aliases,
    packageId: f.package.id,
    package: { ecosystem: f.package.ecosystem, name: f.package.name, version: f.package.version, purl: f.package.purl },
    installedVersion: f.installedVersion,
    fixedVersions: f.fixedVersions,
    // The schema's unions are literal lists built with map(), which TypeBox types as string;
    // the validator has checked the values against them.
    state: f.state as FixState,
    severity: f.severity as Severity,
    severitySource: f.severitySource,
    ratings: f.ratings.map((r) => ({
      source: r.source,
      severity: r.severity as Severity,
      ...(r.vector !== undefined ? { vector: r.vector } : {}),
      ...(r.score !== undefined ? { score: r.score } : {}),
      ...(r.cvssVersion !== undefined ? { cvssVersion: r.cvssVersion } : {}),
    })),
    ...(f.cvss ? { cvss: f.cvss } : {}),
    ...(f.epss ? { epss: f.epss } : {}),
    kev: f.kev,
    ...(f.title !== undefined ? { title: f.title } : {}),
    ...(f.published !== undefined ? { published: f.published } : {}),
    layer: f.layer,
    paths: f.paths,
    url: f.url,
    match: {
      matcher: f.match.matcher,
      searchedBy: f.match.searchedBy,
      advisory: f.match.advisory,
      constraint: f.match.constraint,
      ...(f.match.comparedVersion !== undefined ? { comparedVersion: f.match.comparedVersion } : {}),
    },
  };
}

/** The vulnerable packages, one per package ID, in first-seen order then sorted like the inventory. */
function packagesOf(doc: ScanJson): Package[] {
  const byId = new Map<string, Package>();
  for (const f of doc.vulnerabilities) {
    const p = f.package;
    if (byId.has(p.id) || !isEcosystem(p.ecosystem)) continue;
    byId.set(p.id, {
      id: p.id,
      ecosystem: p.ecosystem,
      name: p.name,
      version: p.version,
      purl: p.purl,
      paths: f.paths,
      layer: f.layer,
    });
  }
  // Inventory order (sbom/types.ts): ecosystem, name, version, first path.
  const key = (p: Package): string => `${p.ecosystem}\0${p.name}\0${p.version}\0${p.paths[0] ?? ''}`;
  return [...byId.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function licensesOf(l: NonNullable<ScanJson['licenses']>): LicenseReport {
  const byCategory = Object.fromEntries(LICENSE_CATEGORIES.map((c) => [c, l.byCategory[c] ?? 0])) as Record<
    LicenseCategory,
    number
  >;
  const category = (c: string): LicenseCategory =>
    (LICENSE_CATEGORIES as readonly string[]).includes(c) ? (c as LicenseCategory) : 'unknown';
  return {
    byCategory,
    byLicense: l.byLicense.map((e) => ({ license: e.license, category: category(e.category), packages: e.packages })),
    unknown: l.unknown,
  };
}

/**
 * Parse and validate a saved scan result. Throws SCAN_RESULT_INVALID listing every bad
 * field (JSON pointer and reason); a newer schemaVersion is named as such.
 */
export function parseScanResultJson(text: string, path: string): ScanResult {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new CustomsError(
      'SCAN_RESULT_INVALID',
      `${path} is not JSON (${(e as Error).message}); save scans with \`customs scan -f json -o FILE\``,
      e,
    );
  }
  if (!isScanResultJson(value)) {
    throw invalid(path, [
      '/: needs schemaVersion, a vulnerabilities array and a scanners array (the output of `customs scan -f json`)',
    ]);
  }
  const version = (value as { schemaVersion: unknown }).schemaVersion;
  if (version !== SCAN_RESULT_SCHEMA_VERSION) {
    throw new CustomsError(
      'SCAN_RESULT_INVALID',
      `${path}: scan result schemaVersion ${JSON.stringify(version)} is not supported; this customs reads schemaVersion ${SCAN_RESULT_SCHEMA_VERSION} (scan again with this version, or upgrade customs)`,
    );
  }
  const check = checker();
  if (!check.Check(value)) {
    const problems: string[] = [];
    const seen = new Set<string>();
    let more = 0;
    for (const e of check.Errors(value)) {
      const line = describe(e);
      if (seen.has(line)) continue;
      seen.add(line);
      if (problems.length < MAX_LISTED) problems.push(line);
      else more++;
    }
    throw invalid(path, problems, more);
  }
  const doc = value;
  const badEcosystems = doc.vulnerabilities
    .map((f, i) => [i, f.package.ecosystem] as const)
    .filter(([, e]) => !isEcosystem(e))
    .map(([i, e]) => `/vulnerabilities/${i}/package/ecosystem: "${e}" is not one of ${ECOSYSTEMS.join(', ')}`);
  for (const [i, p] of (doc.packages ?? []).entries())
    if (!isEcosystem(p.ecosystem))
      badEcosystems.push(`/packages/${i}/ecosystem: "${p.ecosystem}" is not one of ${ECOSYSTEMS.join(', ')}`);
  if (badEcosystems.length > 0)
    throw invalid(path, badEcosystems.slice(0, MAX_LISTED), Math.max(0, badEcosystems.length - MAX_LISTED));

  const t = doc.target;
  const inventory: Inventory = {
    schemaVersion: 1,
    tool: { name: 'customs', version: doc.tool.version },
    createdAt: doc.createdAt,
    target: {
      name: t.name,
      transport: t.transport,
      ...(t.manifestDigest !== undefined
        ? { manifestDigest: t.manifestDigest as Inventory['target']['configDigest'] }
        : {}),
      configDigest: t.configDigest as Inventory['target']['configDigest'],
      repoDigests: t.repoDigests ?? [],
      repoTags: t.repoTags ?? [],
      ...(t.platform !== undefined ? { platform: t.platform } : {}),
      ...(t.created !== undefined ? { created: t.created } : {}),
      ...(t.labels !== undefined ? { labels: t.labels } : {}),
      layers: (t.layers ?? []).map((l) => ({
        diffID: l.diffID as Digest,
        digest: l.digest as Digest,
        mediaType: l.mediaType,
        ...(l.size !== undefined ? { size: l.size } : {}),
        ...(l.createdBy !== undefined ? { createdBy: l.createdBy } : {}),
      })),
    },
    ...(doc.os
      ? {
          os: {
            family: doc.os.family,
            version: doc.os.version,
            name: doc.os.name,
            ...(doc.os.codename !== undefined ? { codename: doc.os.codename } : {}),
            ...(doc.os.eol !== undefined ? { eol: doc.os.eol } : {}),
          },
        }
      : {}),
    packages: doc.packages !== undefined ? savedPackages(doc.packages) : packagesOf(doc),
    unknowns: [],
  };
  const notes = doc.notes.map((n) => ({
    message: n.message,
    ...(n.ecosystem !== undefined ? { ecosystem: n.ecosystem } : {}),
  }));
  if (doc.summary.unknowns > 0) {
    notes.push({
      message: `${doc.summary.unknowns} file(s) could not be analysed when this result was saved (run customs sbom on the image to list them)`,
    });
  }
  return {
    schemaVersion: SCAN_RESULT_SCHEMA_VERSION,
    inventory,
    scanners: doc.scanners,
    vulnerabilities: doc.vulnerabilities.map(findingOf),
    notes,
    ...(doc.db
      ? {
          db: {
            path: SAVED_DB_PATH,
            schemaVersion: doc.db.schemaVersion,
            builtAt: doc.db.builtAt,
            sources: doc.db.sources,
          },
        }
      : {}),
    ...(doc.secrets ? { secrets: doc.secrets } : {}),
    ...(doc.misconfigurations ? { misconfigurations: doc.misconfigurations } : {}),
    ...(doc.malware ? { malware: doc.malware } : {}),
    ...(doc.licenses ? { licenses: licensesOf(doc.licenses) } : {}),
    ...(doc.config ? { config: configOf(doc.config, doc.target) } : {}),
  };
}

/** The package list as saved (files written since it is saved); unknown ecosystems were refused above. */
function savedPackages(list: NonNullable<ScanJson['packages']>): Package[] {
  return list.flatMap((p) =>
    isEcosystem(p.ecosystem)
      ? [
          {
            id: p.id,
            ecosystem: p.ecosystem,
            name: p.name,
            version: p.version,
            purl: p.purl,
            ...(p.license !== undefined ? { license: p.license } : {}),
            layer: p.layer,
            paths: p.paths,
          },
        ]
      : [],
  );
}

/** The image config as policies read it, from its saved fields. */
function configOf(c: NonNullable<ScanJson['config']>, t: ScanJson['target']): ImageConfig {
  return {
    ...(t.created !== undefined ? { created: t.created } : {}),
    config: {
      ...(c.user !== undefined ? { User: c.user } : {}),
      ...(c.env !== undefined ? { Env: c.env } : {}),
      ...(c.entrypoint !== undefined ? { Entrypoint: c.entrypoint } : {}),
      ...(c.cmd !== undefined ? { Cmd: c.cmd } : {}),
      ...(c.workingDir !== undefined ? { WorkingDir: c.workingDir } : {}),
      ...(c.exposedPorts !== undefined ? { ExposedPorts: Object.fromEntries(c.exposedPorts.map((p) => [p, {}])) } : {}),
      ...(c.healthcheck !== undefined ? { Healthcheck: { Test: c.healthcheck } } : {}),
      ...(c.stopSignal !== undefined ? { StopSignal: c.stopSignal } : {}),
      ...(t.labels !== undefined ? { Labels: t.labels } : {}),
    },
    rootfs: { type: 'layers', diff_ids: (t.layers ?? []).map((l) => l.diffID as Digest) },
  };
}

/** The saved scan result at `path`, or undefined when the file is not one (an SBOM, an image, nothing). */
export async function readSavedScan(path: string): Promise<ScanResult | undefined> {
  if (!(await isJsonFile(path))) return undefined;
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined; // not JSON after all: let the SBOM reader say what is wrong
  }
  return isScanResultJson(value) ? parseScanResultJson(text, path) : undefined;
}
