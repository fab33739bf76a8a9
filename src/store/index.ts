export * from './layer-cache.js';
