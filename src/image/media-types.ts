/**
 * Media types of the OCI image spec (media-types.md) and of Docker's image
 * manifest v2 schema 2 (distribution/docs/spec/manifest-v2-2.md).
 */
import type { LayerCompression } from './types.js';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export const MANIFEST_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest];
export const INDEX_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList];
export const CONFIG_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.ociConfig, MEDIA_TYPES.dockerConfig];
export const SCHEMA1_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.dockerSchema1, MEDIA_TYPES.dockerSchema1Signed];

/** Accept header for manifests, preferred first (Distribution spec: content negotiation). */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
].join(', ');

/**
 * Layer media types and their compression. OCI: image-spec layer.md
 * (including the deprecated non-distributable variants); Docker: rootfs.diff
 * and foreign layers. `undefined` means "not a layer type customs reads".
 */
const LAYER_COMPRESSION: Readonly<Record<string, LayerCompression>> = {
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd': 'zstd',
  'application/vnd.docker.image.rootfs.diff.tar': 'none',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd': 'zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar': 'none',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
};

export function layerCompression(mediaType: string): LayerCompression | undefined {
  return LAYER_COMPRESSION[mediaType];
}

/**
 * Media type recorded for layers whose stored form is only known from its
 * bytes (docker-archive layer files, rootfs dirs): compression is sniffed.
 */
export const SNIFFED_LAYER_MEDIA_TYPE = 'application/vnd.docker.image.rootfs.diff.tar';

/** Magic numbers: gzip RFC 1952 §2.3.1 (1f 8b), zstd RFC 8878 §3.1.1 (28 b5 2f fd). */
export function sniffCompression(head: Uint8Array): LayerCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}
