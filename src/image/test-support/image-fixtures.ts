/**
 * Synthetic images for tests, written by code (no binary fixtures): layer
 * tars, OCI layouts (flat or nested indexes, several platforms) and
 * docker-archives (legacy and Docker 25+ layout, plain or gzip). Test-only.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { type Digest, sha256 } from '../../core/index.js';
import { MEDIA_TYPES } from '../media-types.js';
import { encodeHeader, endOfArchive, padding } from '../tar/tar-writer.js';
import type { LayerCompression } from '../types.js';

export interface FileSpec {
  readonly path: string;
  readonly data?: string | Buffer;
  readonly type?: 'file' | 'dir' | 'symlink';
  readonly linkname?: string;
}

export function makeTar(files: readonly FileSpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const data = f.data === undefined ? Buffer.alloc(0) : Buffer.from(f.data);
    const type = f.type ?? 'file';
    parts.push(
      encodeHeader({
        path: f.path,
        type,
        size: type === 'file' ? data.length : 0,
        mode: type === 'dir' ? 0o755 : 0o644,
        mtime: 1700000000,
        uid: 0,
        gid: 0,
        ...(f.linkname ? { linkname: f.linkname } : {}),
      }),
    );
    if (type === 'file') parts.push(data, padding(data.length));
  }
  parts.push(endOfArchive());
  return Buffer.concat(parts);
}

export function compress(tar: Buffer, c: LayerCompression): Buffer {
  if (c === 'gzip') return gzipSync(tar);
  // zstd(1) from Debian's zstd package: Node 20 has no zstd encoder.
  if (c === 'zstd') return execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 28 });
  return tar;
}

/** Names of the entries of an uncompressed tar held in memory. */
export function listTar(buf: Buffer): { name: string; type: string; size: number; linkname: string; data: Buffer }[] {
  const out: { name: string; type: string; size: number; linkname: string; data: Buffer }[] = [];
  let pos = 0;
  let paxPath: string | undefined;
  let paxLink: string | undefined;
  while (pos + 512 <= buf.length) {
    const h = buf.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;
    const str = (o: number, l: number): string => {
      const s = h.subarray(o, o + l);
      const z = s.indexOf(0);
      return (z < 0 ? s : s.subarray(0, z)).toString('utf8');
    };
    const size = Number.parseInt(str(124, 12).trim() || '0', 8);
    const type = str(156, 1) || '0';
    const data = buf.subarray(pos + 512, pos + 512 + size);
    if (type === 'x') {
      for (const rec of data.toString('utf8').split('\n')) {
        const m = /^\d+ ([^=]+)=(.*)$/.exec(rec);
        if (m?.[1] === 'path') paxPath = m[2];
        if (m?.[1] === 'linkpath') paxLink = m[2];
      }
    } else {
      const prefix = str(345, 155);
      const name = paxPath ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
      out.push({ name, type, size, linkname: paxLink ?? str(157, 100), data: Buffer.from(data) });
      paxPath = undefined;
      paxLink = undefined;
    }
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

export async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

export interface LayerFixture {
  readonly files: readonly FileSpec[];
  readonly compression?: LayerCompression;
  /** Override the media type written in the manifest. */
  readonly mediaType?: string;
}

export interface BuiltLayer {
  readonly tar: Buffer;
  readonly blob: Buffer;
  readonly diffID: Digest;
  readonly digest: Digest;
  readonly mediaType: string;
}

const OCI_LAYER_TYPE: Record<LayerCompression, string> = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

export function buildLayer(l: LayerFixture): BuiltLayer {
  const tar = makeTar(l.files);
  const c = l.compression ?? 'gzip';
  const blob = compress(tar, c);
  return { tar, blob, diffID: sha256(tar), digest: sha256(blob), mediaType: l.mediaType ?? OCI_LAYER_TYPE[c] };
}

export interface ImageFixture {
  readonly layers: readonly LayerFixture[];
  readonly os?: string;
  readonly architecture?: string;
  readonly variant?: string;
  /** Docker media types instead of OCI ones. */
  readonly docker?: boolean;
  /** Fields of the config's `config` object (Env, Labels, Cmd …); they replace the default Env. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The config's history (one entry per non-empty layer, in order). */
  readonly history?: readonly Readonly<Record<string, unknown>>[];
}

export interface BuiltImage {
  readonly layers: BuiltLayer[];
  readonly config: Buffer;
  readonly configDigest: Digest;
  readonly manifest: Buffer;
  readonly manifestDigest: Digest;
  readonly manifestMediaType: string;
}

export function buildImage(img: ImageFixture): BuiltImage {
  const layers = img.layers.map(buildLayer);
  const config = Buffer.from(
    JSON.stringify({
      architecture: img.architecture ?? 'amd64',
      os: img.os ?? 'linux',
      ...(img.variant ? { variant: img.variant } : {}),
      config: { Env: ['PATH=/usr/bin'], ...img.config },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffID) },
      ...(img.history ? { history: img.history } : {}),
    }),
  );
  const configDigest = sha256(config);
  const manifestMediaType = img.docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestMediaType,
      config: {
        mediaType: img.docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig,
        digest: configDigest,
        size: config.length,
      },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })),
    }),
  );
  return { layers, config, configDigest, manifest, manifestDigest: sha256(manifest), manifestMediaType };
}

function writeBlob(dir: string, digest: Digest, data: Buffer): void {
  const [alg, hex] = digest.split(':') as [string, string];
  mkdirSync(join(dir, 'blobs', alg), { recursive: true });
  writeFileSync(join(dir, 'blobs', alg, hex), data);
}

