/**
 * The inventory: registries (credentials write-only), repositories and tags,
 * images with filters, an image's layers / packages / findings / verdicts,
 * "where is CVE-X" and findings over time. Reads need a viewer token,
 * registry changes an admin token.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CustomsError } from '../../core/index.js';
import type { ImageRecord, ImageSummary, Registry, RegistryStatus, Store } from '../../store/index.js';
import type { RoutePlugin } from '../context.js';
import {
  body,
  decodeCursor,
  errorResponses,
  etagOf,
  MicroCache,
  PageQuerySchema,
  page,
  pageOf,
} from '../http/index.js';
import {
  DigestParam,
  FindingSchema,
  HistoryDaySchema,
  IdParam,
  ImageDetailSchema,
  ImageSummarySchema,
  LayerSchema,
  PackageSchema,
  RegistryCreateSchema,
  RegistryPatchSchema,
  RegistrySchema,
  RepositorySchema,
  SeveritySchema,
  TagHistorySchema,
  TagSchema,
  VerdictSchema,
  VerdictStatusSchema,
  VulnerabilitySpreadSchema,
} from './schemas.js';

const notFound = (what: string) => new CustomsError('API_NOT_FOUND', `${what} is not in the store`);

/** The summary of one image (as the listing shows it), or 404. */
async function imageSummary(store: Store, image: ImageRecord): Promise<ImageSummary> {
  const [listed] = await store.listings.images({ afterId: image.id - 1, limit: 1 });
  if (!listed || listed.id !== image.id) throw notFound(`image ${image.digest}`);
  return listed;
}

/** A registry as the API shows it: its settings with its last discovery run and push, when any. */
const withStatus = (reg: Registry, status: RegistryStatus | undefined) => ({
  ...reg,
  ...(status?.discovery ? { discovery: status.discovery } : {}),
  ...(status?.lastPush ? { lastPush: status.lastPush } : {}),
});

