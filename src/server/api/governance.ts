/**
 * Policies, their exceptions (created with owner, reason and expiry; in force
 * once an admin approves them) and verdicts: POST /api/v1/verdicts judges a
 * scan JSON by the central policy and records scan and verdict in the
 * inventory (docs/server.md "Verdicts").
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CustomsError } from '../../core/index.js';
import { loadPolicies } from '../../policy/index.js';
import { parseScanResultJson } from '../../report/index.js';
import { type ExceptionRecord, inventoryPackagesOf } from '../../store/index.js';
import type { RoutePlugin } from '../context.js';
import { EVENT_TYPES } from '../event-types.js';
import { body, decodeCursor, errorResponses, PageQuerySchema, page, pageOf } from '../http/index.js';
import { exceptionExpiry, judgeCentrally } from './central-policy.js';
import {
  ExceptionCreateSchema,
  ExceptionSchema,
  IdParam,
  PolicyPutSchema,
  PolicySchema,
  VerdictRequestSchema,
  VerdictResponseSchema,
} from './schemas.js';

const PolicyName = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
});

export const governanceRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;
  const actorName = (request: { actor?: { name: string } }) => request.actor?.name ?? 'anonymous';

  // ---- policies ----
  app.get(
    '/api/v1/policies',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['policies'],
        summary: 'List stored policies (the central policy merges them in name order)',
        response: { 200: Type.Object({ items: Type.Array(PolicySchema) }), ...errorResponses() },
      },
    },
    async () => body({ items: (await store.policies.list()).sort((a, b) => a.id - b.id) }),
  );
  app.get(
    '/api/v1/policies/:name',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['policies'],
        summary: 'One policy',
        params: PolicyName,
        response: { 200: PolicySchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const p = await store.policies.get(request.params.name);
      if (!p) throw new CustomsError('API_NOT_FOUND', `policy "${request.params.name}" is not stored`);
      return p;
    },
  );
  app.put(
    '/api/v1/policies/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['policies'],
        summary: 'Create or replace a policy (validated as a policy file first)',
        params: PolicyName,
        body: PolicyPutSchema,
        response: { 200: PolicySchema, ...errorResponses() },
      },
    },
    async (request) => {
      // A policy that would not load is refused now, not at the next verdict.
      loadPolicies([{ path: `policy ${request.params.name}`, text: request.body.body }], new Date(ctx.now()));
      return store.policies.put({ name: request.params.name, body: request.body.body, updatedBy: actorName(request) });
    },
  );
  app.delete(
    '/api/v1/policies/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['policies'],
        summary: 'Remove a policy',
        params: PolicyName,
        response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      if (!(await store.policies.remove(request.params.name)))
        throw new CustomsError('API_NOT_FOUND', `policy "${request.params.name}" is not stored`);
      return reply.code(204).send(null);
    },
  );

  // ---- exceptions ----
  const withActive = (e: ExceptionRecord, now: number) => ({
    ...e,
    active: e.approvedAt !== undefined && e.revokedAt === undefined && e.expiresAt > now,
  });
  app.get(
    '/api/v1/exceptions',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['exceptions'],
        summary: 'List exceptions (?active=true: only those in force)',
        querystring: Type.Object({ ...PageQuerySchema, active: Type.Optional(Type.Boolean()) }),
        response: { 200: pageOf(ExceptionSchema, 'A page of exceptions, by id'), ...errorResponses() },
      },
    },
    async (request) => {
      const now = ctx.now();
      const after = decodeCursor('exceptions', request.query.cursor);
      const limit = request.query.limit ?? 100;
      const rows = (await store.policies.exceptions())
        .map((e) => withActive(e, now))
        .filter((e) => e.id > after && (request.query.active !== true || e.active))
        .sort((a, b) => a.id - b.id);
      return body(page('exceptions', rows.slice(0, limit + 1), limit, (e) => e.id));
    },
  );
  app.post(
    '/api/v1/exceptions',
    {
      config: { access: 'ci' },
      schema: {
        tags: ['exceptions'],
        summary: 'Request an exception (owner, reason, expiry); it applies once an admin approves it',
        body: ExceptionCreateSchema,
        response: { 201: ExceptionSchema, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const now = ctx.now();
      const expiresAt = exceptionExpiry(b.expires);
      if (expiresAt <= now)
        throw new CustomsError(
          'API_REQUEST_INVALID',
          `expires ${b.expires} is in the past; an exception needs a future expiry`,
        );
      if (b.policy !== undefined && !(await store.policies.get(b.policy)))
        throw new CustomsError('API_NOT_FOUND', `policy "${b.policy}" is not stored`);
      const e = await store.policies.addException({
        ...(b.policy !== undefined ? { policy: b.policy } : {}),
        finding: b.finding,
        scope: b.scope,
        owner: b.owner,
        reason: b.reason,
        expiresAt,
        createdBy: actorName(request),
      });
      return reply.code(201).send(withActive(e, now));
    },
  );
  app.post(
    '/api/v1/exceptions/:id/approve',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['exceptions'],
        summary: 'Approve an exception (by another person than its creator is your process, not enforced)',
        params: IdParam,
        response: { 200: ExceptionSchema, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const exists = (await store.policies.exceptions()).some((e) => e.id === request.params.id);
      if (!exists) throw new CustomsError('API_NOT_FOUND', `exception ${request.params.id.toString()} is not stored`);
      const e = await store.policies.approveException(request.params.id, actorName(request));
      return withActive(e, ctx.now());
    },
  );
  app.delete(
    '/api/v1/exceptions/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['exceptions'],
        summary: 'Revoke an exception',
        params: IdParam,
        response: { 204: Type.Null({ description: 'Revoked' }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      if (!(await store.policies.revokeException(request.params.id)))
        throw new CustomsError(
          'API_NOT_FOUND',
          `exception ${request.params.id.toString()} is not stored or already revoked`,
        );
      return reply.code(204).send(null);
    },
  );

  // ---- verdicts ----
  app.post(
    '/api/v1/verdicts',
    {
      config: { access: 'ci' },
      schema: {
        tags: ['verdicts'],
        summary: 'Judge a scan result by the central policy and record scan and verdict in the inventory',
        body: VerdictRequestSchema,
        response: { 200: VerdictResponseSchema, ...errorResponses(404, 422) },
      },
    },
    async (request) => {
      const { scan, policy, imageDigest } = request.body;
      const result = parseScanResultJson(JSON.stringify(scan), 'the posted scan');
      const digest = imageDigest ?? result.inventory.target.manifestDigest;
      if (digest === undefined) {
        throw new CustomsError(
          'API_REQUEST_INVALID',
          'the scan has no target.manifestDigest (an SBOM or archive scan): give the image digest as imageDigest',
        );
      }
      const now = ctx.now();
      const judged = await judgeCentrally(store, result, digest, now, policy);
      const previous = await store.verdicts.latest(digest);
      const verdict = judged.outcome.verdict;
      const names = judged.policies.map((p) => p.name).join(',');
      // Scan and verdict in one transaction: a failure between them leaves neither.
      const recorded = await store.scans.record({
        imageDigest: digest,
        document: scan,
        packages: inventoryPackagesOf(result.inventory),
        ...(result.db !== undefined ? { dbVersion: result.db.builtAt } : {}),
        verdict: { status: verdict.status, ...(names !== '' ? { policy: names } : {}), document: verdict },
      });
      const stored = recorded.verdict;
      if (stored === undefined) throw new Error('unreachable: scans.record returns the verdict it was given');
      if (previous !== undefined && previous.status !== verdict.status) {
        await store.events.append({
          type: EVENT_TYPES.verdictChanged,
          subject: digest,
          data: { from: previous.status, to: verdict.status, verdictId: stored.id },
        });
      }
      return body({
        status: verdict.status,
        imageDigest: digest,
        scanId: recorded.scanId,
        verdictId: stored.id,
        policies: judged.policies.map((p) => ({ name: p.name, revision: p.revision })),
        exceptions: judged.exceptions.map((e) => e.id),
        findings: recorded.findings,
        verdict,
      });
    },
  );
};
