/**
 * OCI image layout (image-spec image-layout.md): `oci-layout`, `index.json`,
 * `blobs/<alg>/<hex>`, as a directory (`oci:`) or a tar of one (`oci-archive:`).
 * `REF` picks a manifest by its `org.opencontainers.image.ref.name` annotation.
 */
import { CustomsError, type Context, verifyBytes } from '../core/index.js';
import { MAX_DOCUMENT_SIZE, parseJson } from './bounded-read.js';
import { imageFromManifest } from './image-from-manifest.js';
import { type LayoutFiles, layoutBlobs, blobPath } from './layout-files.js';
import { type Descriptor, isAttestation, parseIndex } from './manifest.js';
import { pickPlatform, resolveManifest } from './resolve-manifest.js';
import { wantedPlatform } from './platform.js';
import type { Image, Transport } from './types.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
/** containerd / Docker write the full image name here in exported layouts. */
const CONTAINERD_NAME = 'io.containerd.image.name';

export interface LayoutMeta {
  readonly name: string;
  readonly transport: Transport;
  readonly close: () => Promise<void>;
}

function refOf(d: Descriptor): string | undefined {
  return d.annotations?.[REF_NAME] ?? d.annotations?.[CONTAINERD_NAME];
}

export async function checkOciLayout(files: LayoutFiles, what: string): Promise<void> {
  if (!(await files.has('oci-layout'))) {
    throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: no "oci-layout" file, so this is not an OCI image layout`);
  }
  const json = parseJson(await files.read('oci-layout', 64 * 1024, what), `${what}: oci-layout`);
  const v =
    typeof json === 'object' && json !== null ? (json as Record<string, unknown>).imageLayoutVersion : undefined;
  if (typeof v !== 'string' || !v.startsWith('1.')) {
    throw new CustomsError(
      'IMAGE_FORMAT_INVALID',
      `${what}: oci-layout imageLayoutVersion is ${JSON.stringify(v)}, expected "1.0.0"`,
    );
  }
}

/** Choose the top-level descriptor of index.json the user means. */
export function selectFromLayoutIndex(
  manifests: readonly Descriptor[],
  ref: string | undefined,
  platform: string | undefined,
  what: string,
): Descriptor {
  const all = manifests.filter((d) => !isAttestation(d));
  const refs = [...new Set(all.map(refOf).filter((r): r is string => r !== undefined))];
  let candidates = all;
  if (ref !== undefined) {
    candidates = all.filter((d) => {
      const r = refOf(d);
      // Docker writes the full name ("docker.io/library/x:1") and the tag ("1") as ref names.
      return r === ref || d.annotations?.[REF_NAME] === ref || (r?.endsWith(`:${ref}`) === true && !ref.includes(':'));
    });
    if (candidates.length === 0) {
      throw new CustomsError(
        'IMAGE_NOT_FOUND',
        `${what} has no image named "${ref}"; available: ${refs.length > 0 ? refs.join(', ') : '(no ref names)'}`,
      );
    }
  }
  const first = candidates[0];
  if (candidates.length === 1 && first) return first;
  if (candidates.length === 0) throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: index.json lists no manifests`);
  if (candidates.every((d) => d.platform !== undefined)) {
    return pickPlatform({ mediaType: '', manifests: candidates }, wantedPlatform(platform), what);
  }
  const distinct = new Set(candidates.map((d) => d.digest));
  if (distinct.size === 1 && first) return first;
  throw new CustomsError(
    'USAGE_BAD_ARGUMENT',
    `${what} holds ${candidates.length} images; name one as oci:PATH:REF, with REF one of: ${refs.length > 0 ? refs.join(', ') : candidates.map((d) => d.digest).join(', ')}`,
  );
}

export async function openOciLayout(
  files: LayoutFiles,
  ref: string | undefined,
  meta: LayoutMeta,
  ctx: Context,
): Promise<Image> {
  const what = meta.name;
  await checkOciLayout(files, what);
  const indexBytes = await files.read('index.json', MAX_DOCUMENT_SIZE, `${what}: index.json`);
  const index = parseIndex(parseJson(indexBytes, `${what}: index.json`), `${what}: index.json`);
  const top = selectFromLayoutIndex(index.manifests, ref, ctx.config.platform, what);
  const fetch = async (d: Descriptor): Promise<Buffer> => {
    if (d.size > MAX_DOCUMENT_SIZE) {
      throw new CustomsError(
        'IMAGE_MANIFEST_INVALID',
        `${what}: manifest ${d.digest} declares ${d.size} bytes, more than ${MAX_DOCUMENT_SIZE}`,
      );
    }
    const bytes = await files.read(blobPath(d.digest), MAX_DOCUMENT_SIZE, `manifest ${d.digest} of ${what}`);
    verifyBytes(bytes, d.digest, `manifest ${d.digest} of ${what}`);
    return bytes;
  };
  const topBytes = await fetch(top);
  const resolved = await resolveManifest(
    topBytes,
    top.mediaType,
    top.digest,
    wantedPlatform(ctx.config.platform),
    fetch,
    what,
  );
  const tag = refOf(top);
  return imageFromManifest(
    resolved,
    layoutBlobs(files, what),
    { ...meta, repoTags: tag ? [tag] : [], repoDigests: [] },
    ctx,
  );
}
