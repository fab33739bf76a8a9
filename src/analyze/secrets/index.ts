export { createSecretsAnalyzer, secretsAnalyzer } from './secrets-analyzer.js';
export { type ConfigSecretFact, inspectImageConfig, redactImageConfig, scanImageConfig } from './image-config.js';
export {
  DEFAULT_MAX_SECRET_FILE_SIZE,
  DEFAULT_SECRET_CONFIG,
  type SecretAllowRule,
  type SecretConfig,
} from './config.js';
export { createRuleSet, type SecretRuleSet } from './rule-set.js';
export { isBinary, scanBytes, scanText } from './scan-text.js';
export { BUILTIN_RULES } from './rules/index.js';
export { SECRET_CATEGORIES, type SecretCategory, type SecretRule } from './rule.js';
export { secretFindings } from './findings.js';
