/**
 * An image's stored scan as documents (docs/api.md "Image reports"): the
 * latest scan JSON, its SBOM (CycloneDX, SPDX) and its reports (SARIF, HTML)
 * rendered by the same writers as `customs scan`, and a re-judgement of the
 * latest scan by the current policies and exceptions (so an approved
 * exception shows in the verdict without a new scan).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CustomsError } from '../../core/index.js';
import { parseScanResultJson, writerFor } from '../../report/index.js';
import type { ScanResult } from '../../result/index.js';
import { toCycloneDx, toSpdx } from '../../sbom/index.js';
import type { RoutePlugin } from '../context.js';
import { EVENT_TYPES } from '../event-types.js';
import { body, errorResponses } from '../http/index.js';
import { judgeCentrally } from './central-policy.js';
import { DigestParam, VerdictSchema } from './schemas.js';

export const REPORT_FORMATS = ['cyclonedx', 'spdx', 'sarif', 'html'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

const CONTENT: Record<ReportFormat, { type: string; ext: string }> = {
  cyclonedx: { type: 'application/vnd.cyclonedx+json; charset=utf-8', ext: 'cdx.json' },
  spdx: { type: 'application/spdx+json; charset=utf-8', ext: 'spdx.json' },
  sarif: { type: 'application/sarif+json; charset=utf-8', ext: 'sarif' },
  html: { type: 'text/html; charset=utf-8', ext: 'html' },
};

function render(format: ReportFormat, result: ScanResult): string {
  switch (format) {
    case 'cyclonedx':
      return toCycloneDx(result.inventory);
    case 'spdx':
      return toSpdx(result.inventory);
    case 'sarif':
      return writerFor('sarif').render(result, {});
    case 'html':
      return writerFor('html').render(result, {});
  }
}

export const imageReportRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;

  const latestScan = async (digest: string) => {
    const scan = await store.scans.latest(digest);
    if (!scan) throw new CustomsError('API_NOT_FOUND', `image ${digest} has no stored scan; scan it first`);
    return { scan, result: parseScanResultJson(JSON.stringify(scan.document), `the stored scan of ${digest}`) };
  };

  app.get(
    '/api/v1/images/:digest/scan',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['images'],
        summary: "The image's latest stored scan (the scan JSON document)",
        params: DigestParam,
        response: {
          200: Type.Object({
            id: Type.Integer(),
            createdAt: Type.Integer(),
            dbVersion: Type.Optional(Type.String()),
            document: Type.Unknown({ description: 'The scan JSON (docs/scan-json.md)' }),
          }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const { scan } = await latestScan(request.params.digest);
      return body({
        id: scan.id,
        createdAt: scan.createdAt,
        ...(scan.dbVersion !== undefined ? { dbVersion: scan.dbVersion } : {}),
        document: scan.document,
      });
    },
  );

  app.get(
    '/api/v1/images/:digest/reports/:format',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['images'],
        summary: 'The latest scan as an SBOM (cyclonedx, spdx) or a report (sarif, html), as a download',
        params: Type.Object({
          ...DigestParam.properties,
          format: Type.Union(REPORT_FORMATS.map((f) => Type.Literal(f))),
        }),
        response: {
          200: Type.Unknown({
            description:
              'The document: CycloneDX or SPDX JSON, SARIF 2.1.0 JSON, or HTML (Content-Type by format; an attachment)',
          }),
          ...errorResponses(404),
        },
      },
    },
    async (request, reply) => {
      const { digest, format } = request.params;
      const { result } = await latestScan(digest);
      const c = CONTENT[format];
      const name = `${digest.replace(':', '-').slice(0, 24)}.${c.ext}`;
      // A download, never rendered in the dashboard's origin (the HTML report carries its own CSP too).
      return reply
        .type(c.type)
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('x-content-type-options', 'nosniff')
        .send(render(format, result));
    },
  );

  app.post(
    '/api/v1/images/:digest/verdicts',
    {
      config: { access: 'ci' },
      schema: {
        tags: ['verdicts'],
        summary: 'Judge the latest stored scan again by the current central policies and exceptions',
        params: DigestParam,
        response: { 200: VerdictSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const digest = request.params.digest;
      const { scan, result } = await latestScan(digest);
      const judged = await judgeCentrally(store, result, digest, ctx.now());
      const previous = await store.verdicts.latest(digest);
      const names = judged.policies.map((p) => p.name).join(',');
      const stored = await store.verdicts.record({
        imageDigest: digest,
        scanId: scan.id,
        status: judged.outcome.verdict.status,
        ...(names !== '' ? { policy: names } : {}),
        document: judged.outcome.verdict,
      });
      if (previous !== undefined && previous.status !== stored.status) {
        await store.events.append({
          type: EVENT_TYPES.verdictChanged,
          subject: digest,
          data: { from: previous.status, to: stored.status, verdictId: stored.id },
        });
      }
      return body(stored);
    },
  );
};
