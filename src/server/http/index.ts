export { buildApp, buildAppWithMetrics, type AppOptions, type RateLimitOptions, DEFAULT_RATE_LIMIT } from './app.js';
export { allows, bearerToken, sourceOf } from './auth.js';
export { ErrorBodySchema, errorBody, errorResponses, sendError } from './errors.js';
export { etagOf } from './etag.js';
export { MicroCache } from './micro-cache.js';
export type { LogOptions } from './logging.js';
export { body, decodeCursor, encodeCursor, type Mutable, page, pageOf, PageQuerySchema } from './paging.js';
export { readTls, type TlsFiles, type TlsMaterial } from './tls.js';
