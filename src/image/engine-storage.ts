/**
 * An image read straight from a local Docker Engine's storage (moby, overlay2
 * graph driver), so that nothing is exported:
 * - the config: `<root>/image/overlay2/imagedb/content/sha256/<image-id>`,
 *   verified against the image ID (the config's SHA-256);
 * - layer n: `<root>/image/overlay2/layerdb/sha256/<chain-id n>/` where
 *   chain-id 0 = diffID 0 and chain-id n = sha256(chain-id n-1 + " " + diffID n)
 *   (image-spec config.md "Layer ChainID"); its `diff` file must name diffID n,
 *   its `cache-id` names the overlay2 directory `<root>/overlay2/<cache-id>/diff`,
 *   and `tar-split.json.gz` rebuilds the tar (tar-split.ts), whose SHA-256 is
 *   checked against diffID n as it streams (make-layer.ts).
 * Anything missing or unreadable here is a reason to use the API instead, not
 * an error: the engine may run elsewhere (a VM, another mount namespace), with
 * another driver, or customs may not be allowed to read its root.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Context, type Digest, sha256 } from '../core/index.js';
import { MAX_DOCUMENT_SIZE } from './bounded-read.js';
import { checkConfigPlatform } from './image-from-manifest.js';
import { makeLayer } from './make-layer.js';
import { parseConfig } from './manifest.js';
import { SNIFFED_LAYER_MEDIA_TYPE } from './media-types.js';
import { tarSplitLength, tarSplitStream } from './tar-split.js';
import type { Image, Layer } from './types.js';

/** What the engine's image inspect answer says (docker-daemon.ts). */
export interface InspectResult {
  readonly id: string;
  readonly repoTags: string[];
  readonly repoDigests: string[];
  /** RootFS.Layers: the diffIDs, bottom first. */
  readonly diffIDs: string[];
  /** GraphDriver.Name and the top layer's UpperDir, when the engine says. */
  readonly graphDriver?: { readonly name: string; readonly upperDir?: string };
}

const HEX64 = /^sha256:([a-f0-9]{64})$/;

/** `<root>` from the top layer's UpperDir, `<root>/overlay2/<cache-id>/diff`. */
export function storageRoot(upperDir: string | undefined): string | undefined {
  const m = upperDir === undefined ? null : /^(\/.*)\/overlay2\/[A-Za-z0-9_-]+\/diff$/.exec(upperDir);
  return m?.[1];
}

/** Chain IDs of a layer stack (image-spec config.md). */
export function chainIds(diffIDs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIDs) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? d : sha256(`${parent} ${d}`));
  }
  return out;
}

async function readSmall(file: string, max: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size > max) throw new Error(`${file} is ${size} bytes, more than ${max}`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

export type EngineStorageResult = { readonly image: Image; readonly root: string } | { readonly reason: string };

/**
 * The image from the engine's storage. `knownSizes`: each layer's tar length from an earlier
 * scan of this image ID (docker-daemon.ts keeps them); a layer without one has its tar-split
 * read to the end to measure it. A wrong one cannot pass: the layer stream checks its length
 * and its diffID.
 */
export async function openEngineStorage(
  info: InspectResult,
  imageName: string,
  ctx: Context,
  knownSizes: readonly (number | undefined)[] = [],
): Promise<EngineStorageResult> {
  const root = storageRoot(info.graphDriver?.upperDir);
  if (!root) return { reason: 'the engine did not say where its overlay2 storage is' };
  const id = HEX64.exec(info.id)?.[1];
  if (!id) return { reason: `image ID ${info.id} is not a sha256 digest` };
  let configBytes: Buffer;
  try {
    configBytes = await readSmall(join(root, 'image/overlay2/imagedb/content/sha256', id), MAX_DOCUMENT_SIZE);
  } catch (e) {
    return { reason: `cannot read the image config under ${root} (${(e as Error).message})` };
  }
  if (sha256(configBytes) !== info.id)
    return { reason: `the config under ${root} is not image ${info.id} (this is another engine's storage)` };
  const what = `config of ${imageName}`;
  const config = parseConfig(configBytes, info.id as Digest, what);
  checkConfigPlatform(config, ctx.config.platform, imageName);
  const diffIDs = config.rootfs.diff_ids;
  const chains = chainIds(diffIDs);
  const layers: Layer[] = [];
  for (const [i, diffID] of diffIDs.entries()) {
    const chain = HEX64.exec(chains[i] ?? '')?.[1];
    if (!HEX64.test(diffID) || !chain) return { reason: `layer ${i} has diffID ${diffID}, not a sha256 digest` };
    const dir = join(root, 'image/overlay2/layerdb/sha256', chain);
    let diffDir: string;
    let size: number;
    const layerWhat = `layer ${i} (${diffID}) of ${imageName}`;
    try {
      const named = (await readFile(join(dir, 'diff'), 'utf8')).trim();
      if (named !== diffID) return { reason: `${dir}/diff names ${named}, not ${diffID}` };
      const cacheId = (await readFile(join(dir, 'cache-id'), 'utf8')).trim();
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(cacheId)) return { reason: `${dir}/cache-id is not an overlay2 id` };
      diffDir = join(root, 'overlay2', cacheId, 'diff');
      if (!(await stat(diffDir)).isDirectory()) return { reason: `${diffDir} is not a directory` };
      size = knownSizes[i] ?? (await tarSplitLength(join(dir, 'tar-split.json.gz'), layerWhat));
    } catch (e) {
      return { reason: `cannot read layer ${i} under ${dir} (${(e as Error).message})` };
    }
    const engine = { tarSplit: join(dir, 'tar-split.json.gz'), diffDir };
    layers.push(
      makeLayer({
        diffID,
        // As the export names them: a legacy `<id>/layer.tar` carries no digest but its diffID.
        digest: diffID,
        mediaType: SNIFFED_LAYER_MEDIA_TYPE,
        size,
        compression: 'none',
        verifyBlob: false,
        verifyDiffID: true,
        what: layerWhat,
        limits: ctx.config.limits,
        engine,
        openBlob: async () => tarSplitStream(engine.tarSplit, engine.diffDir, layerWhat),
      }),
    );
  }
  return {
    root,
    image: {
      name: imageName,
      transport: 'docker-daemon',
      repoTags: info.repoTags,
      repoDigests: info.repoDigests,
      configDigest: info.id as Digest,
      config,
      layers,
      close: async () => {},
    },
  };
}
