import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { envelopeVerifies, imageStatement, pae, parseStatement, signEnvelope, statementCovers } from './dsse.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from './keys.js';
import { parseSimpleSigningPayload, simpleSigningPayload } from './simple-signing.js';

const DIGEST = `sha256:${'ab'.repeat(32)}` as const;

describe('simple-signing payload', () => {
  test("cosign's field layout, and parsed back", () => {
    const p = simpleSigningPayload('registry.example/app:1', DIGEST);
    assert.equal(
      p.toString(),
      `{"critical":{"identity":{"docker-reference":"registry.example/app:1"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`,
    );
    assert.deepEqual(parseSimpleSigningPayload(p), {
      dockerReference: 'registry.example/app:1',
      manifestDigest: DIGEST,
      optional: null,
    });
  });

  test('strict like containers/image: extra or missing critical fields, other types, bad digests are refused', () => {
    const good = JSON.parse(simpleSigningPayload('r/a', DIGEST).toString());
    const bad = (mutate: (j: typeof good) => void, re: RegExp): void => {
      const j = structuredClone(good);
      mutate(j);
      assert.throws(() => parseSimpleSigningPayload(Buffer.from(JSON.stringify(j))), re);
    };
    bad((j) => (j.critical.extra = 1), /unexpected field "extra"/);
    bad((j) => delete j.optional, /lacks "optional"/);
    bad((j) => (j.critical.type = 'atomic container signature'), /critical\.type/);
    bad((j) => (j.critical.image['docker-manifest-digest'] = 'sha256:XYZ'), /not a digest/);
    bad((j) => (j.critical.identity['docker-reference'] = 5), /not a string/);
    bad((j) => (j.optional = []), /neither an object nor null/);
    assert.throws(() => parseSimpleSigningPayload(Buffer.from('nope')), /not JSON/);
  });
});

describe('DSSE and in-toto', () => {
  test('PAE is the DSSE v1 encoding (protocol.md example)', () => {
    assert.equal(
      pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(),
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
    // Lengths count bytes, not characters.
    assert.equal(pae('t', Buffer.from('é')).toString(), 'DSSEv1 1 t 2 é');
  });

  test('an envelope verifies with its key only, and not once its payload type or payload changes', () => {
    const pair = generateKeyPair('x');
    const priv = loadPrivateKey(pair.privateKey, 'x', 'k');
    const pub = loadPublicKey(pair.publicKey, 'p');
    const body = imageStatement('registry.example/app', DIGEST, 'https://cyclonedx.org/bom', {
      bomFormat: 'CycloneDX',
    });
    const env = signEnvelope(priv, 'application/vnd.in-toto+json', body);
    assert.ok(envelopeVerifies(env, pub));
    assert.equal(envelopeVerifies({ ...env, payloadType: 'application/json' }, pub), false);
    const altered = Buffer.from(body.toString().replace('CycloneDX', 'CycloneDx')).toString('base64');
    assert.equal(envelopeVerifies({ ...env, payload: altered }, pub), false);
    const other = loadPublicKey(generateKeyPair('y').publicKey, 'o');
    assert.equal(envelopeVerifies(env, other), false);
    const st = parseStatement(body);
    assert.equal(st._type, 'https://in-toto.io/Statement/v1');
    assert.ok(statementCovers(st, DIGEST));
    assert.equal(statementCovers(st, `sha256:${'cd'.repeat(32)}`), false);
    assert.throws(() => parseStatement(Buffer.from('{"_type":"x"}')), /not an in-toto Statement/);
  });
});
