/**
 * The local Docker Engine through its API socket (Docker Engine API:
 * GET /images/{name}/json, GET /images/{name}/get), no docker CLI.
 *
 * Three ways to the layers, cheapest first (docs/adr/0009):
 * 1. the engine's own storage, when it is local and readable (a unix socket,
 *    the overlay2 graph driver, customs allowed to read its root): the config
 *    from the image store, each layer's tar rebuilt from tar-split and its diff
 *    directory (engine-storage.ts), verified against the diffIDs; nothing is
 *    exported;
 * 2. otherwise, when the image's config is in customs' cache (content
 *    addressed: its digest is the image ID), the layers are exported only if a
 *    layer is opened, i.e. not at all when every layer's results are cached;
 * 3. otherwise the saved tarball (a docker-archive) is streamed into a temp
 *    file and read as one.
 */
import type { IncomingMessage, RequestOptions } from 'node:http';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Context, CustomsError, type Digest, nodeHttp, sha256 } from '../core/index.js';
import { MAX_DOCUMENT_SIZE, readBounded } from './bounded-read.js';
import { openDockerArchiveWithConfig } from './docker-archive.js';
import { checkConfigPlatform } from './image-from-manifest.js';
import { type InspectResult, openEngineStorage } from './engine-storage.js';
import { parseConfig } from './manifest.js';
import { SNIFFED_LAYER_MEDIA_TYPE } from './media-types.js';
import { makeTempDir, streamToFile } from './temp-files.js';
import type { Image, ImageConfig, Layer } from './types.js';

export interface DaemonEndpoint {
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly display: string;
}

export function parseDockerHost(dockerHost: string): DaemonEndpoint {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length), display: dockerHost };
  if (dockerHost.startsWith('/')) return { socketPath: dockerHost, display: `unix://${dockerHost}` };
  const m = /^(?:tcp|http):\/\/([^/:]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(dockerHost);
  if (m?.[1]) return { host: m[1].replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 2375, display: dockerHost };
  throw new CustomsError('DAEMON_UNREACHABLE', `DOCKER_HOST "${dockerHost}" is not unix:///path or tcp://host:port`);
}

function daemonGet(ep: DaemonEndpoint, path: string, ctx: Context): Promise<IncomingMessage> {
  const opts: RequestOptions = {
    method: 'GET',
    path,
    headers: { host: 'docker' },
    signal: ctx.signal,
    ...(ep.socketPath ? { socketPath: ep.socketPath } : { host: ep.host, port: ep.port }),
  };
  return new Promise((resolve, reject) => {
    const req = nodeHttp().request(opts, resolve);
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', (e: Error & { code?: string }) => {
      if (ctx.signal.aborted) return reject(new CustomsError('ABORTED', 'docker daemon request cancelled', e));
      reject(
        new CustomsError(
          'DAEMON_UNREACHABLE',
          `cannot reach the Docker daemon at ${ep.display} (${e.code ?? e.message}); is it running?`,
          e,
        ),
      );
    });
    req.end();
  });
}

async function errorText(res: IncomingMessage): Promise<string> {
  const b = await readBounded(res, 64 * 1024, 'docker daemon error').catch(() => Buffer.alloc(0));
  try {
    const j = JSON.parse(b.toString('utf8')) as { message?: unknown };
    if (typeof j.message === 'string') return j.message;
  } catch {
    // plain text
  }
  return b.toString('utf8').trim();
}

export type { InspectResult };

export async function inspectDaemonImage(name: string, ctx: Context): Promise<InspectResult> {
  const ep = parseDockerHost(ctx.config.dockerHost);
  const res = await daemonGet(ep, `/images/${encodeURIComponent(name)}/json`, ctx);
  if (res.statusCode === 404) {
    throw new CustomsError(
      'IMAGE_NOT_FOUND',
      `the Docker daemon at ${ep.display} has no image "${name}" (${await errorText(res)})`,
    );
  }
  if (res.statusCode !== 200) {
    throw new CustomsError(
      'DAEMON_UNREACHABLE',
      `the Docker daemon at ${ep.display} answered HTTP ${res.statusCode} for image "${name}": ${await errorText(res)}`,
    );
  }
  const j = JSON.parse((await readBounded(res, MAX_DOCUMENT_SIZE, `docker inspect of ${name}`)).toString('utf8')) as {
    Id?: unknown;
    RepoTags?: unknown;
    RepoDigests?: unknown;
    RootFS?: { Layers?: unknown } | null;
    GraphDriver?: { Name?: unknown; Data?: { UpperDir?: unknown } | null } | null;
  };
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  if (typeof j.Id !== 'string')
    throw new CustomsError(
      'DAEMON_UNREACHABLE',
      `the Docker daemon at ${ep.display} answered without an image Id for "${name}"`,
    );
  const driver = j.GraphDriver;
  const upperDir = driver?.Data?.UpperDir;
  return {
    id: j.Id,
    repoTags: strings(j.RepoTags),
    repoDigests: strings(j.RepoDigests),
    diffIDs: strings(j.RootFS?.Layers),
    ...(typeof driver?.Name === 'string'
      ? { graphDriver: { name: driver.Name, ...(typeof upperDir === 'string' ? { upperDir } : {}) } }
      : {}),
  };
}

