export type * from './types.js';
export { matchInventory, compareFindings } from './match-inventory.js';
export { MATCHERS } from './matchers.js';
export { evaluateAffected, type RangeVerdict } from './osv-range.js';
export { distroKey, parseDistro } from './distro-key.js';
export { pickSeverity, rankRatings } from './severity.js';
