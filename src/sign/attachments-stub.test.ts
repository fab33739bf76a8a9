/**
 * Signature manifests a real registry would refuse to store but a hostile one
 * can serve: non-string annotations, layers declaring huge sizes, blobs that
 * are not what their digest says, a manifest that is not one. Verification
 * must turn each into an invalid signature with its reason, never a crash.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createContext, sha256 } from '../core/index.js';
import { attachmentTag, SIGNATURE_ANNOTATION } from './cosign-layout.js';
import { generateKeyPair, loadPublicKey } from './keys.js';
import { SIMPLE_SIGNING_MEDIA_TYPE } from './simple-signing.js';
import { adHocRule, verifyImageWithRule } from './verify-image.js';

const work = mkdtempSync(join(tmpdir(), 'customs-attach-stub-'));
after(() => rmSync(work, { recursive: true, force: true }));
const ctx = createContext({ config: { cacheDir: join(work, 'cache'), dockerConfig: join(work, 'none.json') } });
const DIGEST = `sha256:${'ab'.repeat(32)}` as const;
const rule = adHocRule({
  keys: [{ name: 'k.pub', key: loadPublicKey(generateKeyPair('x').publicKey, 'k.pub') }],
  identities: [],
});

async function stub(sigManifest: unknown, blobs: Record<string, Buffer>): Promise<{ host: string; close(): void }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (url === '/v2/') return res.end('{}');
    if (url === `/v2/app/manifests/${attachmentTag(DIGEST, 'sig')}`) {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      return res.end(typeof sigManifest === 'string' ? sigManifest : JSON.stringify(sigManifest));
    }
    const blob = /^\/v2\/app\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url)?.[1];
    if (blob && blobs[blob]) return res.end(blobs[blob]);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { host: `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, close: () => server.close() };
}

test('hostile layers become invalid signatures with reasons: non-string annotation, huge declared size, lying blob', async () => {
  const payload = Buffer.from('{"critical":{}}');
  const config = Buffer.from('{}');
  const other = Buffer.from('the signed payload');
  const liar = Buffer.from('not the payload');
  const manifest = {
    schemaVersion: 2,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [
      {
        mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
        digest: sha256(payload),
        size: payload.length,
        annotations: { [SIGNATURE_ANNOTATION]: 5 },
      },
      { mediaType: SIMPLE_SIGNING_MEDIA_TYPE, digest: `sha256:${'cd'.repeat(32)}`, size: 2 ** 40, annotations: {} },
      {
        mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
        digest: sha256(other),
        size: other.length,
        annotations: { [SIGNATURE_ANNOTATION]: 'AAAA' },
      },
    ],
  };
  // The third layer names the digest of `other` but the registry serves other bytes.
  const blobs = { [sha256(payload)]: payload, [sha256(config)]: config, [sha256(other)]: liar };
  const reg = await stub(manifest, blobs);
  try {
    const r = await verifyImageWithRule(`${reg.host}/app@${DIGEST}`, rule, { ctx });
    assert.equal(r.status, 'invalid');
    const reasons = r.signatures.map((s) => `${s.status}: ${s.reason}`);
    assert.match(reasons[0] ?? '', /^invalid: no dev\.cosignproject\.cosign\/signature annotation/);
    assert.match(reasons[1] ?? '', /^invalid: layer of 1099511627776 bytes is larger than customs reads/);
    assert.match(
      reasons[2] ?? '',
      /^invalid: .*content digest is sha256:[a-f0-9]{64} but sha256:[a-f0-9]{64} was expected/,
    );
  } finally {
    reg.close();
  }
});

test('a signature manifest that is not an image manifest is an invalid signature, not a failed run', async () => {
  const reg = await stub('{"schemaVersion":2,"layers":"no"}', {});
  try {
    const r = await verifyImageWithRule(`${reg.host}/app@${DIGEST}`, rule, { ctx });
    assert.equal(r.status, 'invalid');
    assert.match(r.signatures[0]?.reason ?? '', /not an OCI image manifest with a config and layers/);
  } finally {
    reg.close();
  }
});
