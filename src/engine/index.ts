export * from './build-inventory.js';
export * from './scan.js';
