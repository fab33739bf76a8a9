/**
 * Walk from a manifest-ish document (manifest, image index, manifest list) to
 * the one image manifest for the wanted platform. Shared by OCI layouts and
 * registries.
 */
import { CustomsError, type Digest } from '../core/index.js';
import { parseJson } from './bounded-read.js';
import {
  type Descriptor,
  descriptorPlatform,
  documentKind,
  type ImageIndex,
  isAttestation,
  type Manifest,
  parseIndex,
  parseManifest,
  schema1Error,
} from './manifest.js';
import { formatPlatform, platformMatches, platformScore } from './platform.js';
import type { Platform } from './types.js';

export interface ResolvedManifest {
  readonly manifest: Manifest;
  readonly digest: Digest;
  readonly bytes: Buffer;
}

/** Fetches a child manifest or index, verified against the descriptor's digest. */
export type FetchManifest = (d: Descriptor) => Promise<Buffer>;

const MAX_DEPTH = 4;

/** Pick the descriptor for `want` from an index, or fail listing what there is. */
export function pickPlatform(index: ImageIndex, want: Platform, what: string): Descriptor {
  const candidates = index.manifests.filter((d) => !isAttestation(d));
  const matching = candidates
    .map((d) => ({ d, p: descriptorPlatform(d) }))
    .filter((x): x is { d: Descriptor; p: Platform } => x.p !== undefined && platformMatches(want, x.p))
    .sort((a, b) => platformScore(want, b.p) - platformScore(want, a.p));
  const best = matching[0];
  if (best) return best.d;
  // An index whose single entry has no platform (some OCI layouts) is that image.
  const only = candidates[0];
  if (candidates.length === 1 && only && !only.platform) return only;
  const available = candidates.map((d) => {
    const p = descriptorPlatform(d);
    return p ? formatPlatform(p) : `(no platform) ${d.digest}`;
  });
  throw new CustomsError(
    'IMAGE_PLATFORM_NOT_FOUND',
    `${what} has no image for platform ${formatPlatform(want)}; available: ${available.length > 0 ? available.join(', ') : 'none'}`,
  );
}

export async function resolveManifest(
  bytes: Buffer,
  declaredMediaType: string | undefined,
  digest: Digest,
  want: Platform,
  fetch: FetchManifest,
  what: string,
  depth = 0,
): Promise<ResolvedManifest> {
  if (depth > MAX_DEPTH)
    throw new CustomsError('IMAGE_MANIFEST_INVALID', `${what}: indexes nested deeper than ${MAX_DEPTH} levels`);
  const json = parseJson(bytes, what);
  const kind = documentKind(declaredMediaType, json);
  switch (kind) {
    case 'manifest':
      return { manifest: parseManifest(json, what, declaredMediaType), digest, bytes };
    case 'index': {
      const index = parseIndex(json, what, declaredMediaType);
      const chosen = pickPlatform(index, want, what);
      const child = await fetch(chosen);
      return resolveManifest(
        child,
        chosen.mediaType,
        chosen.digest,
        want,
        fetch,
        `${what} → ${chosen.digest}`,
        depth + 1,
      );
    }
    case 'schema1':
      throw schema1Error(what);
    default:
      throw new CustomsError(
        'IMAGE_MEDIA_TYPE_UNSUPPORTED',
        `${what}: media type "${declaredMediaType ?? '(none)'}" is neither an image manifest nor an index`,
      );
  }
}
