import type { MessagePort } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import type { Digest } from '../core/index.js';

/** OCI image config (image-spec config.md), the fields customs reads. */
export interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  readonly created?: string;
  readonly author?: string;
  readonly config?: {
    readonly User?: string;
    readonly Env?: readonly string[];
    readonly Entrypoint?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly WorkingDir?: string;
    readonly Labels?: Readonly<Record<string, string>> | null;
    readonly ExposedPorts?: Readonly<Record<string, unknown>> | null;
    readonly Volumes?: Readonly<Record<string, unknown>> | null;
    readonly Healthcheck?: { readonly Test?: readonly string[] } | null;
    readonly StopSignal?: string;
  };
  readonly rootfs: { readonly type: string; readonly diff_ids: readonly Digest[] };
  readonly history?: readonly {
    readonly created?: string;
    readonly created_by?: string;
    readonly comment?: string;
    readonly empty_layer?: boolean;
  }[];
}

export type LayerCompression = 'none' | 'gzip' | 'zstd';

/** A blob stored in a local file: the whole file, or a byte range of an archive. */
export interface FileRange {
  readonly path: string;
  readonly start: number;
  readonly length: number;
}

/**
 * A layer kept by the local Docker Engine (overlay2): its tar is rebuilt from
 * the tar-split metadata and the files of its diff directory (tar-split.ts).
 */
export interface EngineLayerFiles {
  /** `<root>/image/overlay2/layerdb/sha256/<chain-id>/tar-split.json.gz` */
  readonly tarSplit: string;
  /** `<root>/overlay2/<cache-id>/diff` */
  readonly diffDir: string;
}

/**
 * A description of a layer that another thread can rebuild with `layerFromSource`
 * (structured-clonable): its bytes are a local file range (`file`), an engine
 * layer (`engine`), or arrive over a MessagePort from the thread that reads them
 * (`pipe`, layer-pipe.ts: registry blobs).
 */
export type LayerSource = LayerDescription &
  (
    | { readonly file: FileRange; readonly engine?: undefined; readonly pipe?: undefined }
    | { readonly engine: EngineLayerFiles; readonly file?: undefined; readonly pipe?: undefined }
    | { readonly pipe: MessagePort; readonly file?: undefined; readonly engine?: undefined }
  );

/** What every layer source says about the layer: how to check and decode its bytes. */
export interface LayerDescription {
  readonly diffID: Digest;
  /** Digest of the stored blob. */
  readonly digest: Digest;
  readonly mediaType: string;
  readonly size?: number;
  /** Declared compression, or 'sniff' when the media type does not say. */
  readonly compression: LayerCompression | 'sniff';
  /** Verify the stored blob against `digest` (false when the digest is not independently known). */
  readonly verifyBlob: boolean;
  /** Verify the tar stream against `diffID` (false for synthetic layers). */
  readonly verifyDiffID: boolean;
  /** Names the layer in messages, e.g. `layer 2 (sha256:…) of docker-archive:/x.tar`. */
  readonly what: string;
}

/** One layer of an image. `open()` yields the *uncompressed* tar stream. */
export interface Layer {
  /** Digest of the uncompressed tar (config rootfs.diff_ids[i]); the cache key. */
  readonly diffID: Digest;
  /** Digest of the blob as stored (compressed); equals diffID for uncompressed layers. */
  readonly digest: Digest;
  /** Stored (compressed) size in bytes, when known; used for progress. */
  readonly size?: number;
  readonly mediaType: string;
  /**
   * Open the uncompressed tar stream. The stream verifies both the blob digest
   * and the diffID as it is read, and errors with IMAGE_DIGEST_MISMATCH at the
   * end if either differs. `onBytes` reports stored bytes read, for progress.
   */
  open(onBytes?: (n: number) => void): Promise<Readable>;
  /** Present when the layer's bytes are in a local file (archives, layouts, daemon exports). */
  readonly source?: LayerSource;
  /**
   * The stored bytes as they are, before any check or decoding, with the layer's
   * description: lets another thread verify, decode and walk a layer whose bytes
   * this thread reads (a registry blob, piped to it: layer-pipe.ts).
   */
  readonly stored?: { readonly description: LayerDescription; open(): Promise<Readable> };
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** A resolved, single-platform image from any source. */
export interface Image {
  /** What the user named, normalised (e.g. docker.io/library/nginx:1.25, oci:/path). */
  readonly name: string;
  /** Which source read it. */
  readonly transport: Transport;
  /** Digest of the manifest, where the source has one (registries, OCI layouts, daemon). */
  readonly manifestDigest?: Digest;
  /** Repository digests (`repo@sha256:…`) the image is known by. */
  readonly repoDigests: readonly string[];
  /** Tags the image is known by. */
  readonly repoTags: readonly string[];
  readonly configDigest: Digest;
  readonly config: ImageConfig;
  readonly layers: readonly Layer[];
  /** How the source read the image, when it had a choice (e.g. the Docker Engine's storage or its export); the scan's notes say it. */
  readonly notes?: readonly string[];
  /** Release files, sockets, temp files. Idempotent. */
  close(): Promise<void>;
}

export const TRANSPORTS = ['docker-archive', 'oci', 'oci-archive', 'registry', 'docker-daemon', 'dir'] as const;
export type Transport = (typeof TRANSPORTS)[number];
