/**
 * Listing what a registry holds, for inventory discovery (OCI distribution-spec
 * spec.md "Content discovery"; the catalog is distribution's docs/spec/api.md
 * "Catalog"): repositories via GET /v2/_catalog, tags via GET /v2/NAME/tags/list,
 * both paged with `n=` and the `Link: <…>; rel="next"` header (RFC 8288); a tag's
 * digest via HEAD on its manifest (Docker-Content-Digest); an index's entries by
 * platform.
 *
 * A Link may only continue on the registry itself, under /v2/: a registry must
 * not steer the lister (and its credentials) to another host.
 */
import { type Context, CustomsError, type Digest, sha256, verifyBytes } from '../../core/index.js';
import { MAX_DOCUMENT_SIZE, readBounded } from '../bounded-read.js';
import { INDEX_MEDIA_TYPES, MANIFEST_ACCEPT } from '../media-types.js';
import { RegistryClient, sanitizeQuote } from './registry-client.js';

/** Entries asked for per page; registries may answer with fewer. */
export const DEFAULT_PAGE_SIZE = 100;
/** Pages followed before giving up: a registry whose Link never ends must not loop forever. */
const MAX_PAGES = 100_000;
const MAX_PAGE_BYTES = 8 * 1024 * 1024;

/** The `rel="next"` target of a Link header value, if any. */
export function nextLink(link: string | string[] | undefined): string | undefined {
  const values = Array.isArray(link) ? link : link === undefined ? [] : [link];
  for (const value of values) {
    for (const part of value.split(/,(?=\s*<)/)) {
      const m = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
      if (!m) continue;
      const params = m[2] ?? '';
      if (/(^|;)\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(params)) return m[1];
    }
  }
  return undefined;
}

/** The path under /v2/ of a Link target, refusing one that leaves the registry. */
function linkPath(client: RegistryClient, target: string, what: string): string {
  let url: URL;
  try {
    url = new URL(target, `http://${client.host}/v2/`);
  } catch (e) {
    throw new CustomsError('REGISTRY_ERROR', `${what}: the Link header is not a URL`, e);
  }
  if (url.host !== client.host || !url.pathname.startsWith('/v2/')) {
    throw new CustomsError(
      'REGISTRY_TARGET_REFUSED',
      `${what}: ${client.host} sent a next-page Link to ${sanitizeQuote(`${url.host}${url.pathname}`, 200)}, outside its own /v2/ API; customs follows pages on the registry only`,
    );
  }
  return `${url.pathname.slice('/v2/'.length)}${url.search}`;
}

async function* pages<T>(
  client: RegistryClient,
  first: string,
  what: string,
  pick: (body: unknown) => readonly T[],
): AsyncGenerator<T> {
  let path: string | undefined = first;
  const seen = new Set<string>();
  for (let n = 0; path !== undefined; n++) {
    if (n >= MAX_PAGES || seen.has(path)) {
      throw new CustomsError('REGISTRY_ERROR', `${what}: ${client.host} keeps sending next-page links (${n} pages)`);
    }
    seen.add(path);
    const res = await client.get(path, 'application/json', what);
    const text = (await readBounded(res.body, MAX_PAGE_BYTES, what, 'REGISTRY_ERROR')).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new CustomsError('REGISTRY_ERROR', `${what}: ${client.host} answered with something that is not JSON`, e);
    }
    yield* pick(body);
    const next = nextLink(res.headers.link);
    path = next === undefined ? undefined : linkPath(client, next, what);
  }
}

function strings(body: unknown, field: string, what: string): string[] {
  const v = (body as Record<string, unknown> | null)?.[field];
  // distribution answers `"tags": null` for a repository without tags.
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new CustomsError('REGISTRY_ERROR', `${what}: "${field}" is not a list of strings`);
  }
  return v as string[];
}

export interface ListOptions {
  readonly pageSize?: number;
}

