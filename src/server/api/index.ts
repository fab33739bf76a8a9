/** The REST resources under /api/v1 (docs/api.md). */
import type { RoutePlugin } from '../context.js';
import { governanceRoutes } from './governance.js';
import { imageReportRoutes } from './image-reports.js';
import { inventoryRoutes } from './inventory.js';
import { operationsRoutes } from './operations.js';
import { overviewRoutes } from './overview.js';
import { searchRoutes } from './search.js';
import { vexRoutes } from './vex.js';

export const apiRoutes: RoutePlugin = async (app, opts) => {
  await app.register(inventoryRoutes, opts);
  await app.register(governanceRoutes, opts);
  await app.register(operationsRoutes, opts);
  await app.register(imageReportRoutes, opts);
  await app.register(searchRoutes, opts);
  await app.register(overviewRoutes, opts);
  await app.register(vexRoutes, opts);
};
