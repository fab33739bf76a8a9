/**
 * Images made of hand-written layer tars, and what the Docker Engine makes of
 * them: `docker load` the image, `docker create` a container, `docker export`
 * its filesystem and read it back with GNU tar and the host's filesystem
 * calls, never with customs' own tar reader. The differential tests compare
 * customs' merged view with this one.
 */

import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { makeTar } from '../../src/image/test-support/image-fixtures.js';
import { type RunResult, run } from './images.js';

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/**
 * A docker-archive as `docker save` wrote it before Docker 25: manifest.json,
 * the config, and each layer as an uncompressed `<diffID>/layer.tar`.
 */
export async function writeLayerArchive(file: string, layers: readonly Buffer[], tag: string): Promise<void> {
  const diffIDs = layers.map((l) => `sha256:${sha256(l)}`);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: diffIDs },
    }),
  );
  const configName = `${sha256(config)}.json`;
  const layerNames = diffIDs.map((d) => `${d.slice(7)}/layer.tar`);
  await writeFile(
    file,
    makeTar([
      { path: configName, data: config },
      ...layers.map((data, i) => ({ path: layerNames[i] as string, data })),
      { path: 'manifest.json', data: JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: layerNames }]) },
    ]),
  );
}

/** `docker load -i FILE`; a refused archive resolves with its exit code and message. */
export function dockerLoad(file: string): Promise<RunResult> {
  return run('docker', ['load', '-i', file], { allowFailure: true });
}

export async function removeImage(tag: string): Promise<void> {
  await run('docker', ['rmi', '-f', tag], { allowFailure: true });
}

export type RuntimeEntry =
  | { readonly type: 'file'; readonly sha256: string }
  | { readonly type: 'symlink'; readonly target: string }
  | { readonly type: 'dir' }
  | { readonly type: 'other' };

/** Paths the runtime adds to every container (not from the image's layers). */
const RUNTIME_PATHS = /^(?:\.dockerenv|dev|proc|sys|etc\/(?:hostname|hosts|resolv\.conf|mtab))(?:\/|$)/;

/**
 * The filesystem a container of `image` starts with: path (no leading "/") →
 * regular file with its content hash, symlink with its raw target, directory,
 * or other (fifo, device).
 */
export async function runtimeTree(image: string): Promise<Map<string, RuntimeEntry>> {
  const { stdout } = await run('docker', ['create', image, 'never-run']);
  const container = stdout.trim();
  const dir = await mkdtemp(join(tmpdir(), 'customs-export-'));
  try {
    const exported = join(dir, 'rootfs.tar');
    await run('docker', ['export', '-o', exported, container]);
    const root = join(dir, 'rootfs');
    await run('mkdir', [root]);
    await run('tar', ['-xf', exported, '-C', root, '--no-same-owner']);
    const out = new Map<string, RuntimeEntry>();
    const walk = async (rel: string): Promise<void> => {
      for (const name of (await readdir(join(root, rel))).sort()) {
        const path = rel ? `${rel}/${name}` : name;
        if (RUNTIME_PATHS.test(path)) continue;
        const full = join(root, path);
        const st = await lstat(full);
        if (st.isSymbolicLink()) out.set(path, { type: 'symlink', target: await readlink(full) });
        else if (st.isFile()) out.set(path, { type: 'file', sha256: sha256(await readFile(full)) });
        else if (st.isDirectory()) {
          out.set(path, { type: 'dir' });
          await walk(path);
        } else out.set(path, { type: 'other' });
      }
    };
    await walk('');
    return out;
  } finally {
    await run('docker', ['rm', '-f', container], { allowFailure: true });
    await rm(dir, { recursive: true, force: true });
  }
}

/** A symlink target resolved the way a chroot resolves it: from the link's directory, ".." stops at "/". */
export function resolveInRoot(linkPath: string, target: string): string {
  return posix.resolve('/', posix.dirname(linkPath), target).slice(1);
}
