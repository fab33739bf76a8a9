/**
 * Names of the customs properties in CycloneDX (`properties`) and SPDX
 * (package annotations). CycloneDX property taxonomy convention: names are
 * colon-separated and start with a namespace the producer owns; "customs:"
 * is ours, and a name may repeat (one `customs:path` per path).
 */
export const PROP = {
  ecosystem: 'customs:ecosystem',
  packageId: 'customs:package:id',
  layerDiffID: 'customs:layer:diffID',
  path: 'customs:path',
  sourceName: 'customs:source:name',
  sourceVersion: 'customs:source:version',
  license: 'customs:license:declared',
  metaPrefix: 'customs:meta:',
  imageTransport: 'customs:image:transport',
  imageConfigDigest: 'customs:image:configDigest',
  imageManifestDigest: 'customs:image:manifestDigest',
  imageRepoDigest: 'customs:image:repoDigest',
  imageRepoTag: 'customs:image:repoTag',
  imagePlatform: 'customs:image:platform',
  imageLayerDiffID: 'customs:image:layer:diffID',
  osFamily: 'customs:os:family',
  osName: 'customs:os:name',
  osCodename: 'customs:os:codename',
  osDistroless: 'customs:os:distroless',
  osEol: 'customs:os:eol',
} as const;

/** Trivy's names for the same facts, read when importing its SBOMs. */
export const TRIVY_PROP = {
  layerDiffID: 'aquasecurity:trivy:LayerDiffID',
  path: 'aquasecurity:trivy:FilePath',
  sourceName: 'aquasecurity:trivy:SrcName',
  sourceVersion: 'aquasecurity:trivy:SrcVersion',
  sourceRelease: 'aquasecurity:trivy:SrcRelease',
  sourceEpoch: 'aquasecurity:trivy:SrcEpoch',
} as const;
