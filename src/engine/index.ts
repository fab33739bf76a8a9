export * from './scan.js';
export * from './scan-config.js';
export * from './config-result.js';
export * from './promote.js';
