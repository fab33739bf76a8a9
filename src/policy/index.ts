export type * from './types.js';
export { RULE_ACTIONS, VERDICT_STATUSES } from './types.js';
