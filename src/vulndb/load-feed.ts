/**
 * Local feed files and directories → a DbWriter. Each file's format is found
 * from its bytes, not its name (air-gapped users rename things): ZIP → OSV
 * all.zip, gzip → unpacked then detected, "#model_version" / "cve,epss" → EPSS
 * CSV, JSON by shape (OSV record, NVD 2.0, KEV, Alpine secdb, Debian tracker).
 */
import { lstat, open, readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { CustomsError } from '../core/index.js';
import type { DbWriter } from './db-writer.js';
import { parseAlpineSecdb } from './feeds/alpine-secdb.js';
import { parseDebianTracker } from './feeds/debian-tracker.js';
import { parseEpss } from './feeds/epss.js';
import { parseKev } from './feeds/kev.js';
import { parseNvd } from './feeds/nvd.js';
import { parseOsvDocument } from './feeds/osv.js';
import type { FeedSink } from './feeds/sink.js';
import { zipEntries } from './feeds/zip-entries.js';
import type { DbSourceInfo } from './types.js';

export const FEED_KINDS = ['osv', 'debian-tracker', 'alpine-secdb', 'nvd', 'kev', 'epss'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

/** V8 strings stop near 512 MiB; no real JSON feed is that large (Debian's tracker is ~70 MB). */
const MAX_JSON = 500 * 1024 * 1024;
const MAX_DEPTH = 32;

/** A file's content, read once: bytes of a ZIP are left on disk (read entry by entry). */
type Content =
  | { readonly kind: 'zip' }
  | { readonly kind: 'csv'; readonly text: string }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'unknown'; readonly why: string };

async function readContent(path: string): Promise<Content> {
  const fh = await open(path, 'r');
  let head: Buffer;
  let size: number;
  try {
    size = (await fh.stat()).size;
    head = Buffer.alloc(Math.min(4, size));
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return { kind: 'zip' };
  if (head.length === 4 && head.readUInt32LE(0) === 0x06054b50) return { kind: 'zip' }; // empty archive
  if (size > MAX_JSON) return { kind: 'unknown', why: `larger than ${MAX_JSON} bytes` };
  let bytes = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_JSON });
    } catch (e) {
      return { kind: 'unknown', why: `bad gzip data (${(e as Error).message})` };
    }
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start.startsWith('#model_version') || /^cve\s*,\s*epss/i.test(start)) return { kind: 'csv', text };
  if (start.startsWith('{') || start.startsWith('[')) {
    try {
      return { kind: 'json', value: JSON.parse(text) };
    } catch (e) {
      return { kind: 'unknown', why: `not valid JSON (${(e as Error).message})` };
    }
  }
  return { kind: 'unknown', why: 'neither ZIP, JSON nor EPSS CSV' };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which feed a parsed JSON document belongs to, by its shape. */
export function jsonKind(v: unknown): FeedKind | undefined {
  if (Array.isArray(v)) return 'osv';
  if (!isObject(v)) return undefined;
  if (typeof v.id === 'string' && 'modified' in v) return 'osv';
  if (Array.isArray(v.vulnerabilities)) {
    const first: unknown = v.vulnerabilities[0];
    if ('catalogVersion' in v || (isObject(first) && 'cveID' in first)) return 'kev';
    if (v.format === 'NVD_CVE' || (isObject(first) && 'cve' in first) || 'totalResults' in v) return 'nvd';
    return undefined;
  }
  if ('distroversion' in v && 'packages' in v) return 'alpine-secdb';
  const firstPkg = Object.values(v)[0];
  if (isObject(firstPkg)) {
    const firstCve = Object.values(firstPkg)[0];
    if (isObject(firstCve) && 'releases' in firstCve) return 'debian-tracker';
  }
  return undefined;
}

export interface LoadOptions {
  /** Source name in the DB metadata (default: the kind, with the file name). */
  readonly name?: string;
  readonly url?: string;
  /** When the data was fetched; used when the feed carries no date of its own. */
  readonly fetchedAt: string;
  readonly signal?: AbortSignal;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CustomsError('ABORTED', 'DB build cancelled; the previous DB is unchanged');
}

/** Parse JSON content of a known kind into a sink; returns the feed's own timestamp if any. */
function parseJson(kind: FeedKind, value: unknown, sink: FeedSink, where: string): string | undefined {
  switch (kind) {
    case 'osv':
      parseOsvDocument(value, where, sink);
      return undefined;
    case 'debian-tracker':
      parseDebianTracker(value, sink, where);
      return undefined;
    case 'alpine-secdb':
      parseAlpineSecdb(value, sink, where);
      return undefined;
    case 'nvd':
      return parseNvd(value, sink, where).timestamp;
    case 'kev':
      return parseKev(value, sink, where).timestamp;
    case 'epss':
      sink.skip('EPSS is CSV, not JSON', where);
      return undefined;
  }
}

