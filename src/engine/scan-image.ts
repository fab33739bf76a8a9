/**
 * `customs scan`: the inventory of an image (sbomOf) or of an SBOM file, matched
 * against the vulnerability DB. The one wiring every entry point uses (CLI,
 * server, admission); later stages fill the optional sections.
 */
import { open, readFile, stat } from 'node:fs/promises';
import type { Misconfiguration } from '../checks/index.js';
import type { ImageConfig } from '../image/index.js';
import type { MalwareFinding, SecretFinding } from '../report/index.js';
import { type Context, CustomsError, sha256 } from '../core/index.js';
import { type MatchNote, matchInventory, type VulnFinding } from '../match/index.js';
import {
  type ImportedSbom,
  type Inventory,
  type LicenseReport,
  parseCustomsJson,
  parseCycloneDx,
  parseSpdx,
} from '../sbom/index.js';
import { type DbMetadata, dbPath, openVulnDb, type VulnDbReader } from '../vulndb/index.js';
import { analyzeTarget, type SbomOptions } from './scan.js';
import {
  licenseFindings,
  malwareFindings,
  misconfigFindings,
  planFor,
  SCANNERS,
  type ScannerOptions,
  secretFindings,
} from './scanners.js';

export const SCAN_RESULT_SCHEMA_VERSION = 1;

/** Which DB answered: enough to tell whether an absent finding is news or stale data. */
export interface ScanDbInfo {
  readonly path: string;
  readonly schemaVersion: number;
  readonly builtAt: string;
  readonly sources: readonly { readonly name: string; readonly timestamp: string; readonly records: number }[];
}

export interface ScanResult {
  readonly schemaVersion: typeof SCAN_RESULT_SCHEMA_VERSION;
  readonly inventory: Inventory;
  /** Which scanners ran (a section of a scanner that did not run is absent, not empty). */
  readonly scanners: readonly string[];
  /** Sorted by severity (critical first), then package name, version, ID (match/compareFindings). */
  readonly vulnerabilities: readonly VulnFinding[];
  /** What could not be decided (no data for a release, invalid versions, skipped SBOM entries). */
  readonly notes: readonly MatchNote[];
  /** The vulnerability DB that answered; absent when the vuln scanner did not run. */
  readonly db?: ScanDbInfo;
  readonly secrets?: readonly SecretFinding[];
  readonly misconfigurations?: readonly Misconfiguration[];
  readonly malware?: readonly MalwareFinding[];
  readonly licenses?: LicenseReport;
  /** The image config (in memory only, not in the saved JSON): policies check User, Entrypoint, ports … */
  readonly config?: ImageConfig;
}

export interface ScanOptions extends SbomOptions, Partial<ScannerOptions> {
  /** The DB file; default: customs.db in ctx.config.dbDir. */
  readonly dbPath?: string;
  /** An open reader (tests, long-running servers); dbPath is then ignored. */
  readonly db?: VulnDbReader;
}

function dbInfo(path: string, m: DbMetadata): ScanDbInfo {
  return {
    path,
    schemaVersion: m.schemaVersion,
    builtAt: m.builtAt,
    sources: m.sources.map((s) => ({ name: s.name, timestamp: s.timestamp, records: s.records })),
  };
}

/** Open the DB first, so a missing DB fails before minutes of image reading. */
async function withDb<T>(
  ctx: Context,
  opts: ScanOptions,
  fn: (db: VulnDbReader, path: string) => Promise<T>,
): Promise<T> {
  if (opts.db) return fn(opts.db, opts.dbPath ?? '(in memory)');
  const path = opts.dbPath ?? dbPath(ctx.config.dbDir);
  const db = openVulnDb(path);
  try {
    return await fn(db, path);
  } finally {
    db.close();
  }
}

export function scanInventory(
  inv: Inventory,
  db: VulnDbReader,
  path: string,
  extraNotes: readonly MatchNote[] = [],
): ScanResult {
  const matched = matchInventory(inv, db);
  return {
    schemaVersion: SCAN_RESULT_SCHEMA_VERSION,
    inventory: inv,
    scanners: ['vuln'],
    vulnerabilities: matched.findings,
    notes: [...extraNotes, ...matched.notes],
    db: dbInfo(path, db.metadata),
  };
}

