/**
 * Docker hosts for the benchmark tests: containers that trip specific CIS Docker
 * controls on the running Engine, and a second dockerd with its own data root,
 * exec root, socket, pid file and daemon.json, so a daemon configuration can be
 * judged without touching the main daemon. Images come from the local base image
 * (baseImage()); nothing is pulled.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseImage, run } from './images.js';

/** The containers of one test run, named `${prefix}-<role>`. */
export interface TripContainers {
  readonly prefix: string;
  /** Role → container name. */
  readonly names: { readonly sock: string; readonly hostnet: string; readonly priv: string; readonly good: string };
  /** The hardened image (USER 1000, HEALTHCHECK). */
  readonly goodImage: string;
  remove(): Promise<void>;
}

/**
 * Start the trip containers on DOCKER_HOST:
 * - sock: the Docker socket mounted (5.32), no limits (5.11, 5.12, 5.29), root (4.1);
 * - hostnet: --network host, --pid host, --cap-add NET_ADMIN (5.10, 5.16, 5.4), no limits;
 * - priv: --privileged, created and never started (these hosts refuse to start privileged containers) (5.5);
 * - good: read-only root, memory/CPU/pids limits, no-new-privileges, on-failure:5,
 *   a non-root user and a HEALTHCHECK: passes all of those.
 */
export async function startTripContainers(prefix: string): Promise<TripContainers> {
  const base = await baseImage();
  const goodImage = `${prefix}-img:1`;
  const names = {
    sock: `${prefix}-sock`,
    hostnet: `${prefix}-hostnet`,
    priv: `${prefix}-priv`,
    good: `${prefix}-good`,
  };
  const remove = async (): Promise<void> => {
    await run('docker', ['rm', '-f', ...Object.values(names)], { allowFailure: true });
    await run('docker', ['rmi', '-f', goodImage], { allowFailure: true });
  };
  await remove();
  await run('docker', ['build', '-q', '-t', goodImage, '-'], {
    input: `FROM ${base}\nUSER 1000\nHEALTHCHECK --interval=30s CMD ["true"]\n`,
  });
  await run('docker', [
    'run',
    '-d',
    '--name',
    names.sock,
    '--network',
    'none',
    '-v',
    '/var/run/docker.sock:/var/run/docker.sock',
    base,
    'sleep',
    'infinity',
  ]);
  await run('docker', [
    'run',
    '-d',
    '--name',
    names.hostnet,
    '--network',
    'host',
    '--pid',
    'host',
    '--cap-add',
    'NET_ADMIN',
    base,
    'sleep',
    'infinity',
  ]);
  await run('docker', ['create', '--name', names.priv, '--privileged', '--network', 'none', base, 'sleep', 'infinity']);
  await run('docker', [
    'run',
    '-d',
    '--name',
    names.good,
    '--network',
    'none',
    '--read-only',
    '--memory',
    '64m',
    '--cpu-shares',
    '512',
    '--pids-limit',
    '64',
    '--security-opt',
    'no-new-privileges',
    '--restart',
    'on-failure:5',
    goodImage,
    'sleep',
    'infinity',
  ]);
  return { prefix, names, goodImage, remove };
}

export interface TestDaemon {
  /** DOCKER_HOST of the daemon. */
  readonly host: string;
  readonly configFile: string;
  stop(): Promise<void>;
}

/**
 * A second dockerd configured by `config` (written as its --config-file). Short paths
 * under /tmp: containerd's socket lives under the exec root and unix socket paths are
 * limited to 108 bytes. Netfilter is unavailable here, so the bridge stays off.
 */
export async function startTestDaemon(config: Record<string, unknown>): Promise<TestDaemon> {
  const dir = await mkdtemp(join(tmpdir(), 'cbd-'));
  const configFile = join(dir, 'daemon.json');
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  await chmod(configFile, 0o644);
  const sock = join(dir, 'd.sock');
  const pidfile = join(dir, 'd.pid');
  const dataRoot = join(dir, 'data');
  const child = spawn(
    'dockerd',
    [
      '--config-file',
      configFile,
      '--data-root',
      dataRoot,
      '--exec-root',
      join(dir, 'x'),
      '--pidfile',
      pidfile,
      '-H',
      `unix://${sock}`,
      '--bridge=none',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const host = `unix://${sock}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 20_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    // dockerd mounts its data root on itself; a killed daemon can leave it mounted.
    const mounts = await readFile('/proc/self/mountinfo', 'utf8');
    for (const line of mounts.split('\n').reverse()) {
      const mp = line.split(' ')[4];
      if (mp?.startsWith(dir)) await run('umount', ['-l', mp], { allowFailure: true });
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 60; i++) {
    const r = await run('docker', ['-H', host, 'info', '--format', '{{.ServerVersion}}'], { allowFailure: true });
    if (r.code === 0) return { host, configFile, stop };
    if (child.exitCode !== null) break;
    await new Promise((ok) => setTimeout(ok, 500));
  }
  await stop();
  throw new Error(`the test dockerd (${configFile}) did not answer on ${host}`);
}
