/** The dashboard: its login/session routes and its static files (docs/dashboard.md). */
import type { RoutePlugin } from '../context.js';
import { assetRoutes } from './assets.js';
import { sessionRoutes } from './session.js';

export { DASHBOARD_CSP, PAGE_ROUTES, webDir } from './assets.js';
export { SESSION_TTL_MS } from './session.js';

export const dashboardRoutes: RoutePlugin = async (app, opts) => {
  await app.register(sessionRoutes, opts);
  await app.register(assetRoutes, opts);
};
