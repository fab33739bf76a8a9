/**
 * The one wiring of the pipeline (docs/architecture.md): image → analyze → sbom →
 * match → checks → result, and result → policy for a gate. Every entry point (CLI,
 * server, worker, admission webhook, runtime sensor) calls these functions and nothing
 * below them; each stage's work lives in its stage. The contract is written down in
 * docs/adr/0006-result-model-and-engine.md.
 */
import { readFile } from 'node:fs/promises';
import {
  type Analyzer,
  type AnalyzerGroup,
  type AnalyzerPlan,
  analyzeImage,
  type IocList,
  type LayerCache,
  type ConfigSecretFact,
  loadSecretConfig,
  malwareFindings,
  inspectImageConfig,
  type SecretConfig,
  secretFindings,
} from '../analyze/index.js';
import { checkImageFacts } from '../checks/index.js';
import { type Context, CustomsError, dbPath, type OsInfo } from '../core/index.js';
import { type Image, openImage } from '../image/index.js';
import { type MatchNote, matchInventory } from '../match/index.js';
import { type GateOutcome, type GateRules, judge } from '../policy/index.js';
import { readSavedScan } from '../report/index.js';
import { SCAN_RESULT_SCHEMA_VERSION, SCANNERS, type ScanResult, type Scanner } from '../result/index.js';
import { buildInventory, type Inventory, isJsonFile, licenseReport, NOT_ROOTFS, parseSbomText } from '../sbom/index.js';
import { openVulnDb, type VulnDbReader } from '../vulndb/index.js';

/**
 * What to look for: built once at the edge (flags, an API request, a webhook's config)
 * and passed through untouched.
 */
export interface ScanPlan {
  readonly scanners: readonly Scanner[];
  /** The secrets config (docs/secrets.md): parsed once here, its text for the layer worker threads. */
  readonly secretConfig?: { readonly text: string; readonly config: SecretConfig };
  readonly iocs?: IocList;
  readonly clamd?: { readonly addr: string; readonly dbVersion: string };
  /** The distro release to match OS packages against, instead of the target's (`--distro`). */
  readonly distro?: OsInfo;
}

/** Every scanner, built-in rules. */
export const DEFAULT_SCAN_PLAN: ScanPlan = { scanners: SCANNERS };

/** The plan's secrets config text, parsed (a bad config fails here, before any image is read). */
export async function secretConfigOf(text: string): Promise<NonNullable<ScanPlan['secretConfig']>> {
  return { text, config: await loadSecretConfig(text) };
}

/** What a scan runs with besides the plan: the Context, and the caches and DB the caller holds open. */
export interface ScanContext extends Context {
  readonly cache?: LayerCache;
  /** The DB file; default: customs.db in config.dbDir. */
  readonly dbPath?: string;
  /** An open reader (tests, long-running servers); dbPath is then ignored. */
  readonly db?: VulnDbReader;
  /** Analyzer objects instead of the plan's (main thread only; tests and benchmarks). */
  readonly analyzers?: readonly Analyzer[];
}

/** The analyzer groups (and their inputs) the chosen scanners need. */
export function analyzerPlanFor(plan: ScanPlan): AnalyzerPlan {
  const groups = new Set<AnalyzerGroup>(['packages']);
  const needs: Record<Scanner, AnalyzerGroup | undefined> = {
    vuln: undefined,
    secret: 'secrets',
    malware: 'malware',
    license: 'license',
    misconfig: 'files',
  };
  for (const s of plan.scanners) {
    const g = needs[s];
    if (g !== undefined) groups.add(g);
  }
  return {
    groups: [...groups],
    ...(plan.secretConfig !== undefined ? { secretConfig: plan.secretConfig.text } : {}),
    ...(plan.iocs ? { iocs: plan.iocs } : {}),
    ...(plan.clamd ? { clamd: plan.clamd } : {}),
  };
}

/** The SBOM: packages, with OS package licences from their copyright files. */
const SBOM_PLAN: AnalyzerPlan = { groups: ['packages', 'license'] };

