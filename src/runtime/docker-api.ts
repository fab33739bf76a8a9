/**
 * A small Docker Engine API client over its socket (Docker Engine API v1.41,
 * https://docs.docker.com/engine/api/v1.41/): the container and image lists,
 * inspect, top, and the few POSTs enforcement needs (pause, stop, kill,
 * network disconnect). No docker CLI: the sensor runs where only the socket is.
 */
import { request as httpRequest, type RequestOptions } from 'node:http';
import { type Context, CustomsError } from '../core/index.js';
import { type DaemonEndpoint, parseDockerHost } from '../image/index.js';

/** The largest JSON answer read (a node with thousands of containers stays well under). */
const MAX_ANSWER = 64 * 1024 * 1024;

export interface EngineAnswer {
  readonly status: number;
  readonly body: Buffer;
}

export interface DockerApi {
  readonly display: string;
  get(path: string): Promise<EngineAnswer>;
  post(path: string, body?: unknown): Promise<EngineAnswer>;
  /** GET, 200 expected, JSON answer; 404 → undefined. */
  getJson(path: string): Promise<unknown>;
}

export function dockerApi(ctx: Context): DockerApi {
  const ep = parseDockerHost(ctx.config.dockerHost);
  const call = (method: string, path: string, body?: unknown): Promise<EngineAnswer> =>
    engineRequest(ep, method, path, body, ctx.signal);
  return {
    display: ep.display,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    async getJson(path) {
      const a = await call('GET', path);
      if (a.status === 404) return undefined;
      if (a.status !== 200)
        throw new CustomsError(
          'DAEMON_UNREACHABLE',
          `the Docker Engine at ${ep.display} answered HTTP ${a.status} to GET ${path}: ${messageOf(a.body)}`,
        );
      try {
        return JSON.parse(a.body.toString('utf8')) as unknown;
      } catch (e) {
        throw new CustomsError(
          'DAEMON_UNREACHABLE',
          `the Docker Engine at ${ep.display} sent invalid JSON for ${path}`,
          e,
        );
      }
    },
  };
}

/** The Engine's error body is {"message": "..."}; anything else is shown as text. */
export function messageOf(body: Buffer): string {
  const text = body.toString('utf8').trim();
  try {
    const j = JSON.parse(text) as { message?: unknown };
    if (typeof j.message === 'string') return j.message;
  } catch {
    // plain text
  }
  return text.slice(0, 500);
}

function engineRequest(
  ep: DaemonEndpoint,
  method: string,
  path: string,
  body: unknown,
  signal: AbortSignal,
): Promise<EngineAnswer> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const opts: RequestOptions = {
    method,
    path,
    headers: {
      host: 'docker',
      ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
    },
    signal,
    ...(ep.socketPath ? { socketPath: ep.socketPath } : { host: ep.host, port: ep.port }),
  };
  return new Promise((resolve, reject) => {
    const req = httpRequest(opts, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER) {
          req.destroy(new Error(`answer larger than ${MAX_ANSWER} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', (e: Error & { code?: string }) => {
      if (signal.aborted) return reject(new CustomsError('ABORTED', 'docker engine request cancelled', e));
      reject(
        new CustomsError(
          'DAEMON_UNREACHABLE',
          `cannot reach the Docker Engine at ${ep.display} (${e.code ?? e.message}); is it running?`,
          e,
        ),
      );
    });
    req.end(payload);
  });
}