export function blobFile(dir: string, digest: Digest): string {
  const [alg, hex] = digest.split(':') as [string, string];
  return join(dir, 'blobs', alg, hex);
}

export interface LayoutEntry {
  readonly image: ImageFixture;
  readonly refName?: string;
}

export interface BuiltLayout {
  readonly images: BuiltImage[];
  readonly indexDigest?: Digest;
}

/**
 * Write an OCI layout. `nested`: index.json → one image index → the images
 * (what `skopeo copy --all` writes); otherwise index.json lists the images.
 * Extra descriptors (attestations) may be added.
 */
export function writeOciLayout(
  dir: string,
  entries: readonly LayoutEntry[],
  opts: { nested?: boolean; attestation?: boolean; withPlatform?: boolean } = {},
): BuiltLayout {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const images = entries.map((e) => buildImage(e.image));
  images.forEach((img) => {
    writeBlob(dir, img.configDigest, img.config);
    writeBlob(dir, img.manifestDigest, img.manifest);
    for (const l of img.layers) writeBlob(dir, l.digest, l.blob);
  });
  const descriptors: Record<string, unknown>[] = images.map((img, i) => {
    const e = entries[i] as LayoutEntry;
    return {
      mediaType: img.manifestMediaType,
      digest: img.manifestDigest,
      size: img.manifest.length,
      ...(opts.withPlatform || opts.nested
        ? {
            platform: {
              os: e.image.os ?? 'linux',
              architecture: e.image.architecture ?? 'amd64',
              ...(e.image.variant ? { variant: e.image.variant } : {}),
            },
          }
        : {}),
      ...(e.refName && !opts.nested ? { annotations: { 'org.opencontainers.image.ref.name': e.refName } } : {}),
    };
  });
  if (opts.attestation) {
    const att = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('{}'), size: 2 },
        layers: [],
      }),
    );
    writeBlob(dir, sha256(att), att);
    descriptors.push({
      mediaType: MEDIA_TYPES.ociManifest,
      digest: sha256(att),
      size: att.length,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: {
        'vnd.docker.reference.type': 'attestation-manifest',
        'vnd.docker.reference.digest': images[0]?.manifestDigest ?? '',
      },
    });
  }
  if (opts.nested) {
    const index = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: descriptors }),
    );
    const indexDigest = sha256(index);
    writeBlob(dir, indexDigest, index);
    const refName = entries[0]?.refName;
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: MEDIA_TYPES.ociIndex,
            digest: indexDigest,
            size: index.length,
            ...(refName ? { annotations: { 'org.opencontainers.image.ref.name': refName } } : {}),
          },
        ],
      }),
    );
    return { images, indexDigest };
  }
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: descriptors }),
  );
  return { images };
}

export interface ArchiveImage {
  readonly image: ImageFixture;
  readonly tags?: readonly string[];
}

/**
 * Write a docker-archive like `docker save`: legacy layout (<id>/layer.tar,
 * <hex>.json) or Docker 25+ (OCI blobs + index.json + manifest.json).
 */
export function writeDockerArchive(
  file: string,
  images: readonly ArchiveImage[],
  opts: { style?: 'legacy' | 'oci'; gzip?: boolean } = {},
): BuiltImage[] {
  const style = opts.style ?? 'legacy';
  const files: FileSpec[] = [];
  const seen = new Set<string>();
  const add = (path: string, data: Buffer): void => {
    if (seen.has(path)) return;
    seen.add(path);
    files.push({ path, data });
  };
  const built = images.map((a) => buildImage({ ...a.image, docker: true }));
  const manifest = built.map((img, i) => {
    const a = images[i] as ArchiveImage;
    if (style === 'legacy') {
      const configName = `${img.configDigest.slice(7)}.json`;
      add(configName, img.config);
      const layerNames = img.layers.map((l) => {
        const name = `${l.diffID.slice(7)}/layer.tar`;
        add(name, l.blob);
        return name;
      });
      return { Config: configName, RepoTags: a.tags ?? null, Layers: layerNames };
    }
    const blob = (d: Digest): string => `blobs/sha256/${d.slice(7)}`;
    add(blob(img.configDigest), img.config);
    for (const l of img.layers) add(blob(l.digest), l.blob);
    add(blob(img.manifestDigest), img.manifest);
    return { Config: blob(img.configDigest), RepoTags: a.tags ?? null, Layers: img.layers.map((l) => blob(l.digest)) };
  });
  const out: FileSpec[] = [...files, { path: 'manifest.json', data: JSON.stringify(manifest) }];
  if (style === 'oci') {
    out.push({ path: 'oci-layout', data: JSON.stringify({ imageLayoutVersion: '1.0.0' }) });
    out.push({
      path: 'index.json',
      data: JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociIndex,
        manifests: built.map((img, i) => ({
          mediaType: MEDIA_TYPES.dockerManifest,
          digest: img.manifestDigest,
          size: img.manifest.length,
          ...((images[i]?.tags ?? [])[0]
            ? { annotations: { 'io.containerd.image.name': `docker.io/library/${images[i]?.tags?.[0]}` } }
            : {}),
        })),
      }),
    });
  }
  const tar = makeTar(out);
  writeFileSync(file, opts.gzip ? gzipSync(tar) : tar);
  return built;
}

/** Tar up a directory tree (an OCI layout) into an oci-archive file. */
export function tarDirectory(dir: string, file: string): void {
  execFileSync('tar', ['-C', dir, '-cf', file, '.']);
}
