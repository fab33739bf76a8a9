/**
 * openImage: the one entry point from a target string to a verified,
 * single-platform Image. A bare argument resolves the way a user would guess
 * (docs/targets.md): an existing directory is an OCI layout if it has
 * `oci-layout`/`index.json`, else a root filesystem; an existing file is
 * sniffed (docker-archive, OCI archive, compressed archive); anything else is
 * an image reference: the local Docker daemon if it runs and has the image,
 * else the registry.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Context, CustomsError } from '../core/index.js';
import { inspectDaemonImage, openDaemonImage, parseDockerHost } from './docker-daemon.js';
import { openDockerArchive } from './docker-archive.js';
import { dirFiles, tarFiles } from './layout-files.js';
import { openOciLayout } from './oci-layout.js';
import { formatReference, parseNormalizedReference, withDefaultTag } from './reference.js';
import { openRootfsDir } from './rootfs-dir.js';
import { TarIndex } from './tar-index.js';
import { type Target, parseTarget } from './target.js';
import { decompressIfNeeded, makeTempDir } from './temp-files.js';
import type { Image } from './types.js';

async function openOciArchive(path: string, ref: string | undefined, ctx: Context): Promise<Image> {
  const abs = resolve(path);
  const name = `oci-archive:${abs}${ref !== undefined ? `:${ref}` : ''}`;
  const tmp = await makeTempDir(ctx, 'oci-archive');
  try {
    const tarPath = await decompressIfNeeded(abs, tmp, ctx, name);
    const tar = await TarIndex.build(tarPath, name);
    return await openOciLayout(tarFiles(tar), ref, { name, transport: 'oci-archive', close: () => tmp.remove() }, ctx);
  } catch (e) {
    await tmp.remove();
    throw e;
  }
}

async function openOciDir(path: string, ref: string | undefined, ctx: Context): Promise<Image> {
  const abs = resolve(path);
  const name = `oci:${abs}${ref !== undefined ? `:${ref}` : ''}`;
  try {
    if (!(await stat(abs)).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new CustomsError(
      'IMAGE_NOT_FOUND',
      `${name}: ${abs} is not an OCI layout directory (${(e as Error).message})`,
      e,
    );
  }
  return openOciLayout(dirFiles(abs), ref, { name, transport: 'oci', close: async () => {} }, ctx);
}

/** Which archive a file is: sniff its tar members (after decompression). */
async function sniffArchive(path: string, ctx: Context): Promise<'docker-archive' | 'oci-archive'> {
  const tmp = await makeTempDir(ctx, 'sniff');
  try {
    const tarPath = await decompressIfNeeded(path, tmp, ctx, path);
    const tar = await TarIndex.build(tarPath, path);
    if (tar.has('manifest.json')) return 'docker-archive';
    if (tar.has('oci-layout') || tar.has('index.json')) return 'oci-archive';
    throw new CustomsError(
      'IMAGE_FORMAT_INVALID',
      `${path}: a tar archive without manifest.json or oci-layout, so not an image`,
    );
  } finally {
    await tmp.remove();
  }
}

async function openBare(arg: string, ctx: Context): Promise<Image> {
  const st = await stat(arg).catch(() => undefined);
  if (st?.isDirectory()) {
    if (existsSync(join(arg, 'oci-layout')) || existsSync(join(arg, 'index.json')))
      return openOciDir(arg, undefined, ctx);
    return openRootfsDir(arg, ctx);
  }
  if (st?.isFile()) {
    const kind = await sniffArchive(arg, ctx);
    return kind === 'docker-archive' ? openDockerArchive(arg, {}, ctx) : openOciArchive(arg, undefined, ctx);
  }
  let ref: ReturnType<typeof parseNormalizedReference>;
  try {
    ref = parseNormalizedReference(arg);
  } catch (e) {
    // Something path-like that does not exist reads better as a missing file.
    if (/^(\.{0,2}\/|~)/.test(arg) || /\.(tar|tgz|gz)$/.test(arg)) {
      throw new CustomsError('IMAGE_NOT_FOUND', `"${arg}" does not exist (no such file or directory)`);
    }
    throw e;
  }
  if (await daemonHas(arg, ctx)) return openDaemonImage(arg, ctx, formatReference(withDefaultTag(ref)));
  return (await import('./registry/registry-image.js')).openRegistryImage(ref, ctx);
}

/** True when the daemon socket exists, answers, and knows the image. */
async function daemonHas(name: string, ctx: Context): Promise<boolean> {
  let ep: ReturnType<typeof parseDockerHost>;
  try {
    ep = parseDockerHost(ctx.config.dockerHost);
  } catch {
    return false;
  }
  if (ep.socketPath && !existsSync(ep.socketPath)) return false;
  try {
    await inspectDaemonImage(name, ctx);
    return true;
  } catch {
    return false;
  }
}

// The registry client (undici) is imported on demand: it is the heaviest module
// and scans of archives, layouts, the daemon or a directory never need it.
export async function openTarget(target: Target, ctx: Context): Promise<Image> {
  switch (target.transport) {
    case 'docker-archive':
      return openDockerArchive(
        target.path,
        {
          ...(target.ref !== undefined ? { ref: target.ref } : {}),
          ...(target.index !== undefined ? { index: target.index } : {}),
        },
        ctx,
      );
    case 'oci':
      return openOciDir(target.path, target.ref, ctx);
    case 'oci-archive':
      return openOciArchive(target.path, target.ref, ctx);
    case 'docker-daemon':
      return openDaemonImage(target.name, ctx);
    case 'dir':
      return openRootfsDir(target.path, ctx);
    case 'registry':
      return (await import('./registry/registry-image.js')).openRegistryImage(target.ref, ctx);
    case 'bare':
      return openBare(target.arg, ctx);
  }
}

/** Open the image `target` names (see docs/targets.md). Close it when done. */
export async function openImage(target: string, ctx: Context): Promise<Image> {
  return openTarget(parseTarget(target), ctx);
}

/** The canonical name a reference target will get, e.g. docker.io/library/nginx:1.25. */
export function normalisedReference(s: string): string {
  return formatReference(withDefaultTag(parseNormalizedReference(s)));
}