export const inventoryRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;
  const viewer = { access: 'viewer' as const };
  // "Where is CVE-X" is the hot question of a CVE morning: asked by every dashboard, answered
  // once per store generation (and at least once a second) per process (docs/api.md).
  const whereIsPage = async (id: string, after: number, limit: number) => {
    const [rows, spread, running] = await Promise.all([
      store.listings.imagesWithFinding(id, { afterId: after, limit: limit + 1 }),
      // The totals once, on the first page.
      after === 0 ? store.listings.findingSpread(id) : Promise.resolve(undefined),
      after === 0 ? store.runtime.runningWithFinding(id) : Promise.resolve(undefined),
    ]);
    const paged = page(`vuln:${id}`, rows, limit, (r) => r.id);
    // The running workloads of the page's images, from the nodes' last inventories.
    const perImage = await store.runtime.runningByImage(paged.items.map((r) => r.id));
    const items = paged.items.map((r) => ({ ...r, running: perImage.get(r.id) ?? { containers: 0, nodes: 0 } }));
    return body({
      id,
      ...(spread ? { images: spread.images, repositories: spread.repositories } : {}),
      ...(running ? { containers: running.containers, nodes: running.nodes } : {}),
      ...paged,
      items,
    });
  };
  // Kept serialised, with its ETag: a cached answer costs a lookup, not a serialisation and a hash.
  const whereIs = new MicroCache<{ readonly json: string; readonly etag: string }>(1000);
  const admin = { access: 'admin' as const };

  // ---- registries ----
  app.get(
    '/api/v1/registries',
    {
      config: viewer,
      schema: {
        tags: ['registries'],
        summary: 'List registries',
        querystring: Type.Object(PageQuerySchema),
        response: { 200: pageOf(RegistrySchema, 'A page of registries, by id'), ...errorResponses() },
      },
    },
    async (request) => {
      const after = decodeCursor('registries', request.query.cursor);
      const limit = request.query.limit ?? 100;
      const [registries, statuses] = await Promise.all([store.registries.list(), store.registryStatus.list()]);
      const byId = new Map(statuses.map((s) => [s.registryId, s]));
      const rows = registries
        .filter((r) => r.id > after)
        .sort((a, b) => a.id - b.id)
        .map((r) => withStatus(r, byId.get(r.id)));
      return body(page('registries', rows.slice(0, limit + 1), limit, (r) => r.id));
    },
  );
  app.post(
    '/api/v1/registries',
    {
      config: admin,
      schema: {
        tags: ['registries'],
        summary: 'Add a registry (credentials are write-only)',
        body: RegistryCreateSchema,
        response: { 201: RegistrySchema, ...errorResponses(409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const reg = await store.registries.add({
        name: b.name,
        url: b.url,
        ...(b.tls ? { tls: b.tls } : {}),
        ...(b.selection ? { selection: b.selection } : {}),
        ...(b.credentials ? { credentials: b.credentials } : {}),
      });
      return reply.code(201).send(body(reg));
    },
  );
  app.get(
    '/api/v1/registries/:id',
    {
      config: viewer,
      schema: {
        tags: ['registries'],
        summary: 'One registry',
        params: IdParam,
        response: { 200: RegistrySchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const reg = await store.registries.get(request.params.id);
      if (!reg) throw notFound(`registry ${request.params.id.toString()}`);
      return body(withStatus(reg, await store.registryStatus.get(reg.id)));
    },
  );
  app.patch(
    '/api/v1/registries/:id',
    {
      config: admin,
      schema: {
        tags: ['registries'],
        summary: 'Change a registry (credentials: null removes them)',
        params: IdParam,
        body: RegistryPatchSchema,
        response: { 200: RegistrySchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const b = request.body;
      const reg = await store.registries.update(request.params.id, {
        ...(b.url !== undefined ? { url: b.url } : {}),
        ...(b.tls !== undefined ? { tls: b.tls } : {}),
        ...(b.selection !== undefined ? { selection: b.selection } : {}),
        ...(b.credentials !== undefined ? { credentials: b.credentials } : {}),
      });
      if (!reg) throw notFound(`registry ${request.params.id.toString()}`);
      return body(reg);
    },
  );
  app.delete(
    '/api/v1/registries/:id',
    {
      config: admin,
      schema: {
        tags: ['registries'],
        summary: 'Remove a registry with its repositories and tags',
        params: IdParam,
        response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      if (!(await store.registries.remove(request.params.id)))
        throw notFound(`registry ${request.params.id.toString()}`);
      return reply.code(204).send(null);
    },
  );

  // ---- repositories and tags ----
  app.get(
    '/api/v1/repositories',
    {
      config: viewer,
      schema: {
        tags: ['repositories'],
        summary: 'List repositories (of one registry with ?registry=ID)',
        querystring: Type.Object({ ...PageQuerySchema, registry: Type.Optional(Type.Integer({ minimum: 1 })) }),
        response: { 200: pageOf(RepositorySchema, 'A page of repositories, by id'), ...errorResponses() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const rows = await store.listings.repositories({
        afterId: decodeCursor('repositories', q.cursor),
        limit: limit + 1,
        ...(q.registry !== undefined ? { registryId: q.registry } : {}),
      });
      return body(page('repositories', rows, limit, (r) => r.id));
    },
  );
  const repositoryOr404 = async (id: number) => {
    const repo = await store.listings.repository(id);
    if (!repo) throw notFound(`repository ${id.toString()}`);
    return repo;
  };
  app.get(
    '/api/v1/repositories/:id/tags',
    {
      config: viewer,
      schema: {
        tags: ['repositories'],
        summary: "A repository's tags and the digests they point at",
        params: IdParam,
        response: { 200: Type.Object({ items: Type.Array(TagSchema) }), ...errorResponses(404) },
      },
    },
    async (request) => {
      const repo = await repositoryOr404(request.params.id);
      const tags = await store.images.tags(repo.id);
      return { items: tags.map((t) => ({ tag: t.tag, digest: t.digest, updatedAt: t.updatedAt })) };
    },
  );
  app.get(
    '/api/v1/repositories/:id/tags/:tag/history',
    {
      config: viewer,
      schema: {
        tags: ['repositories'],
        summary: 'Where a tag pointed over time, oldest first',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }), tag: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: Type.Object({ items: Type.Array(TagHistorySchema) }), ...errorResponses(404) },
      },
    },
    async (request) => {
      const repo = await repositoryOr404(request.params.id);
      return body({ items: await store.images.tagHistory(repo.id, request.params.tag) });
    },
  );

  // ---- images ----
  app.get(
    '/api/v1/images',
    {
      config: viewer,
      schema: {
        tags: ['images'],
        summary: 'List stored images, filtered',
        querystring: Type.Object({
          ...PageQuerySchema,
          registry: Type.Optional(Type.Integer({ minimum: 1, description: 'Tagged in this registry (id)' })),
          repository: Type.Optional(
            Type.String({ minLength: 1, maxLength: 500, description: 'Tagged in a repository of this name' }),
          ),
          os: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 100,
              pattern: '^[A-Za-z0-9._:-]+$',
              description: 'debian, or debian:12',
            }),
          ),
          package: Type.Optional(
            Type.String({ minLength: 1, maxLength: 500, description: 'Holds a package of this name' }),
          ),
          severity: Type.Optional(SeveritySchema),
          verdict: Type.Optional(VerdictStatusSchema),
        }),
        response: { 200: pageOf(ImageSummarySchema, 'A page of images, by id'), ...errorResponses() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const rows = await store.listings.images({
        afterId: decodeCursor('images', q.cursor),
        limit: limit + 1,
        ...(q.registry !== undefined ? { registryId: q.registry } : {}),
        ...(q.repository !== undefined ? { repository: q.repository } : {}),
        ...(q.os !== undefined ? { os: q.os } : {}),
        ...(q.package !== undefined ? { package: q.package } : {}),
        ...(q.severity !== undefined ? { severity: q.severity } : {}),
        ...(q.verdict !== undefined ? { verdict: q.verdict } : {}),
      });
      return body(page('images', rows, limit, (r) => r.id));
    },
  );
  const imageOr404 = async (digest: string) => {
    const image = await store.images.get(digest);
    if (!image) throw notFound(`image ${digest}`);
    return image;
  };
  app.get(
    '/api/v1/images/:digest',
    {
      config: viewer,
      schema: {
        tags: ['images'],
        summary: 'One image: tags, open findings by severity, latest verdict, layers',
        params: DigestParam,
        response: { 200: ImageDetailSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const image = await imageOr404(request.params.digest);
      const summary = await imageSummary(store, image);
      return body({
        ...summary,
        ...(image.configDigest !== undefined ? { configDigest: image.configDigest } : {}),
        layers: image.layers,
      });
    },
  );
  app.get(
    '/api/v1/images/:digest/layers',
    {
      config: viewer,
      schema: {
        tags: ['images'],
        summary: "An image's layers, base first",
        params: DigestParam,
        response: { 200: Type.Object({ items: Type.Array(LayerSchema) }), ...errorResponses(404) },
      },
    },
    async (request) => body({ items: (await imageOr404(request.params.digest)).layers }),
  );
  app.get(
    '/api/v1/images/:digest/packages',
    {
      config: viewer,
      schema: {
        tags: ['images'],
        summary: "An image's inventory",
        params: DigestParam,
        querystring: Type.Object(PageQuerySchema),
        response: { 200: pageOf(PackageSchema, 'A page of packages, in inventory order'), ...errorResponses(404) },
      },
    },
    async (request) => {
      await imageOr404(request.params.digest);
      const after = decodeCursor('packages', request.query.cursor);
      const limit = request.query.limit ?? 100;
      const all = await store.packages.inventory(request.params.digest);
      const rows = all.slice(after, after + limit + 1).map((p, i) => ({ p, n: after + i + 1 }));
      const paged = page('packages', rows, limit, (r) => r.n);
      return body({ ...paged, items: paged.items.map((r) => r.p) });
    },
  );
  app.get(
    '/api/v1/images/:digest/findings',
    {
      config: viewer,
      schema: {
        tags: ['images'],
        summary: "An image's findings (open ones; ?includeFixed=true for the history)",
        params: DigestParam,
        querystring: Type.Object({ includeFixed: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ items: Type.Array(FindingSchema) }), ...errorResponses(404) },
      },
    },
    async (request) => {
      await imageOr404(request.params.digest);
      const items = await store.findings.forImage(request.params.digest, {
        includeFixed: request.query.includeFixed === true,
      });
      return body({ items });
    },
  );
  app.get(
    '/api/v1/images/:digest/verdicts',
    {
      config: viewer,
      schema: {
        tags: ['images'],
        summary: "An image's verdicts, newest first",
        params: DigestParam,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }),
        response: { 200: Type.Object({ items: Type.Array(VerdictSchema) }), ...errorResponses(404) },
      },
    },
    async (request) => {
      await imageOr404(request.params.digest);
      return body({ items: await store.verdicts.list(request.params.digest, request.query.limit ?? 100) });
    },
  );

  // ---- where is CVE-X; findings over time ----
  app.get(
    '/api/v1/vulnerabilities/:id/images',
    {
      config: viewer,
      schema: {
        tags: ['vulnerabilities'],
        summary: 'Where is CVE-X: the stored images, repositories and tags with it open',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object(PageQuerySchema),
        response: { 200: VulnerabilitySpreadSchema, ...errorResponses() },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const limit = request.query.limit ?? 100;
      const after = decodeCursor(`vuln:${id}`, request.query.cursor);
      // Keyed by the store's generation: a scan, rescan, tag or verdict anywhere (any replica)
      // makes a new key, so the cache only saves repeated questions between changes.
      const generation = await store.listings.generation();
      const key = `${generation}\0${id}\0${after.toString()}\0${limit.toString()}`;
      const cached = await whereIs.get(key, async () => {
        const value = await whereIsPage(id, after, limit);
        // The route's own response schema serialises it, as for any answer.
        const json = String(reply.serializeInput(value as unknown as Record<string, unknown>, '200'));
        return { json, etag: etagOf(json) };
      });
      // A string body with a JSON content type is sent as is (already serialised above).
      return reply
        .type('application/json; charset=utf-8')
        .header('etag', cached.etag)
        .send(cached.json as never);
    },
  );
  app.get(
    '/api/v1/findings/history',
    {
      config: viewer,
      schema: {
        tags: ['vulnerabilities'],
        summary: 'Findings over time: opened, fixed and open per UTC day',
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })) }),
        response: { 200: Type.Object({ items: Type.Array(HistoryDaySchema) }), ...errorResponses() },
      },
    },
    async (request) => {
      const now = ctx.now();
      const days = request.query.days ?? 30;
      return body({ items: await store.listings.findingHistory({ from: now - (days - 1) * 86_400_000, to: now }) });
    },
  );
};
