/**
 * docker-archive: the tarball of `docker save` (moby image/tarexport):
 * manifest.json = [{Config, RepoTags, Layers}], config and layer files named
 * in it. Docker 25+ writes an OCI layout inside the same tar (blobs/sha256/…,
 * index.json) and keeps manifest.json; both read through manifest.json.
 * Gzip/zstd-compressed tarballs are decompressed once into a temp file.
 */
import { resolve } from 'node:path';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CustomsError, type Context, type Digest, sha256, verifyBytes } from '../core/index.js';
import { MAX_DOCUMENT_SIZE, parseJson } from './bounded-read.js';
import { checkConfigPlatform } from './image-from-manifest.js';
import { makeLayer } from './make-layer.js';
import { parseConfig, parseIndex, parseManifest } from './manifest.js';
import { SNIFFED_LAYER_MEDIA_TYPE } from './media-types.js';
import { formatReference, parseNormalizedReference, withDefaultTag } from './reference.js';
import { TarIndex } from './tar-index.js';
import { decompressIfNeeded, makeTempDir } from './temp-files.js';
import type { Image, Layer } from './types.js';

const ArchiveManifest = Type.Array(
  Type.Object({
    Config: Type.String({ minLength: 1 }),
    RepoTags: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
    Layers: Type.Array(Type.String({ minLength: 1 }), { maxItems: 10000 }),
  }),
  { maxItems: 10000 },
);

export interface ArchiveSelector {
  /** `name:tag` from `docker-archive:PATH:REF`. */
  readonly ref?: string;
  /** `@N` from `docker-archive:PATH@N`. */
  readonly index?: number;
}

/** Digest named by a file like `blobs/sha256/<hex>` or `<hex>.json`. */
function digestFromPath(p: string): Digest | undefined {
  const m = /^(?:blobs\/(sha256|sha512)\/)?([a-f0-9]{64}|[a-f0-9]{128})(?:\.json)?$/.exec(p);
  if (!m?.[2]) return undefined;
  const alg = m[1] ?? 'sha256';
  if ((alg === 'sha256' && m[2].length !== 64) || (alg === 'sha512' && m[2].length !== 128)) return undefined;
  return `${alg}:${m[2]}`;
}

function sameRef(a: string, b: string): boolean {
  try {
    return (
      formatReference(withDefaultTag(parseNormalizedReference(a))) ===
      formatReference(withDefaultTag(parseNormalizedReference(b)))
    );
  } catch {
    return a === b;
  }
}

export async function openDockerArchive(
  path: string,
  sel: ArchiveSelector,
  ctx: Context,
  nameOverride?: string,
): Promise<Image> {
  return (await openDockerArchiveWithConfig(path, sel, ctx, nameOverride)).image;
}

