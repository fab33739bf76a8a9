/**
 * `customs scan`'s filters, --severity, --ignore-unfixed and --ignorefile, applied by the
 * gate's own steps (judge.ts steps 1 and 2), so a finding a scan hides is the finding the
 * gate does not count. A scan reports what is left: ignored findings are dropped, as
 * Trivy's scan drops them; entries past their exp: date no longer apply and are returned.
 */
import type { ScanResult } from '../result/index.js';
import { applySuppressions, filterResult, type GateRules } from './judge.js';
import type { ExpiredException } from './types.js';

export type ScanFilters = Pick<GateRules, 'severities' | 'ignoreUnfixed' | 'ignore'>;

export interface FilteredScan {
  readonly result: ScanResult;
  /** How many findings the ignore file removed. */
  readonly ignored: number;
  readonly expired: readonly ExpiredException[];
}

export function filterScan(r: ScanResult, filters: ScanFilters, now: Date): FilteredScan {
  // Only the ignore file is given: exceptions and VEX belong to a gate's policy.
  const ignore = filters.ignore !== undefined ? { ignore: filters.ignore } : {};
  const { result, ignored, expired } = applySuppressions(filterResult(r, filters), ignore, now);
  return { result, ignored: ignored.length, expired };
}