/** Every OSV JSON entry of an all.zip into the sink, one entry in memory at a time. */
export async function loadOsvZip(path: string, sink: FeedSink, signal?: AbortSignal): Promise<void> {
  for await (const entry of zipEntries(path, (n) => n.endsWith('.json'))) {
    throwIfAborted(signal);
    const where = `${basename(path)}:${entry.name}`;
    if ('error' in entry.data) {
      sink.skip(`zip entry ${entry.data.error}`, where);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(entry.data.toString('utf8'));
    } catch {
      sink.skip('not JSON', where);
      continue;
    }
    parseOsvDocument(value, where, sink);
  }
}

/** Load one feed file (any supported format) as one source. VULNDB_FEED_INVALID when the format is not recognised. */
export async function loadFile(writer: DbWriter, path: string, opts: LoadOptions): Promise<DbSourceInfo> {
  throwIfAborted(opts.signal);
  const abs = resolve(path);
  const url = opts.url ?? pathToFileURL(abs).href;
  const content = await readContent(abs);
  switch (content.kind) {
    case 'zip': {
      const sink = writer.source(opts.name ?? `osv:${basename(abs, extname(abs))}`, url, opts.fetchedAt);
      await loadOsvZip(abs, sink, opts.signal);
      return sink.finish();
    }
    case 'csv': {
      const sink = writer.source(opts.name ?? 'epss', url, opts.fetchedAt);
      const ts = await parseEpss(content.text.split('\n'), sink, basename(abs));
      return sink.finish(ts.timestamp);
    }
    case 'json': {
      const kind = jsonKind(content.value);
      if (kind === undefined)
        throw new CustomsError(
          'VULNDB_FEED_INVALID',
          `${abs}: JSON of no known feed format (OSV, NVD 2.0, KEV, Alpine secdb, Debian tracker)`,
        );
      const sink = writer.source(opts.name ?? (kind === 'osv' ? `osv:${basename(abs)}` : kind), url, opts.fetchedAt);
      return sink.finish(parseJson(kind, content.value, sink, basename(abs)));
    }
    case 'unknown':
      throw new CustomsError('VULNDB_FEED_INVALID', `${abs}: ${content.why}`);
  }
}

/** Feed files under a directory, sorted (deterministic builds), symlinks not followed (a feed dir is untrusted). */
async function walk(dir: string, depth: number, out: string[]): Promise<void> {
  if (depth > MAX_DEPTH) return;
  const names = (await readdir(dir)).sort();
  for (const n of names) {
    if (n.startsWith('.')) continue;
    const p = join(dir, n);
    const st = await lstat(p);
    if (st.isDirectory()) await walk(p, depth + 1, out);
    else if (st.isFile() && /\.(json|zip|csv|gz)$/i.test(n)) out.push(p);
  }
}

/**
 * Load files and directories. In a directory, OSV JSON files together form one
 * source ("osv:<dir name>"); every other file is its own source. Files of no
 * known format inside a directory are counted as skipped, not fatal.
 */
export async function loadPaths(
  writer: DbWriter,
  paths: readonly string[],
  opts: Omit<LoadOptions, 'name' | 'url'>,
): Promise<DbSourceInfo[]> {
  const infos: DbSourceInfo[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    const st = await lstat(abs).catch(() => undefined);
    if (!st) throw new CustomsError('VULNDB_FEED_INVALID', `${abs} does not exist`);
    if (!st.isDirectory()) {
      infos.push(await loadFile(writer, abs, opts));
      continue;
    }
    const files: string[] = [];
    await walk(abs, 0, files);
    const osv = writer.source(`osv:${basename(abs)}`, pathToFileURL(abs).href, opts.fetchedAt);
    let osvFiles = 0;
    for (const f of files) {
      throwIfAborted(opts.signal);
      const content = await readContent(f);
      const where = f.slice(abs.length + 1);
      if (content.kind === 'json' && jsonKind(content.value) === 'osv') {
        parseOsvDocument(content.value, where, osv);
        osvFiles++;
      } else if (content.kind === 'unknown' || (content.kind === 'json' && jsonKind(content.value) === undefined)) {
        osv.skip(
          content.kind === 'unknown'
            ? `unreadable file: ${content.why.replace(/ \(.*$/, '')}`
            : 'JSON of no known feed format',
          where,
        );
      } else {
        infos.push(await loadFile(writer, f, opts));
      }
    }
    const info = osv.finish();
    if (osvFiles > 0 || info.skipped > 0) infos.push(info);
  }
  return infos;
}
