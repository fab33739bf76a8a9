import { CustomsError } from '../core/index.js';
import type { VersionSchemeName } from './types.js';

/** The one error every scheme throws for a version it cannot order: names the scheme, the version and the rule. */
export function invalidVersion(scheme: VersionSchemeName, version: string, rule: string): CustomsError {
  return new CustomsError('VERSION_INVALID', `${scheme} version ${JSON.stringify(version)} is invalid: ${rule}`);
}
