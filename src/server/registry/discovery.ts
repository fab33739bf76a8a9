/**
 * Registry discovery: which repositories a stored registry selects (a list of
 * names, or glob patterns over its /v2/_catalog), their tags (tags/list), each
 * tag's digest (HEAD on the manifest), multi-platform images resolved to the
 * configured platforms. Tags are recorded (a moved tag lands in the tag
 * history), and scan jobs are queued only for digests never scanned.
 */
import { CustomsError } from '../../core/index.js';
import { indexEntries, isIndexMediaType, parsePlatform, registryLister } from '../../image/index.js';
import type { Registry, RepositorySelection } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import { type DiscoverPayload, enqueueScan, type JobHandler } from '../jobs.js';
import { registryContext, registryHost } from './access.js';

export const DEFAULT_PLATFORMS: readonly string[] = ['linux/amd64'];

/** A repository glob: "*" and "?" stay within a path segment, "**" crosses segments. */
export function repositoryGlob(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*' && pattern[i + 1] === '*') {
      // "a/**" also matches "a" itself; "**/b" matches "b".
      if (pattern[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const isGlob = (p: string): boolean => /[*?]/.test(p);

/** Whether the selection names its repositories outright (no catalog needed). */
export function listedRepositories(sel: RepositorySelection): string[] | undefined {
  return sel.include.length > 0 && !sel.include.some(isGlob) ? [...sel.include] : undefined;
}

export function selects(sel: RepositorySelection, repository: string): boolean {
  const inc = sel.include.some((p) => repositoryGlob(p).test(repository));
  return inc && !sel.exclude.some((p) => repositoryGlob(p).test(repository));
}

/** Platform strings compared as parsePlatform normalises them (arm64 variants, case). */
function platformMatcher(wanted: readonly string[]): (p: string | undefined) => boolean {
  const norm = (s: string): string => {
    const p = parsePlatform(s);
    return [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join('/');
  };
  const set = new Set(wanted.map(norm));
  return (p) => {
    if (p === undefined) return false;
    try {
      return set.has(norm(p));
    } catch {
      return false;
    }
  };
}

export interface DiscoverySummary {
  readonly registry: string;
  readonly repositories: number;
  readonly tags: number;
  /** Image digests seen (platform images of an index counted one by one). */
  readonly digests: number;
  readonly movedTags: number;
  /** Scan jobs queued (new digests only). */
  readonly queued: number;
  /** Tags that could not be read (named, with why), so one broken tag does not stop the rest. */
  readonly errors: readonly string[];
}

export interface DiscoveryOptions {
  readonly signal: AbortSignal;
  /** The DB version new scan jobs are keyed with. */
  readonly dbVersion: string;
  readonly pageSize?: number;
}

/** The image digests behind one manifest: itself, or an index's entries for the wanted platforms. */
export async function imageDigestsOf(
  lister: ReturnType<typeof registryLister>,
  repository: string,
  top: { digest: string; mediaType?: string },
  platforms: readonly string[],
): Promise<string[]> {
  if (!isIndexMediaType(top.mediaType)) return [top.digest];
  const m = await lister.manifest(repository, top.digest);
  const wanted = platformMatcher(platforms);
  return indexEntries(m.bytes, `index ${repository}@${top.digest}`)
    .filter((e) => wanted(e.platform) && !isIndexMediaType(e.mediaType))
    .map((e) => e.digest);
}

export async function discoverRegistry(
  ctx: ServerContext,
  registry: Registry,
  opts: DiscoveryOptions,
): Promise<DiscoverySummary> {
  try {
    const summary = await discoverOnce(ctx, registry, opts);
    const { repositories, tags, digests, queued, errors } = summary;
    await ctx.store.registryStatus.recordDiscovery(registry.id, {
      at: ctx.now(),
      ...{ repositories, tags, digests, queued, errors },
    });
    return summary;
  } catch (e) {
    // A cancelled run says nothing about the registry: the next run will.
    if (!opts.signal.aborted)
      await ctx.store.registryStatus.recordDiscovery(registry.id, {
        at: ctx.now(),
        repositories: 0,
        tags: 0,
        digests: 0,
        queued: 0,
        errors: [],
        error: e instanceof Error ? e.message : String(e),
      });
    throw e;
  }
}

async function discoverOnce(ctx: ServerContext, registry: Registry, opts: DiscoveryOptions): Promise<DiscoverySummary> {
  const { store } = ctx;
  const context = await registryContext(ctx, registry, opts.signal);
  const lister = registryLister(registryHost(registry.url), context);
  const list = opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {};
  const platforms = registry.selection.platforms ?? DEFAULT_PLATFORMS;
  let repositories = 0;
  let tags = 0;
  let digests = 0;
  let movedTags = 0;
  let queued = 0;
  const errors: string[] = [];
  try {
    const names: AsyncIterable<string> | string[] = listedRepositories(registry.selection) ?? lister.repositories(list);
    for await (const repository of names) {
      if (!selects(registry.selection, repository)) continue;
      repositories++;
      const repo = await store.images.ensureRepository(registry.id, repository);
      for await (const tag of lister.tags(repository, list)) {
        if (opts.signal.aborted) throw new CustomsError('ABORTED', `discovery of ${registry.name} cancelled`);
        tags++;
        try {
          const top = await lister.head(repository, tag);
          const change = await store.images.setTag(repo.id, tag, top.digest);
          if (change.moved) movedTags++;
          for (const digest of await imageDigestsOf(lister, repository, top, platforms)) {
            digests++;
            if (await store.scans.latest(digest)) continue;
            const q = await enqueueScan(store, { registryId: registry.id, repository, digest, tag }, opts.dbVersion);
            if (q.created) queued++;
          }
        } catch (e) {
          if (opts.signal.aborted) throw e;
          errors.push(`${repository}:${tag}: ${(e as Error).message}`);
        }
      }
    }
  } finally {
    await lister.close();
  }
  const summary = { registry: registry.name, repositories, tags, digests, movedTags, queued, errors };
  ctx.log.info({ ...summary, errors: errors.length }, 'registry discovered');
  return summary;
}

function parseDiscoverPayload(payload: unknown): DiscoverPayload {
  const p = payload as Record<string, unknown> | null;
  if (p === null || p === undefined || (typeof p === 'object' && p.registryId === undefined)) return {};
  if (typeof p === 'object' && typeof p.registryId === 'number') return { registryId: p.registryId };
  throw new CustomsError('USAGE_BAD_ARGUMENT', 'a discover job takes {} (every registry) or {"registryId": N}');
}

/** The `discover` job: one registry, or every stored registry. */
export const discoverJob: JobHandler = async (run) => {
  const payload = parseDiscoverPayload(run.job.payload);
  const { store } = run.ctx;
  let registries: Registry[];
  if (payload.registryId !== undefined) {
    const r = await store.registries.get(payload.registryId);
    if (!r) throw new CustomsError('USAGE_BAD_ARGUMENT', `registry ${payload.registryId} is not in the store`);
    registries = [r];
  } else {
    registries = await store.registries.list();
  }
  const out: DiscoverySummary[] = [];
  for (const r of registries) {
    out.push(await discoverRegistry(run.ctx, r, { signal: run.signal, dbVersion: run.dbVersion }));
  }
  return { registries: out };
};
