/**
 * Harbor's pluggable scanner API (goharbor/pluggable-scanner-spec,
 * api/spec/scanner-adapter-openapi-v1.1.yaml), mounted under /harbor so
 * Harbor registers customs as http://HOST:PORT/harbor and the adapter's
 * /api/v1 stays apart from customs' own:
 *
 *   GET  /api/v1/metadata                  scanner, capabilities, properties
 *   POST /api/v1/scan                      202 {id}: the request is stored, a `scan` job enqueued
 *   GET  /api/v1/scan/{id}/report          302 + Refresh-After while the job runs, 200 report, 404, 500
 *
 * Harbor authenticates with a bearer API token of role ci (configured as the
 * scanner's "Bearer" authorization). The routes are left out of customs'
 * OpenAPI document: Harbor's spec is their document. The app's audit log
 * records each scan request (never its body, which holds the pull
 * authorization). Bodies are the spec's vendor MIME types,
 * errors `{"error": {"message": …}}` as application/vnd.scanner.adapter.error+json.
 */
import { randomUUID } from 'node:crypto';
import type {} from '@fastify/swagger';
import { type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { CustomsError, ERROR_CODES, isCustomsError, toolVersion } from '../../core/index.js';
import { parseReference } from '../../image/index.js';
import { parseScanResultJson } from '../../report/index.js';
import { openVulnDb } from '../../vulndb/index.js';
import type { RoutePlugin, ServerContext } from '../context.js';
import type { HarborScanJobPayload } from './job.js';
import { CONSUMED, HARBOR_MIME, negotiateReport, PRODUCED } from './mime.js';
import { type HarborScanner, toHarborReport } from './report.js';

/** Where the adapter API lives: Harbor is given http://HOST:PORT/harbor as the scanner's endpoint. */
export const HARBOR_PREFIX = '/harbor';

/** A pull authorization not used within this long (its scan never ran) is dropped. */
export const AUTHORIZATION_TTL_MS = 24 * 3_600_000;

/** Seconds Harbor waits before polling a report again. */
export const REFRESH_AFTER_SECONDS = 5;

export function harborScanner(): HarborScanner {
  return { name: 'customs', vendor: 'customs', version: toolVersion() };
}

const ScanRequest = Type.Object({
  registry: Type.Object({
    url: Type.String(),
    authorization: Type.Optional(Type.String()),
  }),
  artifact: Type.Object({
    repository: Type.String(),
    digest: Type.String(),
    tag: Type.Optional(Type.String()),
    mime_type: Type.Optional(Type.String()),
  }),
});

// distribution/reference: path components of lower-case alphanumerics and separators.
/** A repository path as the distribution grammar has it: a name, no tag or digest (image/reference.ts decides). */
function isRepositoryPath(repository: string): boolean {
  try {
    const r = parseReference(repository);
    return r.name === repository && r.tag === undefined && r.digest === undefined;
  } catch {
    return false;
  }
}
const DIGEST = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

function sendJson(reply: FastifyReply, status: number, type: string, body: unknown) {
  // A Buffer: fastify leaves the Content-Type of a Buffer as set (a string would get a charset appended).
  return reply
    .code(status)
    .header('content-type', type)
    .send(Buffer.from(JSON.stringify(body)));
}

function sendError(reply: FastifyReply, status: number, message: string) {
  return sendJson(reply, status, HARBOR_MIME.error, { error: { message } });
}

/** The DB's properties for the metadata, when a DB is installed. */
function dbProperties(ctx: ServerContext): Record<string, string> {
  if (ctx.dbPath === undefined) return {};
  try {
    const db = openVulnDb(ctx.dbPath);
    try {
      const m = db.metadata;
      return {
        'harbor.scanner-adapter/vulnerability-database-updated-at': m.builtAt,
        'org.customs/vulnerability-database-schema-version': String(m.schemaVersion),
        'org.customs/vulnerability-database-sources': m.sources.map((s) => s.name).join(','),
      };
    } finally {
      db.close();
    }
  } catch (e) {
    ctx.log.warn(
      { err: e instanceof Error ? e.message : String(e) },
      'vulnerability DB unreadable for Harbor metadata',
    );
    return {};
  }
}

function fieldProblem(body: {
  registry: { url: string };
  artifact: { repository: string; digest: string };
}): string | undefined {
  let url: URL;
  try {
    url = new URL(body.registry.url);
  } catch {
    return `registry.url ${JSON.stringify(body.registry.url)} is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `registry.url must be http or https, not ${url.protocol}`;
  if (!isRepositoryPath(body.artifact.repository)) {
    return `artifact.repository ${JSON.stringify(body.artifact.repository)} is not a repository name`;
  }
  if (!DIGEST.test(body.artifact.digest)) {
    return `artifact.digest ${JSON.stringify(body.artifact.digest)} is not a sha256 or sha512 digest`;
  }
  return undefined;
}

export const harborRoutes: RoutePlugin = async (fastify, { ctx }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;
  const ci = { access: 'ci' as const };
  const tags = ['harbor'];

  // The scan request's vendor type (any version) is JSON; so is plain application/json.
  app.addContentTypeParser(
    /^application\/vnd\.scanner\.adapter\.scan\.request\+json/i,
    { parseAs: 'string' },
    (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (e) {
        done(
          Object.assign(new Error(`the scan request is not JSON: ${(e as Error).message}`), { statusCode: 400 }),
          undefined,
        );
      }
    },
  );

  app.setErrorHandler((err, _req, reply) => {
    const status = isCustomsError(err)
      ? ERROR_CODES[err.code].http
      : ((err as { statusCode?: number }).statusCode ?? 500);
    return sendError(reply, status, err instanceof Error ? err.message : String(err));
  });

  app.get(
    `${HARBOR_PREFIX}/api/v1/metadata`,
    { config: ci, schema: { hide: true, tags, summary: 'Scanner metadata and capabilities (Harbor)' } },
    async (_req, reply) =>
      sendJson(reply, 200, HARBOR_MIME.metadata, {
        scanner: harborScanner(),
        capabilities: [
          { type: 'vulnerability', consumes_mime_types: [...CONSUMED], produces_mime_types: [...PRODUCED] },
        ],
        properties: {
          'harbor.scanner-adapter/scanner-type': 'os-package-vulnerability',
          ...dbProperties(ctx),
        },
      }),
  );

  app.post(
    `${HARBOR_PREFIX}/api/v1/scan`,
    {
      config: ci,
      attachValidation: true,
      // Checked as sent, without the app's type coercion: the spec's 400 is for "the wrong type of JSON values".
      validatorCompiler: ({ schema }) => {
        const checker = TypeCompiler.Compile(schema as unknown as TSchema);
        return (data: unknown) => {
          if (checker.Check(data)) return { value: data };
          const first = checker.Errors(data).First();
          return { error: new Error(first ? `${first.path || '/'}: ${first.message}` : 'invalid') };
        };
      },
      schema: { hide: true, tags, summary: 'Accept a scan request (Harbor)', body: ScanRequest },
    },
    async (req, reply) => {
      if (req.validationError)
        return sendError(reply, 400, `the scan request has the wrong shape: ${req.validationError.message}`);
      const body = req.body;
      const problem = fieldProblem(body);
      if (problem) return sendError(reply, 422, problem);
      const id = randomUUID();
      const url = new URL(body.registry.url);
      // Requests whose scan never ran do not keep credentials: Harbor's robot tokens are short-lived anyway.
      await store.harborScans.dropAuthorizationsBefore(ctx.now() - AUTHORIZATION_TTL_MS);
      await store.harborScans.add({
        id,
        registryUrl: url.origin,
        repository: body.artifact.repository,
        digest: body.artifact.digest,
        ...(body.artifact.tag !== undefined ? { tag: body.artifact.tag } : {}),
        ...(body.artifact.mime_type !== undefined ? { mimeType: body.artifact.mime_type } : {}),
        ...(body.registry.authorization ? { authorization: body.registry.authorization } : {}),
      });
      const payload: HarborScanJobPayload = {
        source: 'harbor',
        harborScanId: id,
        image: `registry:${url.host}/${body.artifact.repository}@${body.artifact.digest}`,
        digest: body.artifact.digest,
      };
      const { job } = await store.jobs.enqueue({
        kind: 'scan',
        idempotencyKey: `scan|harbor:${id}`,
        payload,
        priority: 10,
      });
      await store.harborScans.setJob(id, job.id);
      return sendJson(reply, 202, HARBOR_MIME.scanResponse, { id });
    },
  );

  app.get(
    `${HARBOR_PREFIX}/api/v1/scan/:scan_request_id/report`,
    {
      config: ci,
      schema: {
        hide: true,
        tags,
        summary: 'The scan report, in the type the Accept header asks for (Harbor)',
        params: Type.Object({ scan_request_id: Type.String() }),
      },
    },
    async (req, reply) => {
      const mime = negotiateReport(req.headers.accept);
      if (mime === undefined) {
        return sendError(
          reply,
          406,
          `cannot produce ${req.headers.accept}; ask for one of ${[...PRODUCED, HARBOR_MIME.reportRaw].join(', ')}`,
        );
      }
      const request = await store.harborScans.get(req.params.scan_request_id);
      if (!request) return sendError(reply, 404, `no scan request ${req.params.scan_request_id}`);
      const job = request.jobId !== undefined ? await store.jobs.get(request.jobId) : undefined;
      if (!job || job.state === 'queued' || job.state === 'running') {
        return reply.code(302).header('refresh-after', String(REFRESH_AFTER_SECONDS)).send();
      }
      if (request.hasAuthorization) await store.harborScans.dropAuthorization(request.id);
      if (job.state === 'failed') return sendError(reply, 500, `the scan failed: ${job.lastError ?? 'unknown error'}`);
      const scan = await store.scans.latest(request.digest);
      if (!scan)
        throw new CustomsError(
          'INTERNAL',
          `the scan job of ${request.id} finished but no scan of ${request.digest} is stored`,
        );
      if (mime === HARBOR_MIME.reportRaw) return sendJson(reply, 200, mime, scan.document);
      // Back to the one result model; the Harbor report is made from it alone.
      const result = parseScanResultJson(JSON.stringify(scan.document), `stored scan ${scan.id} of ${request.digest}`);
      const report = toHarborReport(
        result,
        {
          repository: request.repository,
          digest: request.digest,
          ...(request.tag !== undefined ? { tag: request.tag } : {}),
          ...(request.mimeType !== undefined ? { mime_type: request.mimeType } : {}),
        },
        harborScanner(),
        new Date(scan.createdAt),
      );
      return sendJson(reply, 200, mime, report);
    },
  );
};
