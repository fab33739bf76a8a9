import type { SecretRule } from '../rule.js';
import { CI_RULES } from './ci.js';
import { CLOUD_RULES } from './cloud.js';
import { DATABASE_RULES } from './database.js';
import { GENERIC_RULES } from './generic.js';
import { JWT_RULES } from './jwt.js';
import { MESSAGING_RULES } from './messaging.js';
import { PAYMENT_RULES } from './payment.js';
import { PRIVATE_KEY_RULES } from './private-key.js';
import { REGISTRY_RULES } from './registry.js';
import { URL_CREDENTIAL_RULES } from './url-credentials.js';
import { VCS_RULES } from './vcs.js';

/**
 * The built-in rules, in priority order: where two findings cover the same
 * characters, the earlier rule's is kept (specific formats before URLs, URLs
 * before generic assignments).
 */
export const BUILTIN_RULES: readonly SecretRule[] = [
  ...CLOUD_RULES,
  ...VCS_RULES,
  ...CI_RULES,
  ...PAYMENT_RULES,
  ...MESSAGING_RULES,
  ...REGISTRY_RULES,
  ...DATABASE_RULES,
  ...PRIVATE_KEY_RULES,
  ...JWT_RULES,
  ...URL_CREDENTIAL_RULES,
  ...GENERIC_RULES,
];

export { looksLikeCode } from './generic.js';