/** Scan an image named as `customs sbom` names it, with the chosen scanners (default: all). */
export async function scanImage(target: string, ctx: Context, opts: ScanOptions = {}): Promise<ScanResult> {
  const scanners = opts.scanners ?? SCANNERS;
  const scannerOpts: ScannerOptions = {
    scanners,
    ...(opts.secretConfig !== undefined ? { secretConfig: opts.secretConfig } : {}),
    ...(opts.iocs ? { iocs: opts.iocs } : {}),
    ...(opts.clamd ? { clamd: opts.clamd } : {}),
  };
  const sbomOpts: SbomOptions = opts.analyzers ? opts : { ...opts, plan: opts.plan ?? planFor(scannerOpts) };
  const run = async (db: VulnDbReader | undefined, path: string): Promise<ScanResult> => {
    const a = await analyzeTarget(target, ctx, sbomOpts);
    const base: ScanResult = db
      ? scanInventory(a.inventory, db, path)
      : {
          schemaVersion: SCAN_RESULT_SCHEMA_VERSION,
          inventory: a.inventory,
          scanners: [],
          vulnerabilities: [],
          notes: [],
        };
    const has = (s: (typeof SCANNERS)[number]): boolean => scanners.includes(s);
    return {
      ...base,
      scanners: SCANNERS.filter(has),
      config: a.config,
      ...(has('secret') ? { secrets: secretFindings(a.merged, a.config, a.layerIds, opts.secretConfig) } : {}),
      ...(has('misconfig')
        ? { misconfigurations: misconfigFindings(a.inventory.target.name, a.merged, a.config, a.inventory) }
        : {}),
      ...(has('malware') ? { malware: malwareFindings(a.merged, a.layerIds) } : {}),
      ...(has('license') ? { licenses: licenseFindings(a.inventory, a.merged) } : {}),
    };
  };
  // The DB is opened first, so a missing DB fails before minutes of image reading.
  return scanners.includes('vuln') ? withDb(ctx, opts, run) : run(undefined, '');
}

/** True when `path` is a regular file that starts like a JSON document (an SBOM, not an image tarball). */
export async function isSbomFile(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) return false;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64);
    const { bytesRead } = await fh.read(buf, 0, 64, 0);
    return /^\s*[{[]/.test(
      buf
        .subarray(0, bytesRead)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
  } finally {
    await fh.close();
  }
}

function fromImported(sbom: ImportedSbom, text: string, path: string, now: Date): Inventory {
  const name = sbom.subject?.name ?? path;
  return {
    schemaVersion: 1,
    tool: { name: 'customs', version: '' },
    createdAt: sbom.createdAt ?? now.toISOString(),
    target: {
      name,
      transport: sbom.format, // No image config here: the SBOM document's own digest identifies what was scanned.
      configDigest: sha256(text),
      repoDigests: [],
      repoTags: [],
      layers: [],
    },
    ...(sbom.os ? { os: sbom.os } : {}),
    packages: sbom.packages.map((p) => ({ ...p, layer: p.layer ?? '' })),
    unknowns: [],
  };
}

/** Read a CycloneDX, SPDX or customs JSON SBOM into an Inventory, with notes for entries it could not use. */
export function parseSbomText(text: string, path: string, now: Date): { inventory: Inventory; notes: MatchNote[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new CustomsError(
      'SBOM_INVALID',
      `${path} is not JSON (${(e as Error).message}); scan reads CycloneDX, SPDX or customs JSON SBOMs`,
      e,
    );
  }
  const o = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  if (Array.isArray(o.vulnerabilities) && Array.isArray(o.scanners) && o.target !== undefined) {
    throw new CustomsError(
      'SBOM_INVALID',
      `${path} is a saved scan result, not an SBOM; gate it with \`customs gate ${path}\`, or scan the image again`,
    );
  }
  let imported: ImportedSbom;
  if (o.bomFormat === 'CycloneDX') imported = parseCycloneDx(text);
  else if (typeof o.spdxVersion === 'string') imported = parseSpdx(text);
  else if (typeof o.tool === 'object' && o.tool !== null && (o.tool as Record<string, unknown>).name === 'customs') {
    return { inventory: parseCustomsJson(text), notes: [] };
  } else {
    throw new CustomsError(
      'SBOM_INVALID',
      `${path} is neither CycloneDX (bomFormat), SPDX (spdxVersion) nor customs inventory JSON (tool.name "customs"); export the SBOM as JSON in one of them`,
    );
  }
  const notes = imported.skipped
    .slice(0, 20)
    .map((s) => ({ message: `SBOM entry ${s.ref} was not matched: ${s.reason}` }));
  if (imported.skipped.length > 20)
    notes.push({ message: `… and ${imported.skipped.length - 20} more SBOM entries were not matched` });
  return { inventory: fromImported(imported, text, path, now), notes };
}

/** Scan an SBOM file (CycloneDX, SPDX or customs JSON) instead of an image. */
export function scanSbom(path: string, ctx: Context, opts: ScanOptions = {}): Promise<ScanResult> {
  return withDb(ctx, opts, async (db, where) => {
    const { inventory, notes } = parseSbomText(await readFile(path, 'utf8'), path, ctx.now());
    return scanInventory(inventory, db, where, notes);
  });
}
