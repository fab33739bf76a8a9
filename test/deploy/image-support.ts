/**
 * Builds customs' own image (the repository's Dockerfile) for the deploy tests, without
 * Docker Hub or npm inside the build:
 *
 * - the base: the debootstrap'd bookworm of the other tests (scripts/base-image.sh) plus
 *   this machine's own `node` binary (Debian's nodejs; its shared libraries are bookworm's,
 *   already in the minbase), passed as BASE_IMAGE — what node:20-bookworm-slim is elsewhere;
 * - the dependencies: `npm ci` inside the build would need better-sqlite3 compiled from
 *   source (its prebuilt download is not reachable here), so the tests take DEPS=context:
 *   a context of bin/, dist/ (built by `make build`), schema/, package.json and the
 *   production packages of the checkout's node_modules (`npm ls --omit=dev`).
 *
 * The built image is cached by the hash of those inputs, so a rerun with nothing changed
 * reuses it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, lstat, mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { baseImage, imageId, REPO_ROOT, run, sensorBaseImage, WORK_DIR, withLock } from '../support/images.js';

/** The Node.js 20 runtime base made here: bookworm minbase + the machine's node binary. */
export async function nodeBaseImage(): Promise<string> {
  const base = await baseImage();
  return withLock('node-base-image', async () => {
    const node = await readFile(process.execPath);
    const baseId = await imageId(base);
    const tag = `customs-test/node20:${sha256(Buffer.concat([node, Buffer.from(baseId)])).slice(0, 16)}`;
    if ((await run('docker', ['image', 'inspect', tag], { allowFailure: true })).code === 0) return tag;
    const context = join(WORK_DIR, 'node-base');
    await rm(context, { recursive: true, force: true });
    await mkdir(context, { recursive: true });
    await writeFile(join(context, 'node'), node, { mode: 0o755 });
    await writeFile(
      join(context, 'Dockerfile'),
      `FROM ${base}\nCOPY node /usr/local/bin/node\nRUN ["/usr/local/bin/node", "--version"]\n`,
    );
    await run('docker', ['build', '-q', '-t', tag, context], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    return tag;
  });
}

/**
 * The production packages of the checkout, as paths relative to the repository root.
 * `npm ls --omit=dev` still lists the platform binaries that dev tools take as optional
 * dependencies (@biomejs/cli-*, @esbuild/*, @swc/core-*: 150 MB here), so the lockfile,
 * which marks them `dev`, has the last word (npm's package-lock.json "packages" entries).
 */
export async function productionPackages(): Promise<string[]> {
  const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { allowFailure: true });
  const dev = await devPackages();
  const paths = stdout
    .split('\n')
    .map((p) => relative(REPO_ROOT, p.trim()))
    .filter((p) => p.startsWith('node_modules/') && !dev.has(p))
    .sort();
  // A package copied whole brings its nested node_modules with it.
  return paths.filter((p, i) => !paths.slice(0, i).some((q) => p.startsWith(`${q}/`)));
}

/** Paths (node_modules/…) the lockfile marks as development-only. */
export async function devPackages(): Promise<Set<string>> {
  const lock = JSON.parse(await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return new Set(Object.entries(lock.packages).flatMap(([path, e]) => (e.dev === true ? [path] : [])));
}

/** Stage the DEPS=context build context; returns its directory and the hash of what it holds. */
export async function stageContext(dir: string): Promise<{ dir: string; hash: string }> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'bundle', 'index.js'))) {
    throw new Error('dist/bundle/index.js is missing: run `make build` first (the image copies dist/)');
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const p of ['bin', 'dist', 'schema', 'package.json']) {
    await cp(join(REPO_ROOT, p), join(dir, p), { recursive: true });
  }
  for (const p of await productionPackages()) {
    await cp(join(REPO_ROOT, p), join(dir, p), { recursive: true, dereference: false });
  }
  const h = createHash('sha256');
  await hashTree(dir, dir, h);
  h.update(await readFile(join(REPO_ROOT, 'Dockerfile')));
  return { dir, hash: h.digest('hex') };
}

async function hashTree(root: string, dir: string, h: ReturnType<typeof createHash>): Promise<void> {
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    const path = join(dir, name);
    const st = await lstat(path);
    h.update(`${relative(root, path)}\0${st.mode & 0o111 ? 'x' : '-'}\0`);
    if (st.isDirectory()) await hashTree(root, path, h);
    else if (st.isSymbolicLink()) h.update(await readlink(path));
    else h.update(await readFile(path));
  }
}

