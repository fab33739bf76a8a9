/** GET /api/v1/overview: the dashboard overview's figures in one answer (docs/dashboard.md "Overview"). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RoutePlugin } from '../context.js';
import { body, errorResponses } from '../http/index.js';

const Count = Type.Integer({ minimum: 0 });

export const overviewRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;
  app.get(
    '/api/v1/overview',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['images'],
        summary: 'Inventory counts, latest verdicts by status, job states, top open vulnerabilities by reach',
        querystring: Type.Object({ top: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })) }),
        response: {
          200: Type.Object({
            images: Count,
            unscanned: Count,
            registries: Count,
            repositories: Count,
            tags: Count,
            verdicts: Type.Record(Type.String(), Count, { description: 'Images by their latest verdict' }),
            jobs: Type.Record(Type.String(), Count, { description: 'Jobs by state' }),
            topVulnerabilities: Type.Array(
              Type.Object({ findingId: Type.String(), severity: Type.String(), images: Count }),
            ),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const [counts, jobs, top] = await Promise.all([
        store.stats.counts(),
        store.listings.jobCounts(),
        store.stats.topVulnerabilities(request.query.top ?? 10),
      ]);
      return body({ ...counts, verdicts: { ...counts.verdicts }, jobs: { ...jobs }, topVulnerabilities: top });
    },
  );
};
