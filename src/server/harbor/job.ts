/**
 * The scan job of a Harbor scan request. Harbor sends, with each request, an
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
import { renderScanJson } from '../../report/index.js';
import type { ScanResult } from '../../result/index.js';
import { inventoryPackagesOf } from '../../store/index.js';
import type { ServerContext } from '../context.js';

/** The payload of a `scan` job enqueued by POST /harbor/api/v1/scan. */
export interface HarborScanJobPayload {
  readonly source: 'harbor';
  readonly harborScanId: string;
  /** `registry:HOST/REPOSITORY@DIGEST`, as the engine names a registry image. */
  readonly target: string;
  readonly digest: string;
}

export function isHarborScanJob(payload: unknown): payload is HarborScanJobPayload {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    (payload as { source?: unknown }).source === 'harbor' &&
    typeof (payload as { harborScanId?: unknown }).harborScanId === 'string'
  );
}

/** Scan a registry image with these configuration overrides (the worker passes the engine and its DB). */
export type RegistryScan = (target: string, config: Partial<Config>) => Promise<ScanResult>;

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

export interface HarborScanOutcome {
  readonly scanId: number;
  readonly imageDigest: string;
  readonly vulnerabilities: number;
}

/** Run the job: pull with Harbor's authorization, scan, record the result; the authorization is dropped after. */
export async function runHarborScanJob(
  ctx: ServerContext,
  jobId: number,
  payload: HarborScanJobPayload,
  scan: RegistryScan,
): Promise<HarborScanOutcome> {
  const { store } = ctx;
  const request = await store.harborScans.get(payload.harborScanId);
  if (!request) {
    throw new CustomsError('INTERNAL', `Harbor scan request ${payload.harborScanId} is not in the store`);
  }
  const url = new URL(request.registryUrl);
  const authorization = await store.harborScans.authorization(request.id);
  const dir = await mkdtemp(join(tmpdir(), 'customs-harbor-'));
  try {
    const dockerConfig = join(dir, 'config.json');
    const auths = authorization !== undefined ? { [url.host]: authEntry(authorization) } : {};
    await writeFile(dockerConfig, JSON.stringify({ auths }), { mode: 0o600 });
    // Harbor names its registry by its internal URL, often plain HTTP (http://harbor-core:8080):
    // an http URL is Harbor saying so, and the registry is the one that asked for the scan.
    const result = await scan(payload.target, { dockerConfig, insecure: url.protocol === 'http:' });
    const recorded = await store.scans.record({
      imageDigest: request.digest,
      // Stored in its JSON form (schema/scan-result-v1.json), as every scan in the store is.
      document: JSON.parse(renderScanJson(result)) as unknown,
      packages: inventoryPackagesOf(result.inventory),
      ...(result.db ? { dbVersion: result.db.builtAt } : {}),
      jobId,
    });
    await store.harborScans.dropAuthorization(request.id);
    return { scanId: recorded.scanId, imageDigest: request.digest, vulnerabilities: result.vulnerabilities.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