export interface BuildOptions {
  readonly tag: string;
  readonly base: string;
  readonly context: string;
  readonly sourceDateEpoch: number;
  /** Ignore the builder's cache (the reproducibility test builds twice from nothing). */
  readonly noCache?: boolean;
  /** The Dockerfile's target (default `customs`); `sensor` needs sensorBase. */
  readonly target?: 'customs' | 'sensor';
  /** SENSOR_BASE_IMAGE for the `sensor` target. */
  readonly sensorBase?: string;
}

/**
 * Builds of the Dockerfile share the classic builder's cache: a later build takes an earlier
 * one's intermediate images as cache hits, so removing an image (with its untagged parents)
 * while another build runs fails that build ("unknown parent image ID"). Every build of the
 * Dockerfile, and the removal of a built image, runs under this lock.
 */
export function withDockerfileBuilds<T>(fn: () => Promise<T>): Promise<T> {
  return withLock('dockerfile-builds', fn);
}

/** `docker build` of the repository's Dockerfile with DEPS=context (classic builder); callers hold withDockerfileBuilds. */
export async function buildImage(o: BuildOptions): Promise<string> {
  const revision = (await run('git', ['rev-parse', 'HEAD'])).stdout.trim();
  await run(
    'docker',
    [
      'build',
      '-q',
      ...(o.noCache ? ['--no-cache'] : []),
      '-f',
      join(REPO_ROOT, 'Dockerfile'),
      // The classic builder builds every stage before the target: name it (Dockerfile header).
      '--target',
      o.target ?? 'customs',
      '--build-arg',
      `BASE_IMAGE=${o.base}`,
      ...(o.sensorBase !== undefined ? ['--build-arg', `SENSOR_BASE_IMAGE=${o.sensorBase}`] : []),
      '--build-arg',
      'DEPS=context',
      '--build-arg',
      `SOURCE_DATE_EPOCH=${o.sourceDateEpoch}`,
      '--build-arg',
      `CREATED=${new Date(o.sourceDateEpoch * 1000).toISOString().replace(/\.000Z$/, 'Z')}`,
      '--build-arg',
      `REVISION=${revision}`,
      '-t',
      o.tag,
      o.context,
    ],
    { env: { ...process.env, DOCKER_BUILDKIT: '0' } },
  );
  return imageId(o.tag);
}

/** The commit time: SOURCE_DATE_EPOCH of a build from this checkout. */
export async function commitEpoch(): Promise<number> {
  return Number((await run('git', ['log', '-1', '--format=%ct'])).stdout.trim());
}

/** customs' image of this checkout, built once per hash of its inputs; returns its tag. */
export async function customsImage(): Promise<string> {
  const base = await nodeBaseImage();
  return withLock('customs-image', async () => {
    const staged = await stageContext(join(WORK_DIR, 'customs-image', 'context'));
    // The commit's time and ID are inputs too (SOURCE_DATE_EPOCH, the revision label):
    // the same files at another commit make another image.
    const epoch = await commitEpoch();
    const revision = (await run('git', ['rev-parse', 'HEAD'])).stdout.trim();
    const tag = `customs-test/customs:${sha256(`${staged.hash}\0${epoch}\0${revision}`).slice(0, 16)}`;
    if ((await run('docker', ['image', 'inspect', tag], { allowFailure: true })).code !== 0) {
      await withDockerfileBuilds(() => buildImage({ tag, base, context: staged.dir, sourceDateEpoch: epoch }));
    }
    return tag;
  });
}

/**
 * The sensor image of this checkout (`--target sensor`), from the bookworm base with
 * bpftrace (sensorBaseImage) and the same builder stage as customsImage (the classic
 * builder's cache shares it); built once per hash of its inputs; returns its tag.
 */
export async function sensorImage(): Promise<string> {
  const base = await nodeBaseImage();
  const sensorBase = await sensorBaseImage();
  return withLock('customs-image', async () => {
    const staged = await stageContext(join(WORK_DIR, 'customs-image', 'context'));
    const epoch = await commitEpoch();
    const revision = (await run('git', ['rev-parse', 'HEAD'])).stdout.trim();
    const sensorBaseId = await imageId(sensorBase);
    const tag = `customs-test/customs-sensor:${sha256(`${staged.hash}\0${epoch}\0${revision}\0${sensorBaseId}`).slice(0, 16)}`;
    if ((await run('docker', ['image', 'inspect', tag], { allowFailure: true })).code !== 0) {
      await withDockerfileBuilds(() =>
        buildImage({ tag, base, context: staged.dir, sourceDateEpoch: epoch, target: 'sensor', sensorBase }),
      );
    }
    return tag;
  });
}

/** The layer diffIDs of an image (its config's rootfs.diff_ids). */
export async function diffIds(ref: string): Promise<string[]> {
  const { stdout } = await run('docker', ['image', 'inspect', '-f', '{{json .RootFS.Layers}}', ref]);
  return JSON.parse(stdout) as string[];
}

export function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}