/** A registry's API client for listing: `host` is the registry's host[:port]. */
export function registryLister(host: string, ctx: Context) {
  const clients = new Map<string, RegistryClient>();
  // One client per repository: a Bearer token is scoped to the repository it was asked for.
  const client = (repository: string): RegistryClient => {
    let c = clients.get(repository);
    if (!c) {
      c = new RegistryClient(host, repository, ctx);
      clients.set(repository, c);
    }
    return c;
  };
  const n = (opts: ListOptions): number => Math.max(1, Math.floor(opts.pageSize ?? DEFAULT_PAGE_SIZE));
  return {
    /** Every repository name in the catalog. */
    repositories(opts: ListOptions = {}): AsyncGenerator<string> {
      const what = `catalog of ${host}`;
      return pages(client(''), `_catalog?n=${n(opts)}`, what, (b) => strings(b, 'repositories', what));
    },
    /** Every tag of a repository. */
    tags(repository: string, opts: ListOptions = {}): AsyncGenerator<string> {
      const what = `tags of ${host}/${repository}`;
      return pages(client(repository), `${repository}/tags/list?n=${n(opts)}`, what, (b) => strings(b, 'tags', what));
    },
    /** A manifest's digest and media type, by tag or digest, without its body. */
    async head(repository: string, reference: string): Promise<{ digest: Digest; mediaType?: string }> {
      const what = `manifest ${host}/${repository}:${reference}`;
      const c = client(repository);
      const res = await c.head(`${repository}/manifests/${reference}`, MANIFEST_ACCEPT, what);
      res.body.resume();
      const dcd = res.headers['docker-content-digest'];
      const digest = Array.isArray(dcd) ? dcd[0] : dcd;
      const ct = res.headers['content-type'];
      const mediaType = (Array.isArray(ct) ? ct[0] : ct)?.split(';')[0]?.trim();
      if (digest !== undefined && /^sha256:[0-9a-f]{64}$/.test(digest)) {
        return { digest: digest as Digest, ...(mediaType ? { mediaType } : {}) };
      }
      // No digest header (optional in the spec): GET the manifest and hash it.
      const got = await this.manifest(repository, reference);
      return { digest: got.digest, ...(got.mediaType ? { mediaType: got.mediaType } : {}) };
    },
    /** A manifest's bytes, verified against `reference` when it is a digest. */
    async manifest(
      repository: string,
      reference: string,
    ): Promise<{ bytes: Buffer; digest: Digest; mediaType?: string }> {
      const what = `manifest ${host}/${repository}@${reference}`;
      const res = await client(repository).get(`${repository}/manifests/${reference}`, MANIFEST_ACCEPT, what);
      const bytes = await readBounded(res.body, MAX_DOCUMENT_SIZE, what);
      if (reference.startsWith('sha256:')) verifyBytes(bytes, reference as Digest, what);
      const ct = res.headers['content-type'];
      const mediaType = (Array.isArray(ct) ? ct[0] : ct)?.split(';')[0]?.trim();
      return {
        bytes,
        digest: reference.startsWith('sha256:') ? (reference as Digest) : sha256(bytes),
        ...(mediaType ? { mediaType } : {}),
      };
    },
    async close(): Promise<void> {
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}

export type RegistryLister = ReturnType<typeof registryLister>;

/** Whether a manifest media type (or a parsed manifest's own) is an index / manifest list. */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_MEDIA_TYPES.includes(mediaType);
}

export interface IndexEntry {
  readonly digest: Digest;
  readonly mediaType?: string;
  /** os/arch[/variant]; absent for entries without a platform (attestations …). */
  readonly platform?: string;
}

/** The entries of an image index / manifest list (image-spec image-index.md). */
export function indexEntries(bytes: Buffer, what: string): IndexEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new CustomsError('IMAGE_MANIFEST_INVALID', `${what} is not JSON`, e);
  }
  const manifests = (doc as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) throw new CustomsError('IMAGE_MANIFEST_INVALID', `${what} has no "manifests" list`);
  const out: IndexEntry[] = [];
  for (const m of manifests as Record<string, unknown>[]) {
    if (typeof m?.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(m.digest)) continue;
    const p = m.platform as { os?: unknown; architecture?: unknown; variant?: unknown } | undefined;
    const platform =
      typeof p?.os === 'string' && typeof p.architecture === 'string'
        ? [p.os, p.architecture, ...(typeof p.variant === 'string' && p.variant ? [p.variant] : [])].join('/')
        : undefined;
    out.push({
      digest: m.digest as Digest,
      ...(typeof m.mediaType === 'string' ? { mediaType: m.mediaType } : {}),
      ...(platform !== undefined ? { platform } : {}),
    });
  }
  return out;
}
