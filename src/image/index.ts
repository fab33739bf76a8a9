export * from './types.js';
export { openImage, openTarget, normalisedReference } from './open-image.js';
export { parseTarget, type Target } from './target.js';
export {
  type ImageReference,
  parseReference,
  parseNormalizedReference,
  formatReference,
  familiarName,
  repositoryName,
  withDefaultTag,
  splitDockerDomain,
  canonicalDomain,
  DEFAULT_DOMAIN,
} from './reference.js';
export { hostPlatform, parsePlatform, formatPlatform } from './platform.js';
export { MEDIA_TYPES, layerCompression, sniffCompression } from './media-types.js';
export {
  encodeHeader as encodeTarHeader,
  endOfArchive as tarEndOfArchive,
  padding as tarPadding,
  type TarHeader,
} from './tar/tar-writer.js';
export { TarReader, type TarEntry } from './tar/tar-reader.js';
export { normaliseEntryName, resolveLinkTarget } from './tar/entry-path.js';
export { layerFromSource, makeLayer, type LayerSpec } from './make-layer.js';
export { servePipe } from './layer-pipe.js';
export { gzipInflaterName } from './gzip-inflater.js';
export {
  DEFAULT_PAGE_SIZE,
  type IndexEntry,
  indexEntries,
  isIndexMediaType,
  type ListOptions,
  nextLink,
  type RegistryLister,
  registryLister,
} from './registry/listing.js';
export { classifyAddress, type AddressClass } from './registry/address-policy.js';
export { type DaemonEndpoint, parseDockerHost } from './docker-daemon.js';
export { resolveDigest } from './registry/resolve-digest.js';
export { RegistryClient } from './registry/registry-client.js';
export {
  type BlobCopy,
  type CopyResult,
  type FetchedManifest,
  blobExists,
  copyBlob,
  copyImage,
  getBlob,
  getManifest,
  listReferrers,
  pushBlob,
  pushReferrer,
  EMPTY_MEDIA_TYPE,
  putManifest,
  referrersTag,
  repositoryClient,
  RepositoryClients,
} from './registry/registry-push.js';
export type { Descriptor } from './manifest.js';
