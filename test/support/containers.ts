/**
 * Containers for the runtime tests: started from the local base image (no
 * registry), named uniquely per test run and removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { baseImage, ensureDocker, run } from './images.js';

export interface TestContainers {
  readonly base: string;
  /** A unique name with this prefix (several test files run at once). */
  name(prefix: string): string;
  /** `docker run -d ARGS IMAGE CMD…`; returns the container ID; removed by cleanup(). */
  start(args: readonly string[], image?: string, cmd?: readonly string[]): Promise<string>;
  /** `docker exec ID sh -c SCRIPT`. */
  exec(id: string, script: string, opts?: { readonly user?: string }): Promise<string>;
  /** Build an image from Dockerfile text (FROM the base); removed by cleanup(). */
  build(dockerfile: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function testContainers(): Promise<TestContainers> {
  await ensureDocker();
  const base = await baseImage();
  const run8 = randomBytes(4).toString('hex');
  const containers: string[] = [];
  const images: string[] = [];
  return {
    base,
    name: (prefix) => `customs-rt-${prefix}-${run8}`,
    async start(args, image = base, cmd = ['sleep', '300']) {
      const { stdout } = await run('docker', ['run', '-d', ...args, image, ...cmd]);
      const id = stdout.trim();
      containers.push(id);
      return id;
    },
    async exec(id, script, opts = {}) {
      const { stdout } = await run('docker', ['exec', ...(opts.user ? ['-u', opts.user] : []), id, 'sh', '-c', script]);
      return stdout;
    },
    async build(dockerfile) {
      const tag = `customs-rt-test/img-${run8}-${images.length}`;
      await run('docker', ['build', '-q', '-t', tag, '-'], {
        input: dockerfile.replaceAll('$BASE', base),
        env: { ...process.env, DOCKER_BUILDKIT: '0' },
      });
      images.push(tag);
      return tag;
    },
    async cleanup() {
      for (const id of containers) {
        // A container removed with a network still attached leaves a stale endpoint behind
        // on this engine (bridge=none): disconnect first.
        const { stdout } = await run(
          'docker',
          ['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', id],
          { allowFailure: true },
        );
        for (const net of stdout
          .trim()
          .split(/\s+/)
          .filter((n) => n && n !== 'bridge' && n !== 'host' && n !== 'none'))
          await run('docker', ['network', 'disconnect', '-f', net, id], { allowFailure: true });
        await run('docker', ['rm', '-f', id], { allowFailure: true });
      }
      for (const tag of images) await run('docker', ['rmi', '-f', tag], { allowFailure: true });
    },
  };
}