export interface DaemonOpenOptions {
  /**
   * 'auto' (default): read the engine's storage when it is local and readable,
   * else the API. 'api': always the API (the export), for engines whose storage
   * customs must not read, and for tests of that path.
   */
  readonly storage?: 'auto' | 'api';
}

/** `displayName` replaces `docker-daemon:NAME` when a bare reference was resolved to the daemon. */
export async function openDaemonImage(
  name: string,
  ctx: Context,
  displayName?: string,
  opts: DaemonOpenOptions = {},
): Promise<Image> {
  const ep = parseDockerHost(ctx.config.dockerHost);
  const info = await inspectDaemonImage(name, ctx);
  const imageName = displayName ?? `docker-daemon:${name}`;
  if ((opts.storage ?? 'auto') === 'auto' && ep.socketPath && info.graphDriver?.name === 'overlay2') {
    // Measuring a layer means reading its whole tar-split: a warm scan takes the sizes a scan before measured.
    const known = await readCachedSizes(ctx, info.id, info.diffIDs.length);
    const local = await openEngineStorage(info, imageName, ctx, known);
    if ('image' in local) {
      ctx.log({ kind: 'debug', message: `${imageName}: read from the engine's overlay2 storage under ${local.root}` });
      if (!known || known.some((s) => s === undefined))
        await writeCachedSizes(ctx, info.id, local.image.layers).catch((e: Error) =>
          ctx.log({ kind: 'debug', message: `cannot cache the layer sizes of ${info.id}: ${e.message}` }),
        );
      return {
        ...local.image,
        repoTags: info.repoTags,
        repoDigests: info.repoDigests,
        notes: [
          `read from the Docker Engine's overlay2 storage (${local.root}), each layer verified against its diffID; nothing was exported`,
        ],
      };
    }
    ctx.log({
      kind: 'debug',
      message: `${imageName}: not reading the engine's storage: ${local.reason}; exporting the image`,
    });
  }
  const cached = await readCachedConfig(ctx, info);
  if (cached) return lazyExportImage(name, ep, info, imageName, cached, ctx);
  const { image, configBytes } = await exportImage(name, ep, imageName, ctx);
  if (image.configDigest === info.id) await writeCachedConfig(ctx, info.id, configBytes, image.layers);
  return {
    ...image,
    repoTags: info.repoTags.length > 0 ? info.repoTags : image.repoTags,
    repoDigests: info.repoDigests,
    notes: ['exported from the Docker Engine API (docker save) into a temp file'],
  };
}

/** GET /images/{name}/get into a temp file, read as a docker-archive. */
async function exportImage(
  name: string,
  ep: DaemonEndpoint,
  imageName: string,
  ctx: Context,
): Promise<{ image: Image; configBytes: Buffer }> {
  const tmp = await makeTempDir(ctx, 'daemon');
  try {
    // Save by the name the user gave so the archive keeps its tag; by ID otherwise.
    const res = await daemonGet(ep, `/images/${encodeURIComponent(name)}/get`, ctx);
    if (res.statusCode !== 200) {
      const text = await errorText(res);
      if (res.statusCode === 404)
        throw new CustomsError(
          'IMAGE_NOT_FOUND',
          `the Docker daemon at ${ep.display} has no image "${name}" (${text})`,
        );
      throw new CustomsError(
        'DAEMON_UNREACHABLE',
        `the Docker daemon at ${ep.display} could not export "${name}": HTTP ${res.statusCode} ${text}`,
      );
    }
    const file = join(tmp.path, 'image.tar');
    await streamToFile(res, file);
    const { image, configBytes } = await openDockerArchiveWithConfig(file, {}, ctx, imageName);
    return {
      image: {
        ...image,
        transport: 'docker-daemon',
        close: async () => {
          await image.close();
          await tmp.remove();
        },
      },
      configBytes,
    };
  } catch (e) {
    await tmp.remove();
    throw e;
  }
}

/**
 * Image configs of engine images, by image ID (the config's own SHA-256, so an
 * entry is verified on every read), with the stored size of each layer (the
 * inventory reports it; it is not part of any digest).
 */
function configCachePath(ctx: Context, id: string): string | undefined {
  const m = /^sha256:([a-f0-9]{64})$/.exec(id);
  return m ? join(ctx.config.cacheDir, 'daemon-configs', m[1] as string) : undefined;
}

