export * from './analyze-image.js';
export * from './analyzers.js';
export * from './apply-layers.js';
export * from './layer-result.js';
export * from './layer-walker.js';
export type * from './types.js';
export { pickOs } from './os/index.js';