/** Open the DB first, so a missing DB fails before minutes of image reading. */
async function withDb<T>(ctx: ScanContext, fn: (db: VulnDbReader, path: string) => Promise<T>): Promise<T> {
  if (ctx.db) return fn(ctx.db, ctx.dbPath ?? '(in memory)');
  const path = ctx.dbPath ?? dbPath(ctx.config.dbDir);
  const db = openVulnDb(path);
  try {
    return await fn(db, path);
  } finally {
    db.close();
  }
}

function matched(
  found: Inventory,
  db: VulnDbReader,
  path: string,
  foundNotes: readonly MatchNote[],
  distro?: OsInfo,
): ScanResult {
  // --distro stands in for the target's OS (Grype's --distro): the result says which was used.
  const inventory = distro === undefined ? found : { ...found, os: distro };
  const notes =
    distro === undefined
      ? foundNotes
      : [
          ...foundNotes.filter((n) => !n.message.startsWith('the SBOM names no OS')),
          {
            message: `distro packages matched as ${distro.family} ${distro.version} (--distro)${found.os ? `; the target says ${found.os.family} ${found.os.version}` : ''}`,
          },
        ];
  const m = matchInventory(inventory, db);
  const { schemaVersion, builtAt, sources } = db.metadata;
  return {
    schemaVersion: SCAN_RESULT_SCHEMA_VERSION,
    inventory,
    scanners: ['vuln'],
    vulnerabilities: m.findings,
    notes: [...notes, ...m.notes],
    db: {
      path,
      schemaVersion,
      builtAt,
      sources: sources.map((s) => ({ name: s.name, timestamp: s.timestamp, records: s.records })),
    },
  };
}

/**
 * Open an image with its config redacted. The config is text the image's builder wrote: ENV
 * values, labels, build arguments ("|1 GITHUB_TOKEN=… /bin/sh -c …" in the history), and every
 * output copies it (the SBOM's layer list, the HTML layer view, misconfiguration evidence,
 * policy messages quoting labels). This is where it enters the result, for every entry point
 * (scan, gate, sbom), so it is redacted here, once, before anything is built from it: the
 * secret scanner reads the original config here, and every stage and writer after this sees
 * only the redacted one, with nothing left for a writer to remember (docs/security.md).
 */
async function openRedacted(
  target: string,
  ctx: ScanContext,
  secretConfig?: SecretConfig,
): Promise<{ image: Image; configSecrets: ConfigSecretFact[] }> {
  const opened = await openImage(target, ctx);
  const { secrets, redacted } = inspectImageConfig(opened.config, secretConfig);
  return { image: { ...opened, config: redacted }, configSecrets: secrets };
}

async function scanImage(target: string, plan: ScanPlan, ctx: ScanContext): Promise<ScanResult> {
  const run = async (db?: VulnDbReader, path = ''): Promise<ScanResult> => {
    const { image, configSecrets } = await openRedacted(target, ctx, plan.secretConfig?.config);
    try {
      const cache = ctx.cache ? { cache: ctx.cache } : {};
      const analysis = await analyzeImage(
        image,
        ctx,
        ctx.analyzers ? { analyzers: ctx.analyzers, ...cache } : { plan: analyzerPlanFor(plan), ...cache },
      );
      const inventory = buildInventory(image, analysis, ctx);
      const { merged } = analysis;
      const layerIds = image.layers.map((l) => l.diffID);
      const has = (s: Scanner): boolean => plan.scanners.includes(s);
      const base: ScanResult = db
        ? matched(inventory, db, path, [], plan.distro)
        : { schemaVersion: SCAN_RESULT_SCHEMA_VERSION, inventory, scanners: [], vulnerabilities: [], notes: [] };
      // A dir: that is no root filesystem is said where the findings are, not only among the unknowns.
      const notRootfs = inventory.unknowns.filter((u) => u.code === NOT_ROOTFS).map((u) => ({ message: u.message }));
      return {
        ...base,
        notes: [...base.notes, ...notRootfs, ...(image.notes ?? []).map((message) => ({ message }))],
        scanners: SCANNERS.filter(has),
        config: image.config,
        ...(has('secret') ? { secrets: secretFindings(merged, configSecrets, layerIds) } : {}),
        ...(has('misconfig')
          ? { misconfigurations: checkImageFacts(inventory.target.name, merged, image.config, inventory.packages) }
          : {}),
        ...(has('malware') ? { malware: malwareFindings(merged, layerIds) } : {}),
        ...(has('license')
          ? { licenses: licenseReport(inventory, { packageLicenses: merged.packageLicenses.map((p) => p.fact) }) }
          : {}),
      };
    } finally {
      await image.close();
    }
  };
  return plan.scanners.includes('vuln') ? withDb(ctx, run) : run();
}

