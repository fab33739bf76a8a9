/**
 * Assemble an Image from a resolved manifest and a blob source: verify and
 * parse the config, pair each layer descriptor with its diffID.
 */
import type { Readable } from 'node:stream';
import { CustomsError, type Context, type Digest } from '../core/index.js';
import { MAX_DOCUMENT_SIZE } from './bounded-read.js';
import { makeLayer } from './make-layer.js';
import { type Descriptor, parseConfig } from './manifest.js';
import { layerCompression } from './media-types.js';
import { formatPlatform, parsePlatform, platformMatches } from './platform.js';
import type { ResolvedManifest } from './resolve-manifest.js';
import type { FileRange, Image, ImageConfig, Layer, Transport } from './types.js';

export interface BlobSource {
  /** The stored bytes of a blob (unverified; callers verify while streaming). */
  open(d: Descriptor): Promise<Readable>;
  /** A small blob read whole, bounded by `max`, verified against its digest. */
  read(d: Descriptor, max: number, what: string): Promise<Buffer>;
  /** Where the blob is on local disk, when it is. */
  locate?(d: Descriptor): FileRange | undefined;
}

export interface ImageMeta {
  readonly name: string;
  readonly transport: Transport;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  readonly close: () => Promise<void>;
}

/** If the user asked for a platform explicitly, a single-platform image must be it. */
export function checkConfigPlatform(config: ImageConfig, requested: string | undefined, what: string): void {
  if (!requested || !config.os || !config.architecture) return;
  const want = parsePlatform(requested);
  const have = config.variant
    ? { os: config.os, architecture: config.architecture, variant: config.variant }
    : { os: config.os, architecture: config.architecture };
  if (!platformMatches(want, have)) {
    throw new CustomsError(
      'IMAGE_PLATFORM_NOT_FOUND',
      `${what} is a single-platform image for ${formatPlatform(have)}, not ${formatPlatform(want)}; available: ${formatPlatform(have)}`,
    );
  }
}

export async function imageFromManifest(
  resolved: ResolvedManifest,
  blobs: BlobSource,
  meta: ImageMeta,
  ctx: Context,
): Promise<Image> {
  const what = meta.name;
  const m = resolved.manifest;
  const configBytes = await blobs.read(m.config, MAX_DOCUMENT_SIZE, `config ${m.config.digest} of ${what}`);
  const config = parseConfig(configBytes, m.config.digest, `config ${m.config.digest} of ${what}`);
  checkConfigPlatform(config, ctx.config.platform, what);
  const diffIDs = config.rootfs.diff_ids;
  if (diffIDs.length !== m.layers.length) {
    throw new CustomsError(
      'IMAGE_MANIFEST_INVALID',
      `${what}: the manifest lists ${m.layers.length} layers but the config has ${diffIDs.length} diff_ids`,
    );
  }
  const layers: Layer[] = m.layers.map((d, i) => {
    const compression = layerCompression(d.mediaType);
    if (compression === undefined) {
      throw new CustomsError(
        'IMAGE_MEDIA_TYPE_UNSUPPORTED',
        `${what}: layer ${i} (${d.digest}) has media type "${d.mediaType}"; supported are tar, tar+gzip and tar+zstd layers`,
      );
    }
    const diffID = diffIDs[i] as Digest;
    const file = blobs.locate?.(d);
    return makeLayer({
      diffID,
      digest: d.digest,
      mediaType: d.mediaType,
      size: d.size,
      compression,
      verifyBlob: true,
      verifyDiffID: true,
      what: `layer ${i} (${d.digest}) of ${what}`,
      limits: ctx.config.limits,
      openBlob: () => blobs.open(d),
      ...(file ? { file } : {}),
    });
  });
  return {
    name: meta.name,
    transport: meta.transport,
    manifestDigest: resolved.digest,
    repoDigests: meta.repoDigests,
    repoTags: meta.repoTags,
    configDigest: m.config.digest,
    config,
    layers,
    close: meta.close,
  };
}
