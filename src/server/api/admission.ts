/**
 * What the admission webhook (`customs admit --server URL --token T`) sends
 * the server: each decision as an `admission.decision` event, and scan
 * requests for images admitted before they were scanned (cold path
 * "allow-and-queue"). Both need a ci token. docs/admission.md "With a server".
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RoutePlugin } from '../context.js';
import { EVENT_TYPES } from '../event-types.js';
import { errorResponses } from '../http/errors.js';
import { dbVersionAt, enqueueScan } from '../jobs.js';

/** Ahead of discovery and rescans: a workload is waiting to be admitted (or was admitted unscanned). */
const ADMISSION_PRIORITY = 20;

const DecisionBody = Type.Object(
  {
    /** The image digest the decision is about, or Kind/namespace/name. */
    subject: Type.String({ minLength: 1, maxLength: 400 }),
    /** The decision event as the webhook logs it. */
    data: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: false },
);

const ScanBody = Type.Object(
  {
    /** An image reference pinned by digest: registry/repository@sha256:… */
    image: Type.String({ minLength: 1, maxLength: 600, pattern: '@sha256:[a-f0-9]{64}$' }),
  },
  { additionalProperties: false },
);

export const admissionRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;
  app.post(
    '/api/v1/admission/decisions',
    {
      config: { access: 'ci' },
      schema: {
        tags: ['admission'],
        summary: 'Record an admission decision of the webhook as an admission.decision event',
        body: DecisionBody,
        response: { 202: Type.Object({ id: Type.Integer() }), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const e = await store.events.append({
        type: EVENT_TYPES.admissionDecision,
        subject: request.body.subject,
        data: request.body.data,
      });
      return reply.code(202).send({ id: e.id });
    },
  );
  app.post(
    '/api/v1/admission/scans',
    {
      config: { access: 'ci' },
      schema: {
        tags: ['admission'],
        summary: 'Queue a scan of an image the webhook saw without a verdict (one job per digest)',
        body: ScanBody,
        response: { 202: Type.Object({ jobId: Type.Integer(), created: Type.Boolean() }), ...errorResponses() },
      },
    },
    async (request, reply) => {
      // The worker's reference payload ({image}), keyed like every scan job (digest, DB version, plan):
      // repeated admissions of one image queue one job.
      const { job, created } = await enqueueScan(store, { image: request.body.image }, dbVersionAt(ctx.dbPath), {
        priority: ADMISSION_PRIORITY,
      });
      return reply.code(202).send({ jobId: job.id, created });
    },
  );
};
