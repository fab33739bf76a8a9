/**
 * One search box (docs/dashboard.md "Search"): the query says what it is —
 * a vulnerability ID (CVE-…, GHSA-…, or another advisory ID), an image
 * digest, a package URL, an image reference or repository name, or a package
 * name — and the answer is the stored images it names, each with its tags
 * and, for a vulnerability, the affected packages and their fixed versions.
 * Every branch goes through an index (findings, package index, tags), so it
 * stays fast with many thousands of images.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ImageSummary, Store } from '../../store/index.js';
import type { RoutePlugin } from '../context.js';
import { body, errorResponses } from '../http/index.js';
import { ImageSummarySchema } from './schemas.js';

export const SEARCH_KINDS = ['vulnerability', 'digest', 'purl', 'reference', 'name'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

const VULN_ID =
  /^(?:CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3}|[A-Z][A-Z0-9]+-\d{4}-\d+|[A-Z]{2,}-[0-9A-Za-z]+-[0-9A-Za-z-]+)$/i;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** What a query names; IDs are matched in the case their databases use (CVE upper, GHSA suffix lower). */
export function classifyQuery(raw: string): { kind: SearchKind; value: string } {
  const q = raw.trim();
  if (DIGEST.test(q.toLowerCase())) return { kind: 'digest', value: q.toLowerCase() };
  if (/^pkg:/i.test(q)) return { kind: 'purl', value: q };
  if (/^GHSA-/i.test(q) && VULN_ID.test(q)) return { kind: 'vulnerability', value: `GHSA-${q.slice(5).toLowerCase()}` };
  if (/^CVE-/i.test(q) && VULN_ID.test(q)) return { kind: 'vulnerability', value: q.toUpperCase() };
  if (/^[A-Z][A-Z0-9]*-\d{4}-\d+$/.test(q)) return { kind: 'vulnerability', value: q };
  if (/[/:@]/.test(q)) return { kind: 'reference', value: q };
  return { kind: 'name', value: q };
}

/** The package name of a purl (ECMA-427 §5: the last path segment, before @version, percent-decoded). */
export function purlName(purl: string): string | undefined {
  const path = purl.replace(/^pkg:/i, '').split(/[?#]/)[0] ?? '';
  const segments = path.split('/');
  const last = segments[segments.length - 1] ?? '';
  const name = last.split('@')[0] ?? '';
  try {
    return segments.length >= 2 && name !== '' ? decodeURIComponent(name) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The repository names an image reference may be stored under: its path
 * without tag or digest, and without a leading registry host (a first
 * component with a dot or a colon, or localhost: the reference grammar of
 * the distribution spec).
 */
export function repositoryCandidates(ref: string): string[] {
  const noDigest = ref.split('@')[0] ?? ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const path = colon > slash ? noDigest.slice(0, colon) : noDigest;
  const parts = path.split('/');
  const out = new Set<string>([path]);
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost'))
    out.add(parts.slice(1).join('/'));
  if (parts.length === 1) out.add(`library/${path}`);
  return [...out].filter((s) => s !== '');
}

async function imagesOf(store: Store, q: Parameters<Store['listings']['images']>[0]): Promise<ImageSummary[]> {
  return store.listings.images(q);
}

const ResultSchema = Type.Object({
  ...ImageSummarySchema.properties,
  packages: Type.Optional(Type.Array(Type.String({ description: 'purls the query matched in this image' }))),
  fixedVersions: Type.Optional(Type.Array(Type.String({ description: 'Versions that fix the vulnerability' }))),
  severity: Type.Optional(Type.String()),
});

export const searchRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;

  app.get(
    '/api/v1/search',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['images'],
        summary: 'One search: a CVE/GHSA ID, a package name or purl, an image reference or digest, a repository',
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 500 }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        }),
        response: {
          200: Type.Object({
            query: Type.String(),
            kind: Type.Union(SEARCH_KINDS.map((k) => Type.Literal(k))),
            items: Type.Array(ResultSchema),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const { kind, value } = classifyQuery(request.query.q);
      let items: (ImageSummary & { packages?: string[]; fixedVersions?: string[]; severity?: string })[] = [];
      if (kind === 'vulnerability') {
        const rows = await store.listings.imagesWithFinding(value, { afterId: 0, limit });
        const fixes = new Map<string, Set<string>>();
        for (const f of await store.findings.withId(value)) {
          const fixed = (f.data as { fixedVersions?: unknown } | null)?.fixedVersions;
          if (!Array.isArray(fixed)) continue;
          const set = fixes.get(f.imageDigest) ?? new Set<string>();
          for (const v of fixed) if (typeof v === 'string') set.add(v);
          fixes.set(f.imageDigest, set);
        }
        items = rows.map(({ refs: _refs, ...r }) => ({
          ...r,
          packages: [...r.packages],
          fixedVersions: [...(fixes.get(r.digest) ?? [])].sort(),
        }));
      } else if (kind === 'digest') {
        const image = await store.images.get(value);
        if (image) {
          const [listed] = await imagesOf(store, { afterId: image.id - 1, limit: 1 });
          if (listed && listed.id === image.id) items = [listed];
        }
      } else if (kind === 'purl') {
        const name = purlName(value);
        if (name !== undefined) items = await imagesOf(store, { package: name, limit });
      } else {
        const seen = new Set<number>();
        const repos = kind === 'reference' ? repositoryCandidates(value) : [value, `library/${value}`];
        const batches = await Promise.all([
          ...repos.map((repository) => imagesOf(store, { repository, limit })),
          ...(kind === 'name' ? [imagesOf(store, { package: value, limit })] : []),
        ]);
        for (const batch of batches)
          for (const row of batch)
            if (!seen.has(row.id) && items.length < limit) {
              seen.add(row.id);
              items.push(row);
            }
        // An image reference names one tag: its images first.
        const tag =
          kind === 'reference'
            ? /:([A-Za-z0-9_][A-Za-z0-9._-]{0,127})$/.exec(value.split('@')[0] ?? '')?.[1]
            : undefined;
        if (tag !== undefined)
          items.sort((a, b) => Number(b.tags.some((t) => t.tag === tag)) - Number(a.tags.some((t) => t.tag === tag)));
      }
      return body({ query: request.query.q, kind, items });
    },
  );
};
