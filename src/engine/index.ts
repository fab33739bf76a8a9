export * from './build-inventory.js';
export * from './scan.js';
export * from './scan-image.js';
export * from './scanners.js';
export * from './scan-config.js';
export * from './gate.js';
