export * from './context.js';
export * from './digest.js';
export * from './errors.js';
export * from './model.js';
export * from './purl.js';
export * from './stable-json.js';
export * from './version.js';
export * from './testdata.js';
