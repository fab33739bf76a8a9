export * from './scan.js';
export * from './scan-config.js';
