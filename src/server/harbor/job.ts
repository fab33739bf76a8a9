/**
 * The pull side of a Harbor scan request (the worker's `scan` job runs it:
 * worker/scan-job.ts). Harbor sends, with each request, an
 * Authorization header value for pulling the artifact from its registry
 * (spec: Registry.authorization — "Basic …" for robot account credentials,
 * or "Bearer …"). It is stored sealed (store/harbor-scans.ts), opened only
 * here, handed to the registry client through a docker config file that
 * lives in a private temp dir for the length of the pull, and dropped from
 * the store once the scan is recorded. It never goes to a log or a job
 * payload.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, CustomsError } from '../../core/index.js';
import type { ServerContext } from '../context.js';

/**
 * The payload of a `scan` job enqueued by POST /harbor/api/v1/scan. `image`
 * is the artifact as the engine names a registry image
 * (`registry:HOST/REPOSITORY@DIGEST`), so a scan handler that knows nothing
 * of Harbor still scans it (without Harbor's pull authorization);
 * `harborScanId` lets one that does pull with it (withHarborPullConfig).
 */
export interface HarborScanJobPayload {
  readonly source: 'harbor';
  readonly harborScanId: string;
  readonly image: string;
  readonly digest: string;
}

export function isHarborScanJob(payload: unknown): payload is HarborScanJobPayload {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    (payload as { source?: unknown }).source === 'harbor' &&
    typeof (payload as { harborScanId?: unknown }).harborScanId === 'string' &&
    typeof (payload as { image?: unknown }).image === 'string' &&
    typeof (payload as { digest?: unknown }).digest === 'string'
  );
}

/** The docker config entry for an Authorization header value (docker/cli configfile: auth, registrytoken). */
function authEntry(authorization: string): Record<string, string> {
  const m = /^(Basic|Bearer)\s+(\S+)$/i.exec(authorization.trim());
  if (!m?.[1] || !m[2]) {
    throw new CustomsError(
      'REGISTRY_AUTH_FAILED',
      'the Harbor scan request carries an Authorization that is neither "Basic …" nor "Bearer …"; check the scanner registration in Harbor',
    );
  }
  return m[1].toLowerCase() === 'basic' ? { auth: m[2] } : { registrytoken: m[2] };
}

/**
 * Run `fn` with the configuration that pulls the request's artifact with
 * Harbor's authorization (a docker config in a private temp dir, removed
 * after), then drop the authorization from the store once `fn` succeeded.
 */
export async function withHarborPullConfig<T>(
  ctx: ServerContext,
  harborScanId: string,
  fn: (config: Partial<Config>) => Promise<T>,
): Promise<T> {
  const { store } = ctx;
  const request = await store.harborScans.get(harborScanId);
  if (!request) throw new CustomsError('INTERNAL', `Harbor scan request ${harborScanId} is not in the store`);
  const url = new URL(request.registryUrl);
  const authorization = await store.harborScans.authorization(request.id);
  const dir = await mkdtemp(join(tmpdir(), 'customs-harbor-'));
  let out: T;
  try {
    const dockerConfig = join(dir, 'config.json');
    const auths = authorization !== undefined ? { [url.host]: authEntry(authorization) } : {};
    await writeFile(dockerConfig, JSON.stringify({ auths }), { mode: 0o600 });
    // Harbor names its registry by its internal URL, often plain HTTP (http://harbor-core:8080):
    // an http URL is Harbor saying so, and the registry is the one that asked for the scan.
    out = await fn({ dockerConfig, insecure: url.protocol === 'http:' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await store.harborScans.dropAuthorization(request.id);
  return out;
}
