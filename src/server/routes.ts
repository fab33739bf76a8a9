/**
 * Every group of routes the server mounts, one line each. http/app.ts
 * registers them in this order after its own routes (health, metrics,
 * OpenAPI); each plugin receives the ServerContext and names its full paths
 * (/api/v1/…, /hooks/…), with `config.access` on every route (context.ts).
 */
import { admissionRoutes } from './api/admission.js';
import { apiRoutes } from './api/index.js';
import { runtimeRoutes } from './api/runtime.js';
import type { RoutePlugin } from './context.js';
import { harborRoutes } from './harbor/index.js';
import { webhookRoutes } from './notify/index.js';
import { registryHookRoutes } from './registry/index.js';
import { dashboardRoutes } from './web/index.js';

export const ROUTE_PLUGINS: readonly { readonly name: string; readonly plugin: RoutePlugin }[] = [
  { name: 'api', plugin: apiRoutes },
  { name: 'registry-hooks', plugin: registryHookRoutes },
  { name: 'webhooks', plugin: webhookRoutes },
  { name: 'harbor', plugin: harborRoutes },
  { name: 'admission', plugin: admissionRoutes },
  { name: 'runtime', plugin: runtimeRoutes },
  { name: 'dashboard', plugin: dashboardRoutes },
];
