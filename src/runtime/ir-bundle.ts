/**
 * `customs ir CONTAINER`: a forensic bundle of one container, as a gzip'd tar
 * with a reproducible layout: entries sorted by path, mode 0644, owner 0:0,
 * mtime 0 (the collection time is in the manifest, not the tar headers), JSON
 * written with sorted keys. manifest.json lists every other entry with its size
 * and SHA-256 and records the chain of custody (who collected it, on which host,
 * when, with which tool and command); `customs ir verify` checks a bundle
 * against it. Layout (docs/runtime.md "Incident response"):
 *
 *   manifest.json                   files, hashes, custody
 *   container/inspect.json          GET /containers/{id}/json
 *   container/orchestrator.json     Kubernetes identity and every label
 *   image/inspect.json              GET /images/{id}/json (config, digests, history)
 *   processes.json                  every task in the container's mount namespace
 *   network/connections.json        parsed sockets; network/proc-net-{tcp,tcp6,udp,udp6} raw
 *   drift/drift.json                files and packages changed, with hashes
 *   drift/files/<path>              added or changed files up to the size caps
 *   events/engine.json              the Engine's events for the container since it was created
 *   events/alerts.json              the sensor's alerts on it (from the store, when given)
 */
import { userInfo, hostname } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CustomsError, sha256, stableJson, toolVersion } from '../core/index.js';
import type { ScanContext } from '../engine/index.js';
import { encodeTarHeader, TarReader, tarEndOfArchive, tarPadding } from '../image/index.js';
import type { EventRecord } from '../store/index.js';
import { dockerApi, type DockerApi } from './docker-api.js';
import { containerInfoOf, inspectContainer } from './docker-inventory.js';
import { containerDrift } from './drift.js';
import { arr, obj, str } from './json-fields.js';
import { containerProcesses, containerSockets } from './proc-facts.js';

export const IR_BUNDLE_SCHEMA = 'customs.ir.bundle/v1';

export interface BundleFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface Custody {
  readonly collectedBy: string;
  readonly uid: number;
  readonly host: string;
  readonly tool: string;
  readonly command: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly caseId?: string;
}

export interface BundleManifest {
  readonly schema: typeof IR_BUNDLE_SCHEMA;
  readonly container: {
    readonly id: string;
    readonly name: string;
    readonly imageId: string;
    readonly imageRef: string;
  };
  readonly custody: Custody;
  readonly files: readonly BundleFile[];
  /** Changed files not copied: over a size cap, or not regular files. */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
  readonly notes: readonly string[];
}

export interface IrOptions {
  readonly api?: DockerApi;
  /** Largest changed file copied (default 1 MiB); all copies together (default 32 MiB). */
  readonly maxFileBytes?: number;
  readonly maxTotalBytes?: number;
  /** The sensor's alerts on this container (the store's runtime.alert events). */
  readonly alerts?: readonly EventRecord[];
  readonly caseId?: string;
  readonly command?: readonly string[];
  readonly proc?: string;
}

const json = (v: unknown): Buffer => Buffer.from(`${stableJson(v, 2)}\n`);

/** The gzip'd tar of these entries, sorted by path, with fixed headers. */
export function packBundle(entries: ReadonlyMap<string, Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const path of [...entries.keys()].sort()) {
    const body = entries.get(path) as Buffer;
    parts.push(encodeTarHeader({ path, type: 'file', size: body.length, mode: 0o644, mtime: 0, uid: 0, gid: 0 }));
    parts.push(body, tarPadding(body.length));
  }
  parts.push(tarEndOfArchive());
  // Node's gzip header carries no file name and mtime 0: same tar, same bytes.
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

