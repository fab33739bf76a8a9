import { LANG_ANALYZERS } from './lang/index.js';
import { OS_ANALYZERS } from './os/index.js';
import type { Analyzer } from './types.js';

/** Every package analyzer, listed explicitly: no self-registration. */
export const ANALYZERS: readonly Analyzer[] = [...OS_ANALYZERS, ...LANG_ANALYZERS];

export const ANALYZER_GROUPS = ['packages'] as const;
export type AnalyzerGroup = (typeof ANALYZER_GROUPS)[number];

/**
 * Which analyzers a scan runs, as plain data: the main thread and layer
 * worker threads build the same analyzer list from it (analyzer objects hold
 * functions and cannot cross threads).
 */
export interface AnalyzerPlan {
  readonly groups: readonly AnalyzerGroup[];
}

export const PACKAGES_PLAN: AnalyzerPlan = { groups: ['packages'] };

export function buildAnalyzers(plan: AnalyzerPlan): Analyzer[] {
  const out: Analyzer[] = [];
  for (const group of plan.groups) {
    switch (group) {
      case 'packages':
        out.push(...ANALYZERS);
        break;
    }
  }
  return out;
}
