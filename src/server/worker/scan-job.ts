/**
 * The `scan` job: scan one image through the engine (the one wiring), record
 * the result once, judge it with the central policy (api/central-policy.ts), and emit image.new,
 * scan.finished and verdict.changed.
 *
 * Once: a job's key is (digest, DB version, scanner plan), so the same image is
 * not queued twice for one DB; and when an attempt dies after recording but
 * before completing (SIGKILL, a lost connection), the retry finds the scan its
 * job already recorded (scans.latest(digest).jobId) and completes with it
 * instead of recording again.
 */
import { type Context, CustomsError, createContext, SEVERITIES } from '../../core/index.js';
import { scan } from '../../engine/index.js';
import { renderScanJson } from '../../report/index.js';
import { findingsOf, type ScanResult } from '../../result/index.js';
import { inventoryPackagesOf, type Registry, type Store } from '../../store/index.js';
// Directly, not through api/index.ts: that index reaches http/app.ts, which imports every route plugin (a cycle).
import { judgeCentrally } from '../api/central-policy.js';
import { EVENT_TYPES } from '../event-types.js';
import { isHarborScanJob, withHarborPullConfig } from '../harbor/job.js';
import { type JobHandler, type JobRun, type ScanPayload, SERVER_SCAN_PLAN } from '../jobs.js';
import { registryContext, registryHost } from '../registry/index.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A job's payload, checked: the queue holds JSON anyone with the API could have written. */
export function parseScanPayload(payload: unknown): ScanPayload {
  const p = payload as Record<string, unknown> | null;
  if (p !== null && typeof p === 'object') {
    if (typeof p.image === 'string' && p.image !== '') return { image: p.image };
    if (
      typeof p.registryId === 'number' &&
      typeof p.repository === 'string' &&
      p.repository !== '' &&
      typeof p.digest === 'string' &&
      DIGEST.test(p.digest)
    ) {
      return {
        registryId: p.registryId,
        repository: p.repository,
        digest: p.digest,
        ...(typeof p.tag === 'string' ? { tag: p.tag } : {}),
      };
    }
  }
  throw new CustomsError(
    'USAGE_BAD_ARGUMENT',
    'a scan job needs {"image": REFERENCE} or {"registryId", "repository", "digest": "sha256:…"}',
  );
}

export interface ScanJobResult {
  readonly digest: string;
  readonly scanId: number;
  readonly verdict?: string;
  /** True when an earlier attempt of this job had recorded the scan already. */
  readonly reused?: boolean;
}

function severityCounts(result: ScanResult): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  for (const f of findingsOf(result)) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}

async function alreadyRecorded(store: Store, digest: string, jobId: number): Promise<ScanJobResult | undefined> {
  const latest = await store.scans.latest(digest);
  if (latest?.jobId !== jobId) return undefined;
  const verdict = await store.verdicts.latest(digest);
  return { digest, scanId: latest.id, ...(verdict ? { verdict: verdict.status } : {}), reused: true };
}

async function targetOf(
  run: JobRun,
  payload: ScanPayload,
): Promise<{ target: string; context: Context; registry?: Registry }> {
  if ('image' in payload) return { target: payload.image, context: createContext({ signal: run.signal }) };
  const registry = await run.ctx.store.registries.get(payload.registryId);
  if (!registry) {
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      `registry ${payload.registryId} is not in the store (removed since the job was queued)`,
    );
  }
  return {
    target: `registry:${registryHost(registry.url)}/${payload.repository}@${payload.digest}`,
    context: await registryContext(run.ctx, registry, run.signal),
    registry,
  };
}

