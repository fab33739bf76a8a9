export * from './scan-result.js';
export * from './findings.js';
export * from './misconfig-result.js';
