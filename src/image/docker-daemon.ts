/**
 * The local Docker Engine through its API socket (Docker Engine API:
 * GET /images/{name}/json, GET /images/{name}/get), no docker CLI. The saved
 * tarball is a docker-archive, streamed into a temp file and read as one.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { join } from 'node:path';
import { type Context, CustomsError } from '../core/index.js';
import { MAX_DOCUMENT_SIZE, readBounded } from './bounded-read.js';
import { openDockerArchive } from './docker-archive.js';
import { makeTempDir, streamToFile } from './temp-files.js';
import type { Image } from './types.js';

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
    const req = httpRequest(opts, resolve);
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

interface InspectResult {
  readonly id: string;
  readonly repoTags: string[];
  readonly repoDigests: string[];
}

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
  };
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  if (typeof j.Id !== 'string')
    throw new CustomsError(
      'DAEMON_UNREACHABLE',
      `the Docker daemon at ${ep.display} answered without an image Id for "${name}"`,
    );
  return { id: j.Id, repoTags: strings(j.RepoTags), repoDigests: strings(j.RepoDigests) };
}

/** `displayName` replaces `docker-daemon:NAME` when a bare reference was resolved to the daemon. */
export async function openDaemonImage(name: string, ctx: Context, displayName?: string): Promise<Image> {
  const ep = parseDockerHost(ctx.config.dockerHost);
  const info = await inspectDaemonImage(name, ctx);
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
    const image = await openDockerArchive(file, {}, ctx, displayName ?? `docker-daemon:${name}`);
    return {
      ...image,
      transport: 'docker-daemon',
      repoTags: info.repoTags.length > 0 ? info.repoTags : image.repoTags,
      repoDigests: info.repoDigests,
      close: async () => {
        await image.close();
        await tmp.remove();
      },
    };
  } catch (e) {
    await tmp.remove();
    throw e;
  }
}
