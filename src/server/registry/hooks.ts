/**
 * Scan on push. Two endpoints per stored registry, authenticated by the
 * registry's shared secret (store.hookSecrets) in the Authorization header
 * ("Bearer SECRET" or the bare secret):
 *
 * - POST /api/v1/hooks/registry/{name}: the CNCF distribution notification
 *   envelope (distribution docs/notifications.md; media type
 *   application/vnd.docker.distribution.events.v1+json), as docker-registry,
 *   GitLab's and most self-hosted registries send it;
 * - POST /api/v1/hooks/harbor/{name}: Harbor's webhook (event type
 *   PUSH_ARTIFACT, "Default" payload format; the policy's "Auth Header" is the
 *   secret).
 *
 * A push of a tagged image manifest becomes a scan job before the answer (so
 * within the request's time); an index / manifest list is resolved to the
 * registry's platforms. Pulls, blob events, untagged manifests (an index's
 * children arrive before the index that names them) and repositories outside
 * the selection are ignored and counted.
 */
import { statSync } from 'node:fs';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { CustomsError } from '../../core/index.js';
import { isIndexMediaType, MEDIA_TYPES, registryLister } from '../../image/index.js';
import type { Registry } from '../../store/index.js';
import type { RoutePlugin, ServerContext } from '../context.js';
import { EVENT_TYPES } from '../event-types.js';
import { dbVersionAt, enqueueScan, JOB_KINDS } from '../jobs.js';
import { registryContext, registryHost } from './access.js';
import { DEFAULT_PLATFORMS, imageDigestsOf, selects } from './discovery.js';

export const DISTRIBUTION_EVENTS_MEDIA_TYPE = 'application/vnd.docker.distribution.events.v1+json';
/** Scans queued by a push run before those of discovery and rescans. */
export const PUSH_PRIORITY = 10;

const IMAGE_MANIFEST_TYPES = new Set<string>([
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
]);
const DIGEST = /^sha256:[0-9a-f]{64}$/;

const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
const RegistryIdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const DistributionEnvelope = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          action: Type.String({ description: 'push, pull, delete, mount' }),
          target: Type.Optional(
            Type.Object(
              {
                mediaType: Type.Optional(Type.String()),
                digest: Type.Optional(Type.String()),
                repository: Type.Optional(Type.String()),
                tag: Type.Optional(Type.String()),
              },
              { additionalProperties: true },
            ),
          ),
        },
        { additionalProperties: true },
      ),
      { maxItems: 10_000 },
    ),
  },
  { additionalProperties: true, description: 'A distribution notification envelope (docs/notifications.md)' },
);

const HarborWebhook = Type.Object(
  {
    type: Type.String({ description: 'PUSH_ARTIFACT is acted on; other types are ignored' }),
    event_data: Type.Optional(
      Type.Object(
        {
          resources: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  digest: Type.Optional(Type.String()),
                  tag: Type.Optional(Type.String()),
                  resource_url: Type.Optional(Type.String()),
                },
                { additionalProperties: true },
              ),
              { maxItems: 10_000 },
            ),
          ),
          repository: Type.Optional(
            Type.Object(
              { repo_full_name: Type.Optional(Type.String()), namespace: Type.Optional(Type.String()) },
              { additionalProperties: true },
            ),
          ),
        },
        { additionalProperties: true },
      ),
    ),
  },
  { additionalProperties: true, description: "Harbor's webhook payload (Default format)" },
);

const HookOutcome = Type.Object({
  queued: Type.Integer({ description: 'Scan jobs created' }),
  existing: Type.Integer({ description: 'Pushes whose scan job existed already (same digest, DB and plan)' }),
  ignored: Type.Integer({ description: 'Events that are not pushes of a tagged image in the selection' }),
});
type HookOutcome = Static<typeof HookOutcome>;

const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), hint: Type.String() }),
});

/** One push, as either payload names it. */
interface Push {
  readonly repository: string;
  readonly tag?: string;
  readonly digest: string;
  /** Known from the distribution envelope; Harbor's payload does not say (a HEAD tells). */
  readonly mediaType?: string;
}

