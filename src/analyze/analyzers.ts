import { imageFiles } from './files/image-files.js';
import { LANG_ANALYZERS } from './lang/index.js';
import { debianCopyright } from './license/index.js';
import { createClamdAnalyzer, createIocAnalyzer, malwareHeuristics } from './malware/index.js';
import { OS_ANALYZERS } from './os/index.js';
import { loadSecretConfig } from './secrets/config-file.js';
import { createSecretsAnalyzer, secretsAnalyzer } from './secrets/index.js';
import type { AnalyzerPlan } from './analyzer-ids.js';
import type { Analyzer } from './types.js';

export { ANALYZER_GROUPS, type AnalyzerGroup, type AnalyzerPlan } from './analyzer-ids.js';

/** Every package analyzer, listed explicitly: no self-registration. */
export const ANALYZERS: readonly Analyzer[] = [...OS_ANALYZERS, ...LANG_ANALYZERS];

export const PACKAGES_PLAN: AnalyzerPlan = { groups: ['packages'] };

export function buildAnalyzers(plan: AnalyzerPlan): Analyzer[] {
  const out: Analyzer[] = [];
  for (const group of new Set(plan.groups)) {
    switch (group) {
      case 'packages':
        out.push(...ANALYZERS);
        break;
      case 'secrets':
        out.push(
          plan.secretConfig === undefined
            ? secretsAnalyzer
            : createSecretsAnalyzer(loadSecretConfig(plan.secretConfig)),
        );
        break;
      case 'malware':
        out.push(malwareHeuristics);
        if (plan.iocs && plan.iocs.entries.length > 0) out.push(createIocAnalyzer(plan.iocs));
        if (plan.clamd) out.push(createClamdAnalyzer(plan.clamd.addr, { dbVersion: plan.clamd.dbVersion }));
        break;
      case 'license':
        out.push(debianCopyright);
        break;
      case 'files':
        out.push(imageFiles);
        break;
    }
  }
  return out;
}
