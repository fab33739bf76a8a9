import { imageFiles } from './files/image-files.js';
import { LANG_ANALYZERS } from './lang/index.js';
import { debianCopyright } from './license/index.js';
import { createClamdAnalyzer, createIocAnalyzer, type IocList, malwareHeuristics } from './malware/index.js';
import { apkInstalled, dpkgStatus, OS_ANALYZERS, rpmDb } from './os/index.js';
import { createSecretsAnalyzer, loadSecretConfig, secretsAnalyzer } from './secrets/index.js';
import type { Analyzer } from './types.js';

/**
 * Analyzers of OS package databases (dpkg status and status.d, rpm databases,
 * apk installed): when one cannot read its file, the image's OS packages are
 * unknown, and the gate fails by default (docs/gate.md).
 */
export const PACKAGE_DATABASE_ANALYZERS: readonly string[] = [dpkgStatus.name, rpmDb.name, apkInstalled.name];

/** Every package analyzer, listed explicitly: no self-registration. */
export const ANALYZERS: readonly Analyzer[] = [...OS_ANALYZERS, ...LANG_ANALYZERS];

/**
 * Groups of analyzers a scan can run: packages (OS + language, the SBOM),
 * secrets, malware (heuristics, plus IOC hashes and ClamAV when configured),
 * license (Debian copyright files), files (setuid/setgid bits and package
 * caches, for the image checks).
 */
export const ANALYZER_GROUPS = ['packages', 'secrets', 'malware', 'license', 'files'] as const;
export type AnalyzerGroup = (typeof ANALYZER_GROUPS)[number];

/**
 * Which analyzers a scan runs, as plain data: the main thread and layer
 * worker threads build the same analyzer list from it (analyzer objects hold
 * functions and cannot cross threads).
 */
export interface AnalyzerPlan {
  readonly groups: readonly AnalyzerGroup[];
  /** User secret rules and allow-rules, as the YAML text of the config file (docs/secrets.md). */
  readonly secretConfig?: string;
  /** Known-bad SHA-256 hashes (malware group). */
  readonly iocs?: IocList;
  /** clamd to stream files to (malware group), and its signature DB version (part of the cache key). */
  readonly clamd?: { readonly addr: string; readonly dbVersion: string };
}

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