/** The DB version, re-read only when the DB file changes. */
function dbVersionCache(path: string | undefined): () => string {
  let identity = '';
  let version = 'none';
  return () => {
    let now = '';
    try {
      const st = path !== undefined ? statSync(path) : undefined;
      now = st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}` : '';
    } catch {
      now = '';
    }
    if (now !== identity) {
      identity = now;
      version = now === '' ? 'none' : dbVersionAt(path);
    }
    return version;
  };
}

function presentedSecret(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string' || h === '') return undefined;
  return h.replace(/^Bearer\s+/i, '');
}

/** The registry the hook names, when the request carries its secret; one answer for unknown name and bad secret. */
async function authenticated(ctx: ServerContext, request: FastifyRequest, name: string): Promise<Registry> {
  const registry = await ctx.store.registries.byName(name);
  const secret = presentedSecret(request);
  const ok =
    registry !== undefined && secret !== undefined && (await ctx.store.hookSecrets.verify(registry.id, secret));
  if (!registry || !ok) {
    throw new CustomsError(
      'API_UNAUTHENTICATED',
      `the hook for registry ${JSON.stringify(name)} needs that registry's shared secret in the Authorization header (set it with the registry's hook secret; docs/registries.md)`,
    );
  }
  request.actor = { name: `hook:${registry.name}`, address: request.ip };
  return registry;
}

async function queuePushes(
  ctx: ServerContext,
  registry: Registry,
  pushes: readonly Push[],
  ignoredBefore: number,
  dbVersion: string,
): Promise<HookOutcome> {
  const out = { queued: 0, existing: 0, ignored: ignoredBefore };
  if (pushes.length === 0) return out;
  // Received is what the Registries page shows, whatever the push then leads to.
  const last = pushes[pushes.length - 1];
  if (last)
    await ctx.store.registryStatus.recordPush(registry.id, {
      at: ctx.now(),
      repository: last.repository,
      digest: last.digest,
      ...(last.tag !== undefined ? { tag: last.tag } : {}),
    });
  const context = await registryContext(ctx, registry, ctx.signal);
  const lister = registryLister(registryHost(registry.url), context);
  const platforms = registry.selection.platforms ?? DEFAULT_PLATFORMS;
  try {
    for (const push of pushes) {
      if (!selects(registry.selection, push.repository)) {
        out.ignored++;
        continue;
      }
      const mediaType = push.mediaType ?? (await lister.head(push.repository, push.digest)).mediaType;
      if (push.tag === undefined && !isIndexMediaType(mediaType)) {
        out.ignored++;
        continue;
      }
      const repo = await ctx.store.images.ensureRepository(registry.id, push.repository);
      if (push.tag !== undefined) await ctx.store.images.setTag(repo.id, push.tag, push.digest);
      const top = { digest: push.digest, ...(mediaType !== undefined ? { mediaType } : {}) };
      for (const digest of await imageDigestsOf(lister, push.repository, top, platforms)) {
        const q = await enqueueScan(
          ctx.store,
          { registryId: registry.id, repository: push.repository, digest, ...(push.tag ? { tag: push.tag } : {}) },
          dbVersion,
          { priority: PUSH_PRIORITY },
        );
        if (q.created) out.queued++;
        else out.existing++;
      }
      await ctx.store.events.append({
        type: EVENT_TYPES.pushReceived,
        subject: `${registry.name}/${push.repository}${push.tag !== undefined ? `:${push.tag}` : `@${push.digest}`}`,
        data: { registry: registry.name, repository: push.repository, digest: push.digest, tag: push.tag ?? null },
      });
    }
  } finally {
    await lister.close();
  }
  ctx.log.info({ registry: registry.name, ...out }, 'push notification');
  return out;
}

/** The pushes of a distribution envelope, and how many events were something else. */
export function distributionPushes(body: Static<typeof DistributionEnvelope>): { pushes: Push[]; ignored: number } {
  const pushes: Push[] = [];
  let ignored = 0;
  for (const e of body.events) {
    const t = e.target;
    if (
      e.action !== 'push' ||
      !t?.repository ||
      !t.digest ||
      !DIGEST.test(t.digest) ||
      !IMAGE_MANIFEST_TYPES.has(t.mediaType ?? '')
    ) {
      ignored++;
      continue;
    }
    pushes.push({
      repository: t.repository,
      digest: t.digest,
      ...(t.tag ? { tag: t.tag } : {}),
      ...(t.mediaType ? { mediaType: t.mediaType } : {}),
    });
  }
  return { pushes, ignored };
}

/** The pushes of a Harbor webhook: PUSH_ARTIFACT resources in the event's repository. */
export function harborPushes(body: Static<typeof HarborWebhook>): { pushes: Push[]; ignored: number } {
  const resources = body.event_data?.resources ?? [];
  const repository = body.event_data?.repository?.repo_full_name;
  if (body.type !== 'PUSH_ARTIFACT' || !repository) return { pushes: [], ignored: Math.max(1, resources.length) };
  const pushes: Push[] = [];
  let ignored = 0;
  for (const r of resources) {
    if (!r.digest || !DIGEST.test(r.digest)) {
      ignored++;
      continue;
    }
    pushes.push({ repository, digest: r.digest, ...(r.tag ? { tag: r.tag } : {}) });
  }
  return { pushes, ignored };
}

export const registryHookRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const dbVersion = dbVersionCache(ctx.dbPath);
  // The envelope's own media type is JSON (this plugin's scope only).
  app.addContentTypeParser(DISTRIBUTION_EVENTS_MEDIA_TYPE, { parseAs: 'string' }, (_req, text, done) => {
    try {
      done(null, JSON.parse(String(text)));
    } catch (e) {
      done(new CustomsError('API_REQUEST_INVALID', `the notification is not JSON: ${(e as Error).message}`), undefined);
    }
  });
  const errors = { 400: ErrorBody, 401: ErrorBody, 429: ErrorBody, 500: ErrorBody };

  app.post(
    '/api/v1/hooks/registry/:name',
    {
      config: { access: 'hook' },
      schema: {
        tags: ['hooks'],
        summary: 'Scan on push: a distribution notification envelope from the named registry',
        params: NameParam,
        body: DistributionEnvelope,
        response: { 202: HookOutcome, ...errors },
      },
    },
    async (request, reply) => {
      const registry = await authenticated(ctx, request, request.params.name);
      const { pushes, ignored } = distributionPushes(request.body);
      return reply.code(202).send(await queuePushes(ctx, registry, pushes, ignored, dbVersion()));
    },
  );

  const registryById = async (id: number): Promise<Registry> => {
    const registry = await ctx.store.registries.get(id);
    if (!registry)
      throw new CustomsError('API_NOT_FOUND', `registry ${id} is not stored; GET /api/v1/registries lists them`);
    return registry;
  };

  app.put(
    '/api/v1/registries/:id/hook-secret',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['hooks'],
        summary: "Set the registry's push-hook shared secret (given, or a new random one); shown once",
        params: RegistryIdParam,
        body: Type.Optional(
          Type.Object(
            { secret: Type.Optional(Type.String({ minLength: 16, maxLength: 512 })) },
            { additionalProperties: false },
          ),
        ),
        response: {
          200: Type.Object({
            secret: Type.String({ description: 'Send it as "Authorization: Bearer SECRET"; only its hash is stored' }),
            distribution: Type.String({ description: 'The endpoint for distribution notifications' }),
            harbor: Type.String({ description: "The endpoint for Harbor's webhook" }),
          }),
          404: ErrorBody,
          ...errors,
        },
      },
    },
    async (request) => {
      const registry = await registryById(request.params.id);
      const secret = await ctx.store.hookSecrets.set(registry.id, request.body?.secret);
      const name = encodeURIComponent(registry.name);
      return { secret, distribution: `/api/v1/hooks/registry/${name}`, harbor: `/api/v1/hooks/harbor/${name}` };
    },
  );

  app.post(
    '/api/v1/registries/:id/discover',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['hooks'],
        summary: "Queue a discovery of the registry (catalog, tags, new digests' scans)",
        params: RegistryIdParam,
        response: { 202: Type.Object({ jobId: Type.Integer() }), 404: ErrorBody, ...errors },
      },
    },
    async (request, reply) => {
      const registry = await registryById(request.params.id);
      const q = await ctx.store.jobs.enqueue({
        kind: JOB_KINDS.discover,
        idempotencyKey: `discover|${registry.id}|${ctx.now()}`,
        payload: { registryId: registry.id },
        priority: 20,
      });
      return reply.code(202).send({ jobId: q.job.id });
    },
  );

  app.post(
    '/api/v1/hooks/harbor/:name',
    {
      config: { access: 'hook' },
      schema: {
        tags: ['hooks'],
        summary: "Scan on push: Harbor's PUSH_ARTIFACT webhook for the named registry",
        params: NameParam,
        body: HarborWebhook,
        response: { 202: HookOutcome, ...errors },
      },
    },
    async (request, reply) => {
      const registry = await authenticated(ctx, request, request.params.name);
      const { pushes, ignored } = harborPushes(request.body);
      return reply.code(202).send(await queuePushes(ctx, registry, pushes, ignored, dbVersion()));
    },
  );
};
