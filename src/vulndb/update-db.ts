/**
 * `customs db update`: fetch every configured feed, then build and swap the DB
 * (build-db.ts). Downloads go to a temporary directory beside the DB and are
 * read from there (a 500 MB all.zip is never held in memory). Any unreachable
 * feed fails the update before the DB is touched, naming the URL (VULNDB_FEED_UNREACHABLE).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { type Context, CustomsError } from '../core/index.js';
import { buildDb } from './build-db.js';
import type { DbWriter } from './db-writer.js';
import { type FeedSource, resolveFeeds } from './feed-sources.js';
import { parseNvd } from './feeds/nvd.js';
import { loadFile } from './load-feed.js';
import type { DbMetadata, DbSourceInfo } from './types.js';

export interface UpdateOptions {
  /** `--feed NAME=URL` overrides, on top of Config.feedUrls. */
  readonly feeds?: Readonly<Record<string, string>>;
  /** Time allowed for a server to answer (headers), per request. */
  readonly timeoutMs?: number;
  /** Pause between NVD pages (NVD asks for 6 s without an API key). */
  readonly nvdPageDelayMs?: number;
  readonly nvdApiKey?: string;
}

function unreachable(url: string, why: string, cause?: unknown): CustomsError {
  return new CustomsError(
    'VULNDB_FEED_UNREACHABLE',
    `cannot fetch ${url}: ${why}; offline, build the DB from local feed files with \`customs db import PATH\``,
    cause,
  );
}

async function get(
  url: string,
  ctx: Context,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers,
      redirect: 'follow',
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (e) {
    if (ctx.signal.aborted) throw new CustomsError('ABORTED', 'update cancelled; the previous DB is unchanged', e);
    const cause =
      e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
    throw unreachable(url, cause, e);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw unreachable(url, `HTTP ${res.status} ${res.statusText}`);
  }
  return res;
}

async function download(url: string, file: string, ctx: Context, timeoutMs: number): Promise<void> {
  const res = await get(url, ctx, timeoutMs);
  if (!res.body) throw unreachable(url, 'empty response');
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(file), {
      signal: ctx.signal,
    });
  } catch (e) {
    if (ctx.signal.aborted) throw new CustomsError('ABORTED', 'update cancelled; the previous DB is unchanged', e);
    throw unreachable(url, `download failed (${(e as Error).message})`, e);
  }
}

/** The NVD API pages through all CVEs: startIndex/resultsPerPage until totalResults. */
async function fetchNvd(
  base: string,
  writer: DbWriter,
  ctx: Context,
  opts: UpdateOptions,
  timeoutMs: number,
): Promise<DbSourceInfo> {
  const fetchedAt = ctx.now().toISOString();
  const sink = writer.source('nvd', base, fetchedAt);
  let start = 0;
  let timestamp: string | undefined;
  for (let page = 0; ; page++) {
    if (page > 0 && (opts.nvdPageDelayMs ?? 6000) > 0)
      await new Promise((r) => setTimeout(r, opts.nvdPageDelayMs ?? 6000));
    const u = new URL(base);
    u.searchParams.set('startIndex', String(start));
    u.searchParams.set('resultsPerPage', '2000');
    const res = await get(u.href, ctx, timeoutMs, opts.nvdApiKey ? { apiKey: opts.nvdApiKey } : {});
    let json: unknown;
    try {
      json = await res.json();
    } catch (e) {
      throw new CustomsError('VULNDB_FEED_INVALID', `${u.href} did not return JSON`, e);
    }
    const p = parseNvd(json, sink, `nvd@${start}`);
    timestamp ??= p.timestamp;
    start += p.count;
    if (p.count === 0 || p.totalResults === undefined || start >= p.totalResults) break;
  }
  return sink.finish(timestamp);
}

async function fetchFeed(
  feed: FeedSource,
  writer: DbWriter,
  tmp: string,
  ctx: Context,
  opts: UpdateOptions,
): Promise<DbSourceInfo[]> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const urls = feed.url
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  const out: DbSourceInfo[] = [];
  for (const [i, url] of urls.entries()) {
    const name = urls.length > 1 ? `${feed.name}:${url.replace(/^.*\/\/[^/]+\//, '')}` : feed.name;
    if (url.startsWith('file:')) {
      out.push(
        await loadFile(writer, fileURLToPath(url), {
          name,
          url,
          fetchedAt: ctx.now().toISOString(),
          signal: ctx.signal,
        }),
      );
      continue;
    }
    if (feed.kind === 'nvd') {
      out.push(await fetchNvd(url, writer, ctx, opts, timeoutMs));
      continue;
    }
    ctx.log({ kind: 'info', message: `fetching ${url}` });
    const file = join(tmp, `${feed.name}-${i}`);
    await download(url, file, ctx, timeoutMs);
    out.push(await loadFile(writer, file, { name, url, fetchedAt: ctx.now().toISOString(), signal: ctx.signal }));
    await rm(file, { force: true });
  }
  return out;
}

/** Fetch the configured feeds and replace the DB in ctx.config.dbDir. */
export async function updateVulnDb(ctx: Context, opts: UpdateOptions = {}): Promise<DbMetadata> {
  const feeds = resolveFeeds({ ...ctx.config.feedUrls, ...opts.feeds });
  if (feeds.length === 0)
    throw new CustomsError('USAGE_BAD_ARGUMENT', 'every feed is disabled; enable one with --feed NAME=URL');
  await mkdir(ctx.config.dbDir, { recursive: true });
  const tmp = join(ctx.config.dbDir, `.download-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  try {
    return await buildDb(
      ctx.config.dbDir,
      async (writer) => {
        for (const feed of feeds) {
          const infos = await fetchFeed(feed, writer, tmp, ctx, opts);
          for (const info of infos)
            ctx.log({ kind: 'info', message: `${info.name}: ${info.records} records, ${info.skipped} skipped` });
        }
      },
      { now: ctx.now, signal: ctx.signal },
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
