import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Zip, ZipDeflate, zipSync } from 'fflate';
import { zipEntries } from './zip-entries.js';

const dir = mkdtempSync(join(tmpdir(), 'customs-zip-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function all(path: string, max?: number): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const e of zipEntries(path, (n) => n.endsWith('.json'), max))
    out.push([e.name, 'error' in e.data ? `error: ${e.data.error}` : e.data.toString('utf8')]);
  return out;
}

test('reads stored and deflated entries from the central directory', async () => {
  const p = join(dir, 'plain.zip');
  writeFileSync(
    p,
    zipSync({
      'a.json': [Buffer.from('{"a":1}'), { level: 0 }],
      'sub/b.json': Buffer.from('{"b":2}'),
      README: Buffer.from('x'),
    }),
  );
  assert.deepEqual(await all(p), [
    ['a.json', '{"a":1}'],
    ['sub/b.json', '{"b":2}'],
  ]);
});

test('reads archives written with data descriptors (sizes after the data, as streaming writers do)', async () => {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((err, data) => {
    if (err) throw err;
    chunks.push(data);
  });
  for (const [name, body] of [
    ['GHSA-1.json', '{"id":"GHSA-1"}'],
    ['GHSA-2.json', JSON.stringify({ pad: 'PK\u0007\u0008'.repeat(1000) })],
  ] as const) {
    const f = new ZipDeflate(name, { level: 6 });
    zip.add(f);
    f.push(Buffer.from(body), true);
  }
  zip.end();
  const p = join(dir, 'dd.zip');
  writeFileSync(p, Buffer.concat(chunks));
  const got = await all(p);
  assert.equal(got.length, 2);
  assert.equal(got[1]?.[1].length, JSON.stringify({ pad: 'PK\u0007\u0008'.repeat(1000) }).length);
});

test('a decompression bomb entry is refused, the rest still read', async () => {
  const p = join(dir, 'bomb.zip');
  writeFileSync(p, zipSync({ 'bomb.json': Buffer.alloc(4 * 1024 * 1024, 0x20), 'ok.json': Buffer.from('{}') }));
  assert.deepEqual(await all(p, 1024 * 1024), [
    ['bomb.json', `error: expands past ${1024 * 1024} bytes`],
    ['ok.json', '{}'],
  ]);
});

test('not a ZIP or truncated: VULNDB_FEED_INVALID', async () => {
  const p = join(dir, 'junk.zip');
  writeFileSync(p, Buffer.from('PK\u0003\u0004 but nothing else'));
  await assert.rejects(all(p), { code: 'VULNDB_FEED_INVALID' });
  const good = zipSync({ 'a.json': Buffer.from('{"a":1}') });
  const t = join(dir, 'trunc.zip');
  writeFileSync(t, good.subarray(0, good.length - 10));
  await assert.rejects(all(t), { code: 'VULNDB_FEED_INVALID' });
});