export const scanJob: JobHandler = async (run) => {
  const { store } = run.ctx;
  const payload = parseScanPayload(run.job.payload);
  if ('digest' in payload) {
    const done = await alreadyRecorded(store, payload.digest, run.job.id);
    if (done) return done;
  }
  if (!run.db) {
    throw new CustomsError(
      'VULNDB_MISSING',
      'this worker has no vulnerability DB; run `customs db update` (or `customs db import`) where the worker reads it (--db)',
    );
  }
  const { target, context, registry } = await targetOf(run, payload);
  const db = run.db;
  const scanWith = (c: Context) =>
    scan(target, SERVER_SCAN_PLAN, {
      ...c,
      db: db.reader,
      dbPath: db.path,
      ...(run.cache ? { cache: run.cache } : {}),
    });
  // A Harbor scan request pulls with the authorization Harbor sent, dropped after (harbor/job.ts).
  const harbor = run.job.payload;
  const result = isHarborScanJob(harbor)
    ? await withHarborPullConfig(run.ctx, harbor.harborScanId, (config) =>
        scanWith({ ...context, config: { ...context.config, ...config } }),
      )
    : await scanWith(context);
  const t = result.inventory.target;
  const digest = 'digest' in payload ? payload.digest : (t.manifestDigest ?? t.configDigest);
  if (!('digest' in payload)) {
    const done = await alreadyRecorded(store, digest, run.job.id);
    if (done) return done;
  }
  const known = await store.images.get(digest);
  const previous = await store.verdicts.latest(digest);
  // The central policy and its exceptions, judged as `POST /api/v1/verdicts` and `customs gate` judge.
  const central = await judgeCentrally(store, result, digest, run.ctx.now());
  const status = central.outcome.verdict.status;
  // Only the lease holder records: a worker that stalled past its lease stops here.
  await store.jobs.heartbeat(run.lease(), run.leaseMs);
  // Scan and verdict in one transaction: a worker killed between them leaves neither (the job is retried).
  const recorded = await store.scans.record({
    imageDigest: digest,
    // The stored document is the scan's JSON report (schema/scan-result-v1.json), as `customs scan -f json` writes it.
    document: JSON.parse(renderScanJson(result)) as unknown,
    packages: inventoryPackagesOf(result.inventory),
    dbVersion: run.db.version,
    jobId: run.job.id,
    verdict: {
      status,
      ...(central.policies.length > 0 ? { policy: central.policies.map((p) => p.name).join(',') } : {}),
      document: central.outcome.verdict,
    },
  });
  await store.images.put({
    digest,
    configDigest: t.configDigest,
    ...(result.config !== undefined ? { config: result.config } : {}),
    ...(t.platform !== undefined ? { platform: t.platform } : {}),
    layers: t.layers.map((l) => ({
      digest: l.digest,
      diffId: l.diffID,
      size: l.size ?? 0,
      mediaType: l.mediaType,
    })),
  });
  const where = {
    ...(registry ? { registry: registry.name } : {}),
    ...('repository' in payload ? { repository: payload.repository } : {}),
    ...('tag' in payload && payload.tag !== undefined ? { tag: payload.tag } : {}),
    ...('image' in payload ? { image: payload.image } : {}),
  };
  if (!known) {
    await store.events.append({ type: EVENT_TYPES.imageNew, subject: digest, data: { digest, ...where } });
  }
  await store.events.append({
    type: EVENT_TYPES.scanFinished,
    subject: digest,
    data: {
      digest,
      jobId: run.job.id,
      scanId: recorded.scanId,
      dbVersion: run.db.version,
      verdict: status,
      severities: severityCounts(result),
      findings: {
        new: recorded.findings.new.length,
        changed: recorded.findings.changed.length,
        fixed: recorded.findings.fixed.length,
      },
      ...where,
    },
  });
  if (previous && previous.status !== status) {
    await store.events.append({
      type: EVENT_TYPES.verdictChanged,
      subject: digest,
      data: { digest, from: previous.status, to: status, scanId: recorded.scanId, ...where },
    });
  }
  run.log.info({ job: run.job.id, digest, verdict: status, new: recorded.findings.new.length }, 'scan recorded');
  return { digest, scanId: recorded.scanId, verdict: status } satisfies ScanJobResult;
};
