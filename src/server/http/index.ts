// The helpers route plugins use. The app itself (app.ts) is imported directly by serve.ts and
// server/index.ts: it mounts the plugins of routes.ts, which import this file.
export { allows, bearerToken, sourceOf } from './auth.js';
export { ErrorBodySchema, errorBody, errorResponses, sendError } from './errors.js';
export { etagOf } from './etag.js';
export { MicroCache } from './micro-cache.js';
export type { LogOptions } from './logging.js';
export { body, decodeCursor, encodeCursor, type Mutable, page, pageOf, PageQuerySchema } from './paging.js';
export { readTls, type TlsFiles, type TlsMaterial } from './tls.js';
