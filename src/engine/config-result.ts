/**
 * A Dockerfile or Kubernetes scan seen as a ScanResult (the misconfiguration section
 * only), so every writer that renders misconfigurations (SARIF with file/line regions,
 * JUnit, HTML, Markdown) and the gate's rules (--severity, --fail-on, the any-finding
 * rule, policy `misconfigurations` rules) take it as they take an image's result.
 */
import { join } from 'node:path';
import { CustomsError } from '../core/index.js';
import type { Misconfiguration } from '../checks/index.js';
import { filterScan, type GateOutcome, type GateRules, judge, type ScanFilters } from '../policy/index.js';
import { misconfigOnlyResult, type ScanResult } from '../result/index.js';
import { type ConfigKind, type ConfigScanResult, scanConfigTarget } from './scan-config.js';
import type { ScanContext } from './scan.js';

export function configScanAsResult(c: ConfigScanResult, now: Date): ScanResult {
  // Files under a directory target are named relative to it; reports (SARIF for code
  // scanning above all) name them from where the command ran, as the user named the target.
  const inDirectory = !(c.files.length === 1 && c.files[0] === c.target);
  const misconfigurations = inDirectory
    ? c.misconfigurations.map((m) =>
        m.location ? { ...m, location: { ...m.location, path: join(c.target, m.location.path) } } : m,
      )
    : c.misconfigurations;
  return asResult(c, now, misconfigurations);
}

/**
 * The config scan with only the misconfigurations the filters keep (--severity,
 * --ignore-unfixed, --ignorefile: the gate's own filters, policy/scan-filters.ts).
 */
export function filterConfigScan(c: ConfigScanResult, filters: ScanFilters, now: Date): ConfigScanResult {
  const kept = filterScan(asResult(c, now, c.misconfigurations), filters, now).result.misconfigurations ?? [];
  return { ...c, misconfigurations: kept };
}

function asResult(c: ConfigScanResult, now: Date, misconfigurations: readonly Misconfiguration[]): ScanResult {
  // What was checked, named by its content: the files read and what they showed.
  const content = { kind: c.kind, files: c.files, misconfigurations: c.misconfigurations };
  return misconfigOnlyResult({ name: c.target, transport: c.kind, content }, misconfigurations, now);
}

/**
 * `customs gate dockerfile|k8s PATH`: the files checked, then judged by the same rules as
 * an image's misconfigurations. Without a path there is nothing to check.
 */
export async function gateConfig(
  kind: ConfigKind,
  path: string | undefined,
  rules: GateRules,
  ctx: ScanContext,
): Promise<GateOutcome & { readonly config: ConfigScanResult }> {
  if (path === undefined || path === '')
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      `gate ${kind} needs the file or directory to check: gate ${kind} PATH`,
    );
  const config = await scanConfigTarget(kind, path);
  const now = ctx.now();
  const outcome = judge(configScanAsResult(config, now), rules, now);
  // The config as the table shows it: what the filters (step 1) leave, suppressed findings included.
  const filters = {
    ...(rules.severities ? { severities: rules.severities } : {}),
    ...(rules.ignoreUnfixed ? { ignoreUnfixed: true } : {}),
  };
  return { ...outcome, config: filterConfigScan(config, filters, now) };
}
