/**
 * Operations: events (viewer), jobs (viewer), the vulnerability DB's status
 * (viewer), API tokens (admin: issue — the secret is in that one answer —
 * list, revoke) and the audit log (admin).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CustomsError, toCustomsError } from '../../core/index.js';
import { openVulnDb } from '../../vulndb/index.js';
import type { RoutePlugin } from '../context.js';
import { body, decodeCursor, errorResponses, PageQuerySchema, page, pageOf } from '../http/index.js';
import {
  AuditSchema,
  DbStatusSchema,
  EventSchema,
  IdParam,
  IssuedTokenSchema,
  JobSchema,
  JobStateSchema,
  TokenCreateSchema,
  TokenSchema,
} from './schemas.js';

export const operationsRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;

  app.get(
    '/api/v1/events',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['events'],
        summary: 'Events, oldest first (?type= one type)',
        querystring: Type.Object({
          ...PageQuerySchema,
          type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        }),
        response: { 200: pageOf(EventSchema, 'A page of events, by id'), ...errorResponses() },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const rows = await store.events.list({
        afterId: decodeCursor('events', request.query.cursor),
        limit: limit + 1,
        ...(request.query.type !== undefined ? { type: request.query.type } : {}),
      });
      return body(page('events', rows, limit, (e) => e.id));
    },
  );

  app.get(
    '/api/v1/jobs',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['jobs'],
        summary: 'Jobs of the queue, by id (?state=, ?kind=)',
        querystring: Type.Object({
          ...PageQuerySchema,
          state: Type.Optional(JobStateSchema),
          kind: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        }),
        response: { 200: pageOf(JobSchema, 'A page of jobs, by id'), ...errorResponses() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const rows = await store.listings.jobs({
        afterId: decodeCursor('jobs', q.cursor),
        limit: limit + 1,
        ...(q.state !== undefined ? { state: q.state } : {}),
        ...(q.kind !== undefined ? { kind: q.kind } : {}),
      });
      return body(page('jobs', rows, limit, (j) => j.id));
    },
  );
  app.get(
    '/api/v1/jobs/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['jobs'],
        summary: 'One job',
        params: IdParam,
        response: { 200: JobSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const job = await store.jobs.get(request.params.id);
      if (!job) throw new CustomsError('API_NOT_FOUND', `job ${request.params.id.toString()} is not in the queue`);
      return body(job);
    },
  );

  app.get(
    '/api/v1/db',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['db'],
        summary: 'The vulnerability DB the server matches with',
        response: { 200: DbStatusSchema, ...errorResponses() },
      },
    },
    async () => {
      if (ctx.dbPath === undefined) return { installed: false, message: 'no vulnerability DB is configured (--db)' };
      try {
        const reader = openVulnDb(ctx.dbPath);
        const m = reader.metadata;
        reader.close();
        return {
          installed: true,
          path: ctx.dbPath,
          schemaVersion: m.schemaVersion,
          builtAt: m.builtAt,
          ...(m.advisories !== undefined ? { advisories: m.advisories } : {}),
          sources: m.sources.map((s) => ({ name: s.name, records: s.records })),
        };
      } catch (e) {
        return { installed: false, path: ctx.dbPath, message: toCustomsError(e).message };
      }
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'API tokens (never their secrets)',
        response: { 200: Type.Object({ items: Type.Array(TokenSchema) }), ...errorResponses() },
      },
    },
    async () => body({ items: (await store.tokens.list()).sort((a, b) => a.id - b.id) }),
  );
  app.post(
    '/api/v1/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'Issue a token; its secret is in this answer only',
        body: TokenCreateSchema,
        response: { 201: IssuedTokenSchema, ...errorResponses(409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const issued = await store.tokens.issue({
        name: b.name,
        role: b.role,
        createdBy: request.actor?.name ?? 'anonymous',
        ...(b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {}),
      });
      // The one answer with the secret must not be kept by caches (RFC 9111 §5.2.2.5).
      return reply.code(201).header('cache-control', 'no-store').send(issued);
    },
  );
  app.delete(
    '/api/v1/tokens/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token',
        params: IdParam,
        response: { 204: Type.Null({ description: 'Revoked' }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      if (!(await store.tokens.revoke(request.params.id)))
        throw new CustomsError(
          'API_NOT_FOUND',
          `token ${request.params.id.toString()} is not known or already revoked`,
        );
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/audit',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, oldest first (?actor= one caller)',
        querystring: Type.Object({
          ...PageQuerySchema,
          actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        }),
        response: { 200: pageOf(AuditSchema, 'A page of audit entries, by id'), ...errorResponses() },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const rows = await store.audit.list({
        afterId: decodeCursor('audit', request.query.cursor),
        limit: limit + 1,
        ...(request.query.actor !== undefined ? { actor: request.query.actor } : {}),
      });
      return body(page('audit', rows, limit, (e) => e.id));
    },
  );
};
