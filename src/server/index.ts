export type { Actor, RouteAccess, RoutePlugin, ServerContext, ServerLog } from './context.js';
export { EVENT_TYPES, type EventType } from './event-types.js';
export { buildApp, type AppOptions, DEFAULT_RATE_LIMIT, type RateLimitOptions } from './http/app.js';
export { ROUTE_PLUGINS } from './routes.js';
export {
  ADMIN_TOKEN_FILE,
  parseListen,
  type RunningServer,
  SECRET_KEY_FILE,
  type ServeOptions,
  startServer,
} from './serve.js';
export * from './jobs.js';
export * from './worker/index.js';
export * from './registry/index.js';
export { startNotifier, type Notifier, type NotifierOptions, verifySignature, signBody } from './notify/index.js';
export { withHarborPullConfig, isHarborScanJob, type HarborScanJobPayload } from './harbor/index.js';
