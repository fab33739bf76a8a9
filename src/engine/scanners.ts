import type { AnalyzerGroup, AnalyzerPlan, IocList, LayerFact, MergedFacts } from '../analyze/index.js';
import { loadSecretConfig, scanImageConfig } from '../analyze/index.js';
import { checkImage, type Misconfiguration } from '../checks/index.js';
import { compareStrings, CustomsError } from '../core/index.js';
import type { ImageConfig } from '../image/index.js';
import type { MalwareFinding, SecretFinding } from '../report/index.js';
import { type Inventory, type LicenseReport, licenseReport } from '../sbom/index.js';

/** What `customs scan` can look for; `--scanners` picks (default: all). */
export const SCANNERS = ['vuln', 'secret', 'misconfig', 'malware', 'license'] as const;
export type Scanner = (typeof SCANNERS)[number];

export function parseScanners(text: string): Scanner[] {
  const out = new Set<Scanner>();
  for (const raw of text.split(',')) {
    const s = raw.trim();
    if (!s) continue;
    if (!(SCANNERS as readonly string[]).includes(s)) {
      throw new CustomsError('USAGE_BAD_FLAG', `--scanners: "${s}" is not a scanner; pick from ${SCANNERS.join(', ')}`);
    }
    out.add(s as Scanner);
  }
  if (out.size === 0)
    throw new CustomsError('USAGE_BAD_FLAG', `--scanners needs at least one of ${SCANNERS.join(', ')}`);
  return [...out];
}

export interface ScannerOptions {
  readonly scanners: readonly Scanner[];
  /** YAML text of a secrets config (user rules, allow-rules). */
  readonly secretConfig?: string;
  readonly iocs?: IocList;
  readonly clamd?: { readonly addr: string; readonly dbVersion: string };
}

/** The analyzer groups the chosen scanners need. */
export function planFor(opts: ScannerOptions): AnalyzerPlan {
  const groups = new Set<AnalyzerGroup>(['packages']);
  const has = (s: Scanner): boolean => opts.scanners.includes(s);
  if (has('secret')) groups.add('secrets');
  if (has('malware')) groups.add('malware');
  if (has('license')) groups.add('license');
  if (has('misconfig')) groups.add('files');
  return {
    groups: [...groups],
    ...(opts.secretConfig !== undefined ? { secretConfig: opts.secretConfig } : {}),
    ...(opts.iocs ? { iocs: opts.iocs } : {}),
    ...(opts.clamd ? { clamd: opts.clamd } : {}),
  };
}

function located<T extends object>(
  f: LayerFact<T>,
  layerIds: readonly string[],
): T & { path: string; layer: string; hiddenByLayer?: string } {
  const hidden = f.hiddenByLayerIndex === undefined ? undefined : layerIds[f.hiddenByLayerIndex];
  return {
    ...f.fact,
    path: f.path,
    layer: layerIds[f.layerIndex] ?? '',
    ...(hidden !== undefined ? { hiddenByLayer: hidden } : {}),
  };
}

export function secretFindings(
  merged: MergedFacts,
  config: ImageConfig,
  layerIds: readonly string[],
  secretConfig?: string,
): SecretFinding[] {
  // Files an OS package installed are the distribution's (docs, examples, test keys), not the
  // image builder's: their "secrets" are noise. Everything else, deleted files included, is reported.
  const files: SecretFinding[] = merged.secrets
    .filter((s) => !merged.ownedFiles.has(s.path))
    .map((s) => ({ ...located(s, layerIds), location: s.path }));
  const fromConfig: SecretFinding[] = scanImageConfig(
    config,
    secretConfig === undefined ? undefined : loadSecretConfig(secretConfig),
  );
  return [...files, ...fromConfig].sort(
    (a, b) =>
      compareStrings(a.location, b.location) || (a.line ?? 0) - (b.line ?? 0) || compareStrings(a.ruleId, b.ruleId),
  );
}

export function malwareFindings(merged: MergedFacts, layerIds: readonly string[]): MalwareFinding[] {
  return merged.malware
    .map((m) => located(m, layerIds))
    .sort((a, b) => compareStrings(a.path, b.path) || compareStrings(a.ruleId, b.ruleId));
}

export function misconfigFindings(
  target: string,
  merged: MergedFacts,
  config: ImageConfig,
  inventory: Inventory,
): Misconfiguration[] {
  return checkImage({
    target,
    config,
    history: config.history ?? [],
    paths: merged.fileFacts
      .filter((f) => f.fact.kind === 'package-cache')
      .map((f) => ({ path: f.path, layerIndex: f.layerIndex })),
    fileFacts: merged.fileFacts.filter((f) => f.fact.kind !== 'package-cache'),
    // An image does not record which layers its base image gave it; the first layer is the base
    // rootfs in practice, so it counts as base when there are others (docs/checks.md).
    baseLayerCount: merged.layerCount > 1 ? 1 : 0,
    packages: inventory.packages,
  });
}

export function licenseFindings(inventory: Inventory, merged: MergedFacts): LicenseReport {
  return licenseReport(inventory, { packageLicenses: merged.packageLicenses.map((p) => p.fact) });
}
