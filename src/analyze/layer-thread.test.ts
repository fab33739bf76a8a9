/**
 * A layer thread fed through a pipe (a registry layer's bytes, read on this thread):
 * the thread verifies both digests, inflates and walks what arrives.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { createContext, CustomsError, type Digest, isCustomsError, sha256 } from '../core/index.js';
import { type LayerSource, servePipe } from '../image/index.js';
import { tarBytes } from '../image/tar/test-support/tar-fixture.js';
import { PACKAGES_PLAN } from './analyzers.js';
import { LayerThread } from './layer-thread.js';

const STATUS = 'Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\n\n';
// A large incompressible file makes the blob span several pipe chunks.
const tar = tarBytes([
  { name: 'usr/share/big.bin', body: randomBytes(3 * 1024 * 1024) },
  { name: 'var/lib/dpkg/status', body: STATUS },
]);
const blob = gzipSync(tar);

function piped(diffID: Digest, open: () => Promise<Readable>): { source: LayerSource; stop: () => void } {
  const { port1, port2 } = new MessageChannel();
  const stop = servePipe(port1, open);
  const source: LayerSource = {
    diffID,
    digest: sha256(blob),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    size: blob.length,
    compression: 'gzip',
    verifyBlob: true,
    verifyDiffID: true,
    what: 'piped test layer',
    pipe: port2,
  };
  return { source, stop };
}

const inPieces =
  (bytes: Buffer, fail?: Error): (() => Promise<Readable>) =>
  async () =>
    Readable.from(
      (async function* () {
        for (let at = 0; at < bytes.length; at += 16_384) {
          if (fail && at > bytes.length / 2) throw fail;
          yield bytes.subarray(at, at + 16_384);
        }
      })(),
    );

async function analyse(source: LayerSource): Promise<unknown> {
  const thread = new LayerThread();
  try {
    return await thread.analyze(source, PACKAGES_PLAN, createContext().config, () => {});
  } finally {
    await thread.close();
  }
}

test('a layer piped to a layer thread is verified, inflated and walked there', async () => {
  const { source, stop } = piped(sha256(tar), inPieces(blob));
  try {
    const r = (await analyse(source)) as { findings: { path: string; result: { packages?: { name: string }[] } }[] };
    const names = r.findings.flatMap((f) => f.result.packages ?? []).map((p) => p.name);
    assert.deepEqual(names, ['zlib1g']);
  } finally {
    stop();
  }
});

test('a piped layer whose tar is not its diffID fails with IMAGE_DIGEST_MISMATCH', async () => {
  const { source, stop } = piped(sha256('another tar'), inPieces(blob));
  try {
    await assert.rejects(analyse(source), (e: unknown) => isCustomsError(e) && e.code === 'IMAGE_DIGEST_MISMATCH');
  } finally {
    stop();
  }
});

test('a download failing half way fails the layer with the download error', async () => {
  const failure = new CustomsError('REGISTRY_UNREACHABLE', 'the registry closed the connection');
  const { source, stop } = piped(sha256(tar), inPieces(blob, failure));
  try {
    await assert.rejects(analyse(source), (e: unknown) => isCustomsError(e) && e.code === 'REGISTRY_UNREACHABLE');
  } finally {
    stop();
  }
});