interface CachedConfig {
  readonly config: ImageConfig;
  readonly sizes: readonly (number | undefined)[];
}

/**
 * Each layer's stored size (its tar's length) as cached for image `id`, `n` layers; undefined
 * where unknown. The image ID fixes the diffIDs and so the tars: a size read back is checked
 * anyway, by the layer stream's length and digest checks.
 */
async function readCachedSizes(ctx: Context, id: string, n: number): Promise<(number | undefined)[] | undefined> {
  const file = configCachePath(ctx, id);
  if (!file) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(await readFile(`${file}.sizes.json`, 'utf8'));
  } catch {
    return undefined;
  }
  const sizes = Array.isArray(list) ? list : [];
  return Array.from({ length: n }, (_, i) => {
    const v: unknown = sizes[i];
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  });
}

async function writeCachedSizes(ctx: Context, id: string, layers: readonly Layer[]): Promise<void> {
  const file = configCachePath(ctx, id);
  if (!file) return;
  await mkdir(join(ctx.config.cacheDir, 'daemon-configs'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp.sizes`;
  await writeFile(tmp, JSON.stringify(layers.map((l) => l.size ?? null)));
  await rename(tmp, `${file}.sizes.json`);
}

async function readCachedConfig(ctx: Context, info: InspectResult): Promise<CachedConfig | undefined> {
  const file = configCachePath(ctx, info.id);
  if (!file) return undefined;
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined;
  }
  const sizes = await readCachedSizes(ctx, info.id, info.diffIDs.length);
  if (!sizes) return undefined;
  if (sha256(bytes) !== info.id) {
    await rm(file, { force: true });
    return undefined;
  }
  const config = parseConfig(bytes, info.id as Digest, `cached config ${info.id}`);
  const diffIDs = config.rootfs.diff_ids;
  // The engine's inspect answer must name the same layers (it does, for the same ID).
  if (diffIDs.length !== info.diffIDs.length || diffIDs.some((d, i) => d !== info.diffIDs[i])) return undefined;
  return { config, sizes };
}

async function writeCachedConfig(ctx: Context, id: string, bytes: Buffer, layers: readonly Layer[]): Promise<void> {
  const file = configCachePath(ctx, id);
  if (!file) return;
  try {
    await writeCachedSizes(ctx, id, layers);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (e) {
    // A cache that cannot be written only costs the next scan an export.
    ctx.log({ kind: 'debug', message: `cannot cache the config of ${id}: ${(e as Error).message}` });
  }
}

/**
 * The image from its cached config; the export runs on the first layer
 * opened, once, and every layer is then read from it. When the layer cache
 * holds every layer, no layer is opened and nothing is exported.
 */
function lazyExportImage(
  name: string,
  ep: DaemonEndpoint,
  info: InspectResult,
  imageName: string,
  cached: CachedConfig,
  ctx: Context,
): Image {
  checkConfigPlatform(cached.config, ctx.config.platform, imageName);
  let exported: Promise<Image> | undefined;
  let closed = false;
  const archive = (): Promise<Image> => {
    exported ??= exportImage(name, ep, imageName, ctx).then(async ({ image }) => {
      // The tag may have moved to another image since the inspect.
      if (image.configDigest !== info.id || closed) {
        await image.close();
        throw new CustomsError(
          closed ? 'ABORTED' : 'IMAGE_DIGEST_MISMATCH',
          `${imageName}: the engine exported image ${image.configDigest}, but ${info.id} was inspected; the tag moved during the scan, scan again`,
        );
      }
      return image;
    });
    return exported;
  };
  const layers: Layer[] = cached.config.rootfs.diff_ids.map((diffID, i) => {
    const size = cached.sizes[i];
    return {
      diffID,
      // As the export names them (legacy `<id>/layer.tar` carries no digest of its own).
      digest: diffID,
      mediaType: SNIFFED_LAYER_MEDIA_TYPE,
      ...(size !== undefined ? { size } : {}),
      async open(onBytes?: (n: number) => void) {
        const layer = (await archive()).layers[i];
        if (!layer || layer.diffID !== diffID)
          throw new CustomsError('IMAGE_DIGEST_MISMATCH', `${imageName}: layer ${i} of the export is not ${diffID}`);
        return layer.open(onBytes);
      },
    };
  });
  return {
    name: imageName,
    transport: 'docker-daemon',
    repoTags: info.repoTags,
    repoDigests: info.repoDigests,
    configDigest: info.id as Digest,
    config: cached.config,
    layers,
    notes: [
      'config from the cache (by image ID); the layers are exported from the Docker Engine API only if a layer is read',
    ],
    close: async () => {
      closed = true;
      if (exported) await exported.then((img) => img.close()).catch(() => {});
    },
  };
}
