/**
 * Setup of the end-to-end tests that scan real images: starts the Docker Engine,
 * makes a debootstrap'd bookworm base (scripts/base-image.sh), builds the image of
 * test/fixtures/real-image/Dockerfile, saves it as a docker-archive and reads the
 * ground truth from inside it with the ecosystems' own tools (truth.py, `go version -m`).
 * Everything is cached under test/.work/, keyed by the image ID, so reruns are fast.
 */

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder up from this file with customs' package.json. */
export const REPO_ROOT: string = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** Scratch space of the tests (git-ignored). */
export const WORK_DIR: string = join(REPO_ROOT, 'test', '.work');

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'customs')
        return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`no customs package.json above ${start}`);
    dir = up;
  }
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin. */
  readonly input?: string;
  /** Resolve with a non-zero exit instead of rejecting. */
  readonly allowFailure?: boolean;
}

/** Run a program (no shell) and collect its output. Rejects on a non-zero exit unless allowFailure. */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = {
        code: code ?? 128,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (result.code !== 0 && !options.allowFailure) {
        const tail = result.stderr.trim().split('\n').slice(-30).join('\n');
        reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}:\n${tail}`));
      } else {
        resolve(result);
      }
    });
    if (child.stdin) {
      // A child that exits without reading all its input must not crash the test.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}

/**
 * Serialise setup work across test processes (node --test runs files in parallel):
 * a directory made with mkdir is the lock; a lock whose owner died is taken over.
 */
export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(WORK_DIR, `${name}.lock`);
  await mkdir(WORK_DIR, { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => ''));
      if (owner > 0 && !isAlive(owner)) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Start dockerd when none answers (scripts/start-dockerd.sh is idempotent). */
export async function ensureDocker(): Promise<void> {
  await run('bash', [join(REPO_ROOT, 'scripts', 'start-dockerd.sh')]);
}

/** The debootstrap'd bookworm base image (cached per day); returns its name. */
export async function baseImage(): Promise<string> {
  await ensureDocker();
  return withLock('base-image', async () => {
    const { stdout } = await run('bash', [join(REPO_ROOT, 'scripts', 'base-image.sh')]);
    const name = stdout.trim().split('\n').pop();
    if (!name) throw new Error('scripts/base-image.sh printed no image name');
    return name;
  });
}

/** What the sensor base adds to the bookworm base: the kernel tracer the runtime sensor drives. */
const SENSOR_BASE_PACKAGES = ['bpftrace'];

/**
 * The bookworm base with bpftrace (and its LLVM/BCC libraries) installed from the
 * machine's Debian mirror: the locally made stand-in for debian:bookworm-slim plus what
 * the sensor needs (the Dockerfile's `sensor` target takes it as SENSOR_BASE_IMAGE).
 * Cached as the base is: tagged by the base image's ID and the package list, so it is
 * made once per base (a day) and reused by every later run.
 */
export async function sensorBaseImage(): Promise<string> {
  const base = await baseImage();
  return withLock('sensor-base-image', async () => {
    const baseId = (await imageId(base)).replace(/^sha256:/, '');
    const tag = `customs-test/bookworm-bpftrace:${baseId.slice(0, 12)}-${SENSOR_BASE_PACKAGES.length}`;
    if ((await run('docker', ['image', 'inspect', tag], { allowFailure: true })).code === 0) return tag;
    const dockerfile = [
      `FROM ${base}`,
      'RUN apt-get update \\',
      ` && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${SENSOR_BASE_PACKAGES.join(' ')} \\`,
      ' && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \\',
      ' && bpftrace --version',
      '',
    ].join('\n');
    // The classic builder with the host network: apt inside RUN reaches the mirror (TOOLS.md).
    await run('docker', ['build', '-q', '--network', 'host', '-t', tag, '-'], {
      input: dockerfile,
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
    // Older days' sensor bases are dead weight (480 MB each): untag them.
    const { stdout } = await run('docker', ['images', 'customs-test/bookworm-bpftrace', '--format', '{{.Tag}}']);
    for (const old of stdout.split('\n').filter((t) => t && `customs-test/bookworm-bpftrace:${t}` !== tag))
      await run('docker', ['rmi', `customs-test/bookworm-bpftrace:${old}`], { allowFailure: true });
    return tag;
  });
}

export interface BuiltImage {
  /** Tag in the local Docker Engine. */
  readonly tag: string;
  /** Image ID (sha256:… of the config). */
  readonly id: string;
  /** `docker save` of the image (docker-archive). */
  readonly archive: string;
}

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'real-image');

/**
 * npm packages copied from the repository's own node_modules into the image's /app,
 * as `npm install` lays them out: scoped, flat, and one nested copy (ajv under
 * ajv-formats). fflate is deleted by a later layer (a whiteout test).
 */
const APP_MODULES: readonly { readonly from: string; readonly to: string }[] = [
  { from: 'commander', to: 'commander' },
  { from: 'packageurl-js', to: 'packageurl-js' },
  { from: 'fflate', to: 'fflate' },
  { from: '@types/better-sqlite3', to: '@types/better-sqlite3' },
  { from: 'ajv-formats', to: 'ajv-formats' },
  { from: 'ajv', to: 'ajv-formats/node_modules/ajv' },
  { from: 'fast-deep-equal', to: 'fast-deep-equal' },
  { from: 'fast-uri', to: 'fast-uri' },
  { from: 'json-schema-traverse', to: 'json-schema-traverse' },
  { from: 'require-from-string', to: 'require-from-string' },
];

/** Build (or reuse) the accuracy-test image and its docker-archive. */
export async function buildRealImage(): Promise<BuiltImage> {
  const base = await baseImage();
  return withLock('real-image', async () => {
    const context = join(WORK_DIR, 'real-image', 'context');
    await rm(context, { recursive: true, force: true });
    await cp(FIXTURE, context, { recursive: true });
    for (const m of APP_MODULES) {
      const src = join(REPO_ROOT, 'node_modules', m.from);
      if (!existsSync(join(src, 'package.json'))) {
        throw new Error(`node_modules/${m.from} is missing: run scripts/install-deps.sh (the image copies it)`);
      }
      await cp(src, join(context, 'app', 'node_modules', m.to), { recursive: true });
    }
    const tag = 'customs-test/real-image:latest';
    // The classic builder with the host network: apt inside RUN reaches the mirror (TOOLS.md).
    await run('docker', ['build', '--network', 'host', '--build-arg', `BASE=${base}`, '-t', tag, context], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
    const id = await imageId(tag);
    const archive = await saveImage(tag, id, 'real-image');
    return { tag, id, archive };
  });
}

export async function imageId(ref: string): Promise<string> {
  const { stdout } = await run('docker', ['image', 'inspect', '-f', '{{.Id}}', ref]);
  return stdout.trim();
}

/** `docker save` once per image ID into test/.work/images/. */
export async function saveImage(tag: string, id: string, stem: string): Promise<string> {
  const dir = join(WORK_DIR, 'images');
  await mkdir(dir, { recursive: true });
  const archive = join(dir, `${stem}-${id.replace(/^sha256:/, '').slice(0, 16)}.tar`);
  if (!existsSync(archive)) {
    await run('docker', ['save', '-o', `${archive}.tmp`, tag]);
    await rename(`${archive}.tmp`, archive);
  }
  return archive;
}

export interface TruthPackage {
  readonly name: string;
  readonly version: string;
  readonly path?: string;
}

export interface DebTruth extends TruthPackage {
  readonly arch: string;
  readonly source: { readonly name: string; readonly version: string };
}

export interface GoTruth {
  readonly path: string;
  /** `go` line: the toolchain, e.g. go1.19.8. */
  readonly goVersion: string;
  /** `mod` line. */
  readonly main: { readonly name: string; readonly version: string };
  /** `dep` lines (after `=>` replacements). */
  readonly deps: readonly TruthPackage[];
}

export interface OsTruth {
  /** os-release ID, VERSION_ID, VERSION_CODENAME; /etc/debian_version. */
  readonly id: string;
  readonly versionId: string;
  readonly versionCodename: string;
  readonly debianVersion: string;
}

export interface GroundTruth {
  readonly os: OsTruth;
  readonly deb: readonly DebTruth[];
  readonly npm: readonly TruthPackage[];
  readonly pypi: readonly TruthPackage[];
  readonly maven: readonly TruthPackage[];
  readonly go: readonly GoTruth[];
}

/** Go binaries of the image whose build info the ground truth reads. */
const GO_BINARIES = ['usr/local/bin/gohello'];

/** Read the ground truth from inside the image (cached beside its archive). */
export async function groundTruth(image: BuiltImage): Promise<GroundTruth> {
  // Bump the suffix when truth.py's output changes.
  const cache = image.archive.replace(/\.tar$/, '.truth-v2.json');
  if (existsSync(cache)) return JSON.parse(await readFile(cache, 'utf8')) as GroundTruth;
  const script = await readFile(join(FIXTURE, 'truth.py'), 'utf8');
  const { stdout } = await run('docker', ['run', '-i', '--rm', '--network', 'none', image.tag, 'python3', '-'], {
    input: script,
  });
  const inside = JSON.parse(stdout) as Omit<GroundTruth, 'go'>;
  const go: GoTruth[] = [];
  for (const path of GO_BINARIES) go.push(await goBuildInfo(image.tag, path));
  const truth: GroundTruth = { ...inside, go };
  await writeFile(cache, JSON.stringify(truth, null, 1));
  return truth;
}

/** Copy a binary out of the image and read its build info with the host's `go version -m`. */
async function goBuildInfo(tag: string, path: string): Promise<GoTruth> {
  const { stdout: cid } = await run('docker', ['create', tag, 'true']);
  const container = cid.trim();
  const out = join(WORK_DIR, 'real-image', 'go-bin');
  try {
    await rm(out, { force: true });
    await run('docker', ['cp', `${container}:/${path}`, out]);
  } finally {
    await run('docker', ['rm', '-f', container], { allowFailure: true });
  }
  const { stdout } = await run('go', ['version', '-m', out]);
  return parseGoVersionM(path, stdout);
}

/**
 * Parse `go version -m` output: "FILE: goX.Y.Z", then tab-separated lines
 * `path P`, `mod P V [H]`, `dep P V [H]`, `=> P V [H]` (replaces the line before).
 */
export function parseGoVersionM(path: string, text: string): GoTruth {
  const lines = text.split('\n');
  const goVersion = /:\s+(go\S+)/.exec(lines[0] ?? '')?.[1];
  if (!goVersion) throw new Error(`go version -m printed no toolchain version:\n${text}`);
  let main: { name: string; version: string } | undefined;
  const deps: { name: string; version: string }[] = [];
  for (const line of lines.slice(1)) {
    const f = line.trim().split('\t');
    if (f[0] === 'mod' && f[1] && f[2]) main = { name: f[1], version: f[2] };
    if (f[0] === 'dep' && f[1] && f[2]) deps.push({ name: f[1], version: f[2] });
    if (f[0] === '=>' && f[1] && f[2] && deps.length > 0) deps[deps.length - 1] = { name: f[1], version: f[2] };
  }
  if (!main) throw new Error(`go version -m printed no main module:\n${text}`);
  return { path, goVersion, main, deps };
}

/**
 * Run the customs CLI (bin/customs.js → dist/cli, or the script CUSTOMS_BIN names,
 * e.g. an installed build) and collect its output.
 */
export function runCustoms(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<RunResult> {
  const bin = process.env.CUSTOMS_BIN ?? join(REPO_ROOT, 'bin', 'customs.js');
  return run(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    allowFailure: true,
    ...(cwd === undefined ? {} : { cwd }),
  });
}

/** A fresh, empty directory under test/.work/. */
export async function freshDir(name: string): Promise<string> {
  const dir = join(WORK_DIR, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}
