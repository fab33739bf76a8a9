/** The REST resources under /api/v1 (docs/api.md). */
import type { RoutePlugin } from '../context.js';

export const apiRoutes: RoutePlugin = async () => {};
