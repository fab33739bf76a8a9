/**
 * Build the demo image of `make demo` from the repository's own files, offline:
 * each folder of demo/rootfs-layers/ (sorted) becomes one gzip'd tar layer of an
 * OCI image layout (image-spec: image-layout.md, manifest.md, config.md) written
 * to .cache/demo/image/. No Docker, no network.
 *
 * Conventions of the layer folders:
 * - a folder named `X.jar.d` is zipped into the file `X.jar` (a jar is a zip);
 * - a file named `.wh.NAME` is an OCI whiteout: it deletes NAME from lower layers;
 * - symlinks are kept as symlinks (etc/os-release → ../usr/lib/os-release).
 * Output is byte-for-byte reproducible: fixed mtimes, owners and modes, sorted entries.
 *
 * Usage: node dist-test/demo/build-demo-image.js [LAYERS_DIR] [OUT_DIR]
 */

import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { tarArchive, type TarEntry } from './tar-writer.js';

/** 2024-01-01T00:00:00Z: a fixed time keeps the blobs reproducible. */
const EPOCH = 1704067200;
const CREATED = new Date(EPOCH * 1000).toISOString();

interface BuiltLayer {
  readonly name: string;
  readonly diffID: string;
  readonly digest: string;
  readonly size: number;
}

function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Every entry under ROOT as tar entries, parents before children, sorted by path. */
async function collect(root: string): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  async function walk(dir: string): Promise<void> {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const full = join(dir, name);
      const path = relative(root, full).split(sep).join('/');
      const st = await lstat(full);
      if (st.isSymbolicLink()) {
        entries.push({ path, type: 'symlink', target: await readlink(full), mtime: EPOCH });
      } else if (st.isDirectory() && name.endsWith('.jar.d')) {
        entries.push({ path: path.slice(0, -2), type: 'file', data: await jar(full), mtime: EPOCH });
      } else if (st.isDirectory()) {
        entries.push({ path: `${path}/`, type: 'dir', mtime: EPOCH });
        await walk(full);
      } else if (st.isFile()) {
        entries.push({ path, type: 'file', data: await readFile(full), mtime: EPOCH });
      }
    }
  }
  await walk(root);
  return entries;
}

/** Zip a folder into a jar (JAR File Specification: META-INF/MANIFEST.MF first). */
async function jar(dir: string): Promise<Uint8Array> {
  const files: Record<string, [Uint8Array, { mtime: Date }]> = {};
  const paths: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const name of (await readdir(d)).sort()) {
      const full = join(d, name);
      if ((await lstat(full)).isDirectory()) await walk(full);
      else paths.push(relative(dir, full).split(sep).join('/'));
    }
  }
  await walk(dir);
  paths.sort((a, b) => (a === 'META-INF/MANIFEST.MF' ? -1 : b === 'META-INF/MANIFEST.MF' ? 1 : a < b ? -1 : 1));
  for (const p of paths) files[p] = [await readFile(join(dir, p)), { mtime: new Date(CREATED) }];
  return zipSync(files, { level: 6 });
}

async function writeBlob(out: string, data: Uint8Array): Promise<string> {
  const digest = sha256(data);
  await writeFile(join(out, 'blobs', 'sha256', digest.slice('sha256:'.length)), data);
  return digest;
}

export async function buildDemoImage(layersDir: string, outDir: string): Promise<{ layers: readonly BuiltLayer[] }> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, 'blobs', 'sha256'), { recursive: true });

  const layers: BuiltLayer[] = [];
  for (const name of (await readdir(layersDir)).sort()) {
    if (!(await lstat(join(layersDir, name))).isDirectory()) continue;
    const tar = tarArchive(await collect(join(layersDir, name)));
    const gz = gzipSync(tar, { level: 9 });
    layers.push({ name, diffID: sha256(tar), digest: await writeBlob(outDir, gz), size: gz.length });
  }
  if (layers.length === 0) throw new Error(`no layer folders in ${layersDir}`);

  const config = {
    created: CREATED,
    architecture: 'amd64',
    os: 'linux',
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/bin/sh'],
      Labels: {
        'org.opencontainers.image.title': 'customs demo',
        'org.opencontainers.image.source': 'demo/rootfs-layers',
      },
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffID) },
    history: layers.map((l) => ({ created: CREATED, created_by: `customs demo: ADD demo/rootfs-layers/${l.name} /` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = await writeBlob(outDir, configBytes);

  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: configBytes.length },
    layers: layers.map((l) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: l.digest,
      size: l.size,
    })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = await writeBlob(outDir, manifestBytes);

  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifestDigest,
        size: manifestBytes.length,
        platform: { architecture: 'amd64', os: 'linux' },
        annotations: { 'org.opencontainers.image.ref.name': 'demo' },
      },
    ],
  };
  await writeFile(join(outDir, 'index.json'), JSON.stringify(index));
  await writeFile(join(outDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return { layers };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // dist-test/demo/build-demo-image.js → the repository root is two folders up.
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const layersDir = resolve(process.argv[2] ?? join(root, 'demo', 'rootfs-layers'));
  const outDir = resolve(process.argv[3] ?? join(root, '.cache', 'demo', 'image'));
  const { layers } = await buildDemoImage(layersDir, outDir);
  process.stderr.write(`demo image: ${outDir} (${layers.length} layers: ${layers.map((l) => l.name).join(', ')})\n`);
}