export async function collectBundle(nameOrId: string, ctx: ScanContext, opts: IrOptions = {}): Promise<Buffer> {
  const startedAt = ctx.now().toISOString();
  const api = opts.api ?? dockerApi(ctx);
  const inspect = await inspectContainer(api, nameOrId);
  const info = containerInfoOf(inspect, []);
  const entries = new Map<string, Buffer>();
  const notes: string[] = [];
  const skipped: { path: string; reason: string }[] = [];
  entries.set('container/inspect.json', json(inspect));
  entries.set('container/orchestrator.json', json({ kubernetes: info.kubernetes ?? null, labels: info.labels }));
  const image = await api.getJson(`/images/${encodeURIComponent(info.imageId)}/json`);
  if (image === undefined) notes.push(`image ${info.imageId} is no longer on the node`);
  else entries.set('image/inspect.json', json(image));

  if (info.pid) {
    entries.set('processes.json', json(await containerProcesses(info.pid, opts.proc)));
    const net = await containerSockets(info.pid, opts.proc);
    for (const [t, text] of Object.entries(net.raw)) entries.set(`network/proc-net-${t}`, Buffer.from(text));
    entries.set('network/connections.json', json(net.sockets));
  } else notes.push(`container is ${info.state}: no processes or sockets to record`);

  try {
    const drift = await containerDrift(info.id, ctx, { api });
    entries.set('drift/drift.json', json(drift));
    const maxFile = opts.maxFileBytes ?? 1024 * 1024;
    let budget = opts.maxTotalBytes ?? 32 * 1024 * 1024;
    for (const f of drift.files) {
      if (f.type !== 'file' || (f.kind !== 'added' && f.contentChanged !== true)) continue;
      const size = f.size ?? 0;
      if (size > maxFile) skipped.push({ path: f.path, reason: `${size} bytes > ${maxFile} per file` });
      else if (size > budget) skipped.push({ path: f.path, reason: 'total size cap reached' });
      else {
        const body = await readFile(join(drift.upperDir, f.path)).catch(() => undefined);
        if (!body) skipped.push({ path: f.path, reason: 'gone before it was copied' });
        else {
          entries.set(`drift/files/${f.path}`, body);
          budget -= body.length;
        }
      }
    }
  } catch (e) {
    notes.push(`drift: ${(e as Error).message}`);
  }

  const since = Math.floor(Date.parse(info.created ?? startedAt) / 1000);
  const until = Math.floor(ctx.now().getTime() / 1000) + 1;
  const filters = encodeURIComponent(JSON.stringify({ container: [info.id] }));
  const ev = await api.get(`/events?since=${since}&until=${until}&filters=${filters}`);
  const events = ev.body
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        return { unreadable: l };
      }
    });
  entries.set('events/engine.json', json(events));
  if (opts.alerts) entries.set('events/alerts.json', json(opts.alerts));

  const files: BundleFile[] = [...entries]
    .map(([path, body]) => ({ path, size: body.length, sha256: sha256(body) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const user = userInfo();
  const manifest: BundleManifest = {
    schema: IR_BUNDLE_SCHEMA,
    container: { id: info.id, name: info.name, imageId: info.imageId, imageRef: info.imageRef },
    custody: {
      collectedBy: user.username,
      uid: user.uid,
      host: hostname(),
      tool: `customs ${toolVersion()}`,
      command: opts.command ?? [],
      startedAt,
      finishedAt: ctx.now().toISOString(),
      ...(opts.caseId ? { caseId: opts.caseId } : {}),
    },
    files,
    skipped,
    notes,
  };
  entries.set('manifest.json', json(manifest));
  return packBundle(entries);
}

export interface VerifyResult {
  readonly ok: boolean;
  /** SHA-256 of manifest.json: what a custody log records. */
  readonly manifestSha256?: string;
  readonly container?: BundleManifest['container'];
  readonly custody?: Custody;
  readonly files: number;
  readonly problems: readonly string[];
}

export async function readBundle(gz: Buffer): Promise<Map<string, Buffer>> {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz);
  } catch (e) {
    throw new CustomsError('RUNTIME_INPUT_INVALID', `not a gzip'd bundle: ${(e as Error).message}`, e);
  }
  const reader = new TarReader(Readable.from([tar]));
  const out = new Map<string, Buffer>();
  try {
    for (let e = await reader.next(); e; e = await reader.next()) {
      if (out.has(e.name)) throw new Error(`entry ${e.name} appears twice`);
      out.set(e.name, e.type === 'file' ? await reader.readBody() : Buffer.alloc(0));
    }
  } catch (e) {
    throw new CustomsError('RUNTIME_INPUT_INVALID', `the bundle's tar is unreadable: ${(e as Error).message}`, e);
  }
  return out;
}

export async function verifyBundle(gz: Buffer): Promise<VerifyResult> {
  const entries = await readBundle(gz);
  const manifestBody = entries.get('manifest.json');
  if (!manifestBody) return { ok: false, files: 0, problems: ['no manifest.json'] };
  let manifest: Partial<BundleManifest>;
  try {
    manifest = JSON.parse(manifestBody.toString('utf8')) as Partial<BundleManifest>;
  } catch {
    return { ok: false, files: 0, problems: ['manifest.json is not JSON'] };
  }
  const problems: string[] = [];
  if (manifest.schema !== IR_BUNDLE_SCHEMA)
    problems.push(`manifest schema is ${String(manifest.schema)}, not ${IR_BUNDLE_SCHEMA}`);
  const listed = new Set<string>();
  for (const f of arr(manifest.files).map(obj)) {
    const path = str(f.path) ?? '';
    listed.add(path);
    const body = entries.get(path);
    if (!body) problems.push(`${path}: listed in the manifest, missing from the bundle`);
    else if (sha256(body) !== f.sha256)
      problems.push(`${path}: SHA-256 ${sha256(body)} ≠ manifest ${String(f.sha256)}`);
    else if (body.length !== f.size) problems.push(`${path}: ${body.length} bytes ≠ manifest ${String(f.size)}`);
  }
  for (const path of entries.keys())
    if (path !== 'manifest.json' && !listed.has(path)) problems.push(`${path}: in the bundle, not in the manifest`);
  const names = [...entries.keys()];
  if (names.some((n, i) => i > 0 && (names[i - 1] as string) > n)) problems.push('entries are not sorted by path');
  return {
    ok: problems.length === 0,
    manifestSha256: sha256(manifestBody),
    ...(manifest.container ? { container: manifest.container } : {}),
    ...(manifest.custody ? { custody: manifest.custody } : {}),
    files: listed.size,
    problems,
  };
}
