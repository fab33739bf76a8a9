export * from './scan-result.js';
export * from './findings.js';
