// What other folders use of analyze/. Only the light modules are re-exported: a bundler
// counts every module re-exported here as loaded by whoever imports this file, and a warm scan
// (analyze-image.ts) must not load the analyzers and the layer walk (analyze-layers.ts imports them).
import type { SecretConfig } from './secrets/index.js';

export * from './analyze-image.js';
export { ANALYZER_VERSIONS, type AnalyzerId, analyzerIds, PACKAGE_DATABASE_ANALYZERS } from './analyzer-ids.js';
export type { AnalyzerGroup, AnalyzerPlan } from './analyzer-ids.js';
export * from './apply-layers.js';
export * from './layer-cache.js';
export * from './layer-result.js';
export * from './merged-json.js';
export type * from './types.js';
export { isDistrolessDpkg } from './os/dpkg-status.js';
export { pickOs } from './os/pick-os.js';
export {
  type ConfigSecretFact,
  DEFAULT_SECRET_CONFIG,
  inspectImageConfig,
  redactImageConfig,
  scanImageConfig,
  type SecretConfig,
  secretFindings,
} from './secrets/index.js';
export { type IocList, loadIocList } from './malware/ioc-list.js';
/**
 * A secrets config file's text, read and checked (secrets/config-file.ts). Imported when called:
 * it brings the YAML parser and the schema library, which a scan or SBOM without a config file
 * never needs (a bundle counts every module imported here as loaded by whoever imports this file).
 */
export const loadSecretConfig = async (text: string): Promise<SecretConfig> =>
  (await import('./secrets/config-file.js')).loadSecretConfig(text);
export { clamdVersion } from './malware/clamd-client.js';
export { malwareFindings } from './malware/findings.js';
export { CACHE_PATTERNS, isImageCheckPath } from './files/image-files.js';
export { parseDebianCopyright } from './license/debian-copyright.js';