/** openDockerArchive, and the config's bytes as the archive holds them (verified against the image's config digest). */
export async function openDockerArchiveWithConfig(
  path: string,
  sel: ArchiveSelector,
  ctx: Context,
  nameOverride?: string,
): Promise<{ readonly image: Image; readonly configBytes: Buffer }> {
  const abs = resolve(path);
  const suffix = sel.ref !== undefined ? `:${sel.ref}` : sel.index !== undefined ? `@${sel.index}` : '';
  const name = nameOverride ?? `docker-archive:${abs}${suffix}`;
  const tmp = await makeTempDir(ctx, 'archive');
  try {
    const tarPath = await decompressIfNeeded(abs, tmp, ctx, name);
    const tar = await TarIndex.build(tarPath, name);
    if (!tar.has('manifest.json')) {
      throw new CustomsError(
        'IMAGE_FORMAT_INVALID',
        `${name}: no manifest.json, so this is not a docker-archive${tar.has('oci-layout') ? ' (it is an OCI layout: use oci-archive:)' : ''}`,
      );
    }
    const json = parseJson(await tar.read('manifest.json', MAX_DOCUMENT_SIZE, name), `${name}: manifest.json`);
    if (!Value.Check(ArchiveManifest, json)) {
      const problems = [...Value.Errors(ArchiveManifest, json)]
        .slice(0, 20)
        .map((e) => `${e.path || '/'}: ${e.message}`);
      throw new CustomsError('IMAGE_MANIFEST_INVALID', `${name}: manifest.json is invalid: ${problems.join('; ')}`);
    }
    const entries = json;
    const describe = (): string =>
      entries.map((e, i) => `@${i} ${(e.RepoTags ?? []).join(' ') || '(untagged)'}`).join(', ');
    let entry = entries[0];
    if (sel.index !== undefined) {
      entry = entries[sel.index];
      if (!entry)
        throw new CustomsError(
          'IMAGE_NOT_FOUND',
          `${name}: no image @${sel.index}; the archive holds ${entries.length}: ${describe()}`,
        );
    } else if (sel.ref !== undefined) {
      const ref = sel.ref;
      entry = entries.find((e) => (e.RepoTags ?? []).some((t) => sameRef(t, ref)));
      if (!entry)
        throw new CustomsError(
          'IMAGE_NOT_FOUND',
          `${name}: no image tagged "${ref}"; the archive holds: ${describe()}`,
        );
    } else if (entries.length > 1) {
      throw new CustomsError(
        'USAGE_BAD_ARGUMENT',
        `${name} holds ${entries.length} images; pick one as docker-archive:PATH:NAME:TAG or docker-archive:PATH@N: ${describe()}`,
      );
    }
    if (!entry) throw new CustomsError('IMAGE_FORMAT_INVALID', `${name}: manifest.json lists no images`);

    const configWhat = `config ${entry.Config} of ${name}`;
    const configBytes = await tar.read(entry.Config, MAX_DOCUMENT_SIZE, configWhat);
    const namedDigest = digestFromPath(entry.Config);
    const configDigest = namedDigest ?? sha256(configBytes);
    const config = parseConfig(configBytes, namedDigest, configWhat);
    checkConfigPlatform(config, ctx.config.platform, name);
    const diffIDs = config.rootfs.diff_ids;
    if (diffIDs.length !== entry.Layers.length) {
      throw new CustomsError(
        'IMAGE_MANIFEST_INVALID',
        `${name}: manifest.json lists ${entry.Layers.length} layers but the config has ${diffIDs.length} diff_ids`,
      );
    }
    const layers: Layer[] = entry.Layers.map((file, i) => {
      const diffID = diffIDs[i] as Digest;
      const blobDigest = digestFromPath(file);
      const member = tar.member(file, `layer ${i} of ${name}`);
      const what = `layer ${i} (${file}) of ${name}`;
      const located = tar.locate(file);
      return makeLayer({
        diffID,
        // Legacy `<id>/layer.tar` files carry no digest of their own; the diffID covers their content.
        digest: blobDigest ?? diffID,
        mediaType: SNIFFED_LAYER_MEDIA_TYPE,
        size: member.size,
        compression: 'sniff',
        verifyBlob: blobDigest !== undefined,
        verifyDiffID: true,
        what,
        limits: ctx.config.limits,
        openBlob: async () => tar.open(file, what),
        ...(located ? { file: located } : {}),
      });
    });
    const manifestDigest = await findManifestDigest(tar, configDigest, name);
    const image: Image = {
      name,
      transport: 'docker-archive',
      ...(manifestDigest ? { manifestDigest } : {}),
      repoDigests: [],
      repoTags: entry.RepoTags ?? [],
      configDigest,
      config,
      layers,
      close: () => tmp.remove(),
    };
    return { image, configBytes };
  } catch (e) {
    await tmp.remove();
    throw e;
  }
}

/** Docker 25+ archives carry the OCI manifest too; its digest identifies the image. */
async function findManifestDigest(tar: TarIndex, configDigest: Digest, name: string): Promise<Digest | undefined> {
  if (!tar.has('index.json')) return undefined;
  try {
    const index = parseIndex(
      parseJson(await tar.read('index.json', MAX_DOCUMENT_SIZE, name), name),
      `${name}: index.json`,
    );
    for (const d of index.manifests) {
      const p = `blobs/${d.digest.replace(':', '/')}`;
      if (!tar.has(p) || d.size > MAX_DOCUMENT_SIZE) continue;
      const bytes = await tar.read(p, MAX_DOCUMENT_SIZE, name);
      verifyBytes(bytes, d.digest, `manifest ${d.digest} of ${name}`);
      const json = parseJson(bytes, name);
      if (typeof json === 'object' && json !== null && 'config' in json) {
        const m = parseManifest(json, `manifest ${d.digest} of ${name}`, d.mediaType);
        if (m.config.digest === configDigest) return d.digest;
      }
    }
  } catch (e) {
    if (e instanceof CustomsError && e.code === 'IMAGE_DIGEST_MISMATCH') throw e;
  }
  return undefined;
}
