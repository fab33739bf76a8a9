/**
 * Portable DB bundles for air-gapped machines: FILE is the SQLite DB,
 * gzip-compressed, and FILE.sha256 its checksum in sha256sum(1) format
 * ("<hex>  <name>"), so `sha256sum -c FILE.sha256` checks it too. Import
 * verifies the checksum while unpacking, checks the schema, then swaps the DB
 * in atomically like a build does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { CustomsError, dbPath } from '../core/index.js';
import { tempDbPath } from './build-db.js';
import { openVulnDb } from './db-reader.js';
import type { DbMetadata } from './types.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\u0000', 'latin1');

function hashing(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

/** Write the DB of `dbDir` to `file` (+ `file`.sha256). Returns the sha256. */
export async function exportVulnDb(dbDir: string, file: string): Promise<{ sha256: string; metadata: DbMetadata }> {
  const src = dbPath(dbDir);
  const reader = openVulnDb(src); // refuses a missing, foreign or outdated DB before anything is written
  const metadata = reader.metadata;
  reader.close();
  const target = resolve(file);
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(src), createGzip({ level: 6 }), hashing(hash), createWriteStream(tmp));
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new CustomsError('OUTPUT_WRITE_FAILED', `cannot write ${target}: ${(e as Error).message}`, e);
  }
  const sha256 = hash.digest('hex');
  await writeFile(`${target}.sha256`, `${sha256}  ${basename(target)}\n`);
  return { sha256, metadata };
}

/** True when `path` is a bundle (gzip-compressed SQLite) or a bare SQLite DB file. */
export async function isDbBundle(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return false;
  try {
    if (!(await fh.stat()).isFile()) return false;
    const head = Buffer.alloc(16);
    const { bytesRead } = await fh.read(head, 0, 16, 0);
    if (bytesRead === 16 && head.equals(SQLITE_MAGIC)) return true;
    if (bytesRead < 2 || head[0] !== 0x1f || head[1] !== 0x8b) return false;
  } finally {
    await fh.close();
  }
  // gzip: peek at the first bytes of the content.
  const gunzip = createGunzip();
  const first = await new Promise<Buffer>((ok) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const input = createReadStream(path);
    const done = (): void => {
      input.destroy();
      gunzip.destroy();
      ok(Buffer.concat(chunks));
    };
    gunzip.on('data', (c: Buffer) => {
      chunks.push(c);
      n += c.length;
      if (n >= 16) done();
    });
    gunzip.on('end', done);
    gunzip.on('error', done);
    input.on('error', done);
    input.pipe(gunzip);
  });
  return first.length >= 16 && first.subarray(0, 16).equals(SQLITE_MAGIC);
}

async function expectedSha256(file: string): Promise<string> {
  const sidecar = `${file}.sha256`;
  let text: string;
  try {
    text = await readFile(sidecar, 'utf8');
  } catch (e) {
    throw new CustomsError(
      'VULNDB_CHECKSUM_MISMATCH',
      `${sidecar} is missing: the bundle cannot be verified (copy it along with ${basename(file)})`,
      e,
    );
  }
  const m = /^([0-9a-f]{64})\b/i.exec(text.trim());
  if (!m?.[1]) throw new CustomsError('VULNDB_CHECKSUM_MISMATCH', `${sidecar} does not hold a sha256 checksum`);
  return m[1].toLowerCase();
}

/** Install a bundle written by exportVulnDb as the DB of `dbDir`, after checking its checksum and schema. */
export async function importVulnDbBundle(file: string, dbDir: string): Promise<DbMetadata> {
  const src = resolve(file);
  const expected = await expectedSha256(src);
  await mkdir(dbDir, { recursive: true });
  const temp = tempDbPath(dbDir);
  const hash = createHash('sha256');
  try {
    const head = Buffer.alloc(2);
    const fh = await open(src, 'r');
    await fh.read(head, 0, 2, 0);
    await fh.close();
    const gz = head[0] === 0x1f && head[1] === 0x8b;
    try {
      await pipeline(createReadStream(src), hashing(hash), ...(gz ? [createGunzip()] : []), createWriteStream(temp));
    } catch (e) {
      throw new CustomsError('VULNDB_CHECKSUM_MISMATCH', `${src} is damaged (${(e as Error).message})`, e);
    }
    const actual = hash.digest('hex');
    if (actual !== expected) {
      throw new CustomsError(
        'VULNDB_CHECKSUM_MISMATCH',
        `${src} has sha256 ${actual}, but ${basename(src)}.sha256 says ${expected}`,
      );
    }
    const reader = openVulnDb(temp);
    const metadata = reader.metadata;
    reader.close();
    await rename(temp, dbPath(dbDir));
    return metadata;
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
