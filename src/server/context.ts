/**
 * What every part of the server shares: the HTTP API, the in-process and
 * stand-alone workers, registry sync, rescans, notifications and the Harbor
 * adapter. Route plugins receive it as their options; the app
 * (http/app.ts) enforces each route's `config.role` before the handler runs.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Store, TokenRecord, TokenRole } from '../store/index.js';

/** Who may call a route: a token role, anyone (`public`), or a shared-secret hook that checks itself. */
export type RouteAccess = 'admin' | 'ci' | 'viewer' | 'public' | 'hook';

/** The caller of an authenticated request, as the audit log names it. */
export interface Actor {
  readonly token?: TokenRecord;
  /** Token name, or "hook:<name>" for a shared-secret endpoint, or "anonymous". */
  readonly name: string;
  /** The client address the request came from. */
  readonly address: string;
  /** A dashboard session's role (the session cookie stands in for a token; http/auth.ts). */
  readonly sessionRole?: TokenRole;
}

/** Structured log lines (pino-compatible: fastify's logger is one). */
export interface ServerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface ServerContext {
  readonly store: Store;
  readonly log: ServerLog;
  /** The vulnerability DB file the server and its workers match with, when one is installed. */
  readonly dbPath?: string;
  /** The data directory (SQLite store, admin token, secret key file, layer cache). */
  readonly dataDir: string;
  /** Aborted on shutdown (SIGTERM): loops stop taking work and finish what they hold. */
  readonly signal: AbortSignal;
  readonly now: () => number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (default: admin). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** Set by the auth hook before any handler of a non-public route. */
    actor?: Actor;
  }
}

/** A group of routes mounted under the app; registered in routes.ts. */
export type RoutePlugin = FastifyPluginAsync<{ readonly ctx: ServerContext }>;
