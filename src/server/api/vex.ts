/**
 * VEX statements in force (docs/server.md "VEX"): OpenVEX or CycloneDX VEX
 * documents stored by name. Each is parsed (policy/vex.ts) before it is
 * stored, so a document that would not load is refused at once; the central
 * policy (central-policy.ts) applies every stored document to every verdict,
 * as `customs gate --vex` does. A `not_affected` or `fixed` statement takes
 * the finding out before any rule reads it.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CustomsError } from '../../core/index.js';
import { loadVex, VEX_STATUSES, type VexDocument } from '../../policy/index.js';
import type { VexDocumentRecord } from '../../store/index.js';
import type { RoutePlugin } from '../context.js';
import { body, errorResponses } from '../http/index.js';

const VexName = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
});
const Millis = (description: string) => Type.Integer({ description: `${description} (ms since the epoch)` });

const VexStatementSchema = Type.Object({
  vulnerabilities: Type.Array(Type.String(), { description: 'The vulnerability id and its aliases' }),
  products: Type.Array(Type.String(), { description: 'purls, image references or digests' }),
  subcomponents: Type.Array(Type.String()),
  status: Type.Union(VEX_STATUSES.map((s) => Type.Literal(s))),
  rawStatus: Type.String({ description: "The document's own word for the status" }),
  justification: Type.Optional(Type.String()),
  timestamp: Type.Optional(Type.String()),
});
const VexDocumentSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  format: Type.Union([Type.Literal('openvex'), Type.Literal('cyclonedx')]),
  createdBy: Type.String({ description: 'Who stored this version' }),
  createdAt: Millis('First stored'),
  updatedAt: Millis('Last replaced'),
  statements: Type.Array(VexStatementSchema),
});
const VexPutSchema = Type.Object(
  {
    body: Type.String({
      minLength: 1,
      maxLength: 10_000_000,
      description: 'The VEX document: OpenVEX or CycloneDX (JSON text)',
    }),
  },
  { additionalProperties: false },
);

/** Where a stored document's statements say they come from in a verdict. */
export const vexSource = (name: string): string => `VEX document ${name}`;

/** A stored document, parsed: what the central policy applies. */
export const parsedVex = (d: VexDocumentRecord): VexDocument => loadVex(d.body, vexSource(d.name));

const shown = (d: VexDocumentRecord) => {
  const parsed = parsedVex(d);
  return {
    id: d.id,
    name: d.name,
    format: parsed.format,
    createdBy: d.createdBy,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    statements: parsed.statements.map((s) => ({
      ...s,
      vulnerabilities: [...s.vulnerabilities],
      products: [...s.products],
      subcomponents: [...s.subcomponents],
    })),
  };
};

export const vexRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;
  app.get(
    '/api/v1/vex',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['policies'],
        summary: 'The stored VEX documents with their statements (every verdict applies them), by name',
        response: {
          200: Type.Object({ items: Type.Array(VexDocumentSchema) }),
          ...errorResponses(),
        },
      },
    },
    async () => body({ items: (await store.vex.list()).map(shown) }),
  );
  app.put(
    '/api/v1/vex/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['policies'],
        summary: 'Store or replace a VEX document (OpenVEX or CycloneDX VEX; validated first)',
        params: VexName,
        body: VexPutSchema,
        response: { 200: VexDocumentSchema, ...errorResponses(422) },
      },
    },
    async (request) => {
      const { name } = request.params;
      // A document that would not load is refused now, not at the next verdict.
      const parsed = loadVex(request.body.body, vexSource(name));
      const stored = await store.vex.put({
        name,
        format: parsed.format,
        body: request.body.body,
        createdBy: request.actor?.name ?? 'anonymous',
      });
      return body(shown(stored));
    },
  );
  app.delete(
    '/api/v1/vex/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['policies'],
        summary: 'Remove a VEX document',
        params: VexName,
        response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      if (!(await store.vex.remove(request.params.name)))
        throw new CustomsError('API_NOT_FOUND', `VEX document "${request.params.name}" is not stored`);
      return reply.code(204).send(null);
    },
  );
};
