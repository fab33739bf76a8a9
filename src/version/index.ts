export type * from './types.js';
export { VERSION_SCHEMES } from './types.js';
