/**
 * Where a scan's time goes, stage by stage, on the benchmark image's OCI layout
 * (docs/adr/0008-where-the-time-goes.md). Each stage of the layer pipeline
 * (make-layer.ts: read → blob digest → inflate → diffID → tar walk) is run alone
 * over every layer blob, one after another on one thread, and timed by wall
 * clock and by this process's CPU time (process.cpuUsage: it counts zlib's
 * libuv-pool threads too, which a --cpu-prof profile does not see), plus the
 * temp-file spool the docker-daemon source pays (write the whole save archive,
 * read it back) and, with a registry, the HTTP download alone.
 *
 *   node dist-test/perf/source-stages.js LAYOUT_DIR [ARCHIVE] [REGISTRY_HOST/REPO]
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { TarReader } from '../src/image/index.js';

interface Blob {
  readonly digest: string;
  readonly size: number;
  readonly gzip: boolean;
}

const [layout, archive, registry] = process.argv.slice(2);
if (!layout) {
  console.error('usage: source-stages LAYOUT_DIR [ARCHIVE] [REGISTRY_HOST/REPO]');
  process.exit(2);
}
const blobPath = (d: string): string => join(layout, 'blobs', ...d.split(':'));
const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
const manifest = JSON.parse(readFileSync(blobPath(index.manifests[0]?.digest ?? ''), 'utf8')) as {
  layers: { digest: string; size: number; mediaType: string }[];
};
const blobs: Blob[] = manifest.layers.map((l) => ({
  digest: l.digest,
  size: l.size,
  gzip: l.mediaType.endsWith('gzip'),
}));
const CHUNK = 1024 * 1024;

const drain = (): Writable =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
const hasher = (): Writable => {
  const h = createHash('sha256');
  return new Writable({
    write(c: Buffer, _e, cb) {
      h.update(c);
      cb();
    },
    final(cb) {
      h.digest();
      cb();
    },
  });
};
const open = (b: Blob): Readable => createReadStream(blobPath(b.digest), { highWaterMark: CHUNK });
const inflated = (b: Blob): Readable => (b.gzip ? open(b).pipe(createGunzip({ chunkSize: 256 * 1024 })) : open(b));

async function walk(src: Readable): Promise<number> {
  const tar = new TarReader(src);
  let n = 0;
  while ((await tar.next()) !== null) n++;
  return n;
}

interface Row {
  readonly stage: string;
  readonly wall: number;
  readonly cpu: number;
}
const rows: Row[] = [];
async function stage(name: string, body: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await body();
  const c = process.cpuUsage(c0);
  rows.push({ stage: name, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 });
}
const each = async (f: (b: Blob) => Promise<unknown>): Promise<void> => {
  for (const b of blobs) await f(b);
};

const stored = blobs.reduce((s, b) => s + b.size, 0);
let tarBytes = 0;
let entries = 0;
await stage('read stored blobs (page cache)', () => each((b) => pipeline(open(b), drain())));
await stage('read + sha256 (blob digest)', () => each((b) => pipeline(open(b), hasher())));
await stage('read + inflate', () =>
  each((b) =>
    pipeline(
      inflated(b),
      new Writable({
        write(c: Buffer, _e, cb) {
          tarBytes += c.length;
          cb();
        },
      }),
    ),
  ),
);
await stage('read + inflate + sha256 (diffID)', () => each((b) => pipeline(inflated(b), hasher())));
await stage('read + inflate + tar walk (no analyzers)', () =>
  each(async (b) => {
    entries += await walk(inflated(b));
  }),
);
if (archive) {
  const spool = join(layout, '..', 'spool.tar');
  await stage('temp-file spool of the save archive (write)', () =>
    pipeline(createReadStream(archive, { highWaterMark: CHUNK }), createWriteStream(spool)),
  );
  await stage('temp-file spool (read back)', () =>
    pipeline(createReadStream(spool, { highWaterMark: CHUNK }), drain()),
  );
  rmSync(spool, { force: true });
}
if (registry) {
  const [host, ...repo] = registry.split('/');
  const download = (b: Blob): Promise<void> =>
    new Promise((resolve, reject) => {
      get(`http://${host}/v2/${repo.join('/')}/blobs/${b.digest}`, (res) => {
        if (res.statusCode === 307 || res.statusCode === 302) {
          res.resume();
          get(new URL(res.headers.location ?? '', `http://${host}`), (r2) =>
            pipeline(r2, drain()).then(resolve, reject),
          );
          return;
        }
        pipeline(res, drain()).then(resolve, reject);
      }).on('error', reject);
    });
  await stage('registry download (loopback HTTP)', () => each(download));
}

console.log(
  `stages over ${blobs.length} layers: ${(stored / 1e6).toFixed(0)} MB stored, ${(tarBytes / 1e6).toFixed(0)} MB of tar, ${entries} entries`,
);
console.log(`  ${'stage'.padEnd(46)} ${'wall s'.padStart(8)} ${'cpu s'.padStart(8)}`);
for (const r of rows) {
  console.log(`  ${r.stage.padEnd(46)} ${r.wall.toFixed(2).padStart(8)} ${r.cpu.toFixed(2).padStart(8)}`);
}