/** An SBOM file is matched against the DB (its packages are all it has). */
function scanSbomFile(path: string, plan: ScanPlan, ctx: ScanContext): Promise<ScanResult> {
  return withDb(ctx, async (db, where) => {
    const { inventory, notes } = parseSbomText(await readFile(path, 'utf8'), path, ctx.now());
    return matched(inventory, db, where, notes, plan.distro);
  });
}

/**
 * Scan a target: an image named as `customs help targets` says, or an SBOM file
 * (CycloneDX, SPDX, customs JSON), with the plan's scanners.
 */
export async function scan(target: string, plan: ScanPlan, ctx: ScanContext): Promise<ScanResult> {
  if (!(await isJsonFile(target))) return scanImage(target, plan, ctx);
  // An SBOM lists packages, not files: only the vulnerability scanner has anything to read.
  if (!plan.scanners.includes('vuln')) {
    throw new CustomsError(
      'USAGE_BAD_FLAG',
      `${target} is an SBOM: it lists packages and has no files for ${plan.scanners.join(', ')} to search; scan the image itself for those, or use --scanners vuln on the SBOM`,
    );
  }
  return scanSbomFile(target, plan, ctx);
}

/** The inventory of an image (`customs sbom`). */
export async function sbom(target: string, ctx: ScanContext): Promise<Inventory> {
  const { image } = await openRedacted(target, ctx);
  try {
    const cache = ctx.cache ? { cache: ctx.cache } : {};
    const analysis = await analyzeImage(
      image,
      ctx,
      ctx.analyzers ? { analyzers: ctx.analyzers, ...cache } : { plan: SBOM_PLAN, ...cache },
    );
    return buildInventory(image, analysis, ctx);
  } finally {
    await image.close();
  }
}

/** A gate on a saved scan result says so (docs/gate.md "Scan once, gate later"). */
export const SAVED_SCAN_NOTE = 'gated a saved scan result: read back, not rescanned';

/** Why a gate on a saved scan without the image facts (an older file) decides less. */
export const SAVED_SCAN_PARTIAL_NOTE =
  'gated a saved scan result without the image config and layers (an SBOM scan, or a file from an older customs that also lists only the vulnerable packages): image rules cannot be decided (docs/gate.md)';

/**
 * Gate a target: a saved `customs scan -f json` result (read back, not rescanned), an
 * SBOM file or an image scanned now with the plan, judged by the rules.
 */
export async function gate(
  target: string,
  plan: ScanPlan,
  rules: GateRules,
  ctx: ScanContext,
): Promise<GateOutcome & { readonly saved: boolean }> {
  const saved = await readSavedScan(target);
  const result = saved ?? (await scan(target, plan, ctx));
  // A saved image scan carries its layers (since the optional target.layers field); one
  // without is an older file. A saved SBOM scan never had a config or layers.
  const partial = saved !== undefined && saved.inventory.target.layers.length === 0 && saved.config === undefined;
  const notes = saved === undefined ? [] : [partial ? SAVED_SCAN_PARTIAL_NOTE : SAVED_SCAN_NOTE];
  return { ...judge(result, rules, ctx.now(), notes), saved: saved !== undefined };
}
