/** GET /api/v1/overview: the dashboard overview's figures in one answer (docs/dashboard.md "Overview"). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Store } from '../../store/index.js';
import type { RoutePlugin } from '../context.js';
import { body, errorResponses } from '../http/index.js';

const Count = Type.Integer({ minimum: 0 });

/** The nodes' last inventories summed; undefined when no sensor has reported. */
async function runtimeTotals(store: Store) {
  let nodes = 0;
  let containers = 0;
  let running = 0;
  let lastReportAt = 0;
  for (let afterId = 0; ; ) {
    const rows = await store.runtime.nodes({ afterId, limit: 1000 });
    for (const n of rows) {
      nodes++;
      containers += n.containers;
      running += n.running;
      lastReportAt = Math.max(lastReportAt, n.lastReportAt);
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < 1000) break;
    afterId = last.id;
  }
  return nodes === 0 ? undefined : { nodes, containers, running, lastReportAt };
}

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
              Type.Object({
                findingId: Type.String(),
                severity: Type.String(),
                images: Count,
                running: Type.Optional(
                  Type.Object(
                    { containers: Count, nodes: Count },
                    { description: 'Running containers of images with it open; absent when no sensor reported' },
                  ),
                ),
              }),
            ),
            runtime: Type.Optional(
              Type.Object(
                {
                  nodes: Count,
                  containers: Count,
                  running: Count,
                  lastReportAt: Type.Integer({ description: 'The newest report of any node (ms since the epoch)' }),
                },
                { description: "The nodes' last inventories; absent when no runtime sensor has reported" },
              ),
            ),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const [counts, jobs, top, runtime] = await Promise.all([
        store.stats.counts(),
        store.listings.jobCounts(),
        store.stats.topVulnerabilities(request.query.top ?? 10),
        runtimeTotals(store),
      ]);
      // "How many running" only means something once a sensor has reported: before that, absent, not 0.
      const topVulnerabilities = runtime
        ? await Promise.all(
            top.map(async (v) => ({ ...v, running: await store.runtime.runningWithFinding(v.findingId) })),
          )
        : top;
      return body({
        ...counts,
        verdicts: { ...counts.verdicts },
        jobs: { ...jobs },
        topVulnerabilities,
        ...(runtime ? { runtime } : {}),
      });
    },
  );
};
