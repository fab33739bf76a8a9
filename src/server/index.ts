export type { Actor, RouteAccess, RoutePlugin, ServerContext, ServerLog } from './context.js';
export { EVENT_TYPES, type EventType } from './event-types.js';
