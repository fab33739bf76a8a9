export * from './build-inventory.js';
export * from './scan.js';
export * from './scan-image.js';
