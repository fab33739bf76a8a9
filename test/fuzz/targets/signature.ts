/**
 * Targets for what a registry hands `customs verify` (docs/signing.md): a
 * signature layer of cosign's tag layout (the simple-signing payload, checked
 * by verifyCosignSignature), and a sigstore bundle from the referrers (checked
 * by verifyBundle against the conformance suite's trusted root). Both entry
 * points turn any input into a status — they must never throw — and a valid
 * status needs a signature that verifies, which no mutation can forge.
 * Generators mutate a genuine payload (signed by a key made here) and a
 * genuine conformance bundle as JSON trees.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseNormalizedReference } from '../../../src/image/index.js';
import {
  parseTrustedRoot,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  signBytes,
  simpleSigningPayload,
  verifyBundle,
  verifyCosignSignature,
} from '../../../src/sign/index.js';
import { sha256 } from '../../../src/core/index.js';
import { mutatedJson } from '../mutate.js';
import type { FuzzTarget } from '../protocol.js';

const DIGEST = `sha256:${'1f'.repeat(32)}` as const;
const REF = 'registry.example.com/app:1';

let keys: { sign: KeyObject; verify: { name: string; key: KeyObject } } | undefined;
function keyPair() {
  // node:crypto directly: the encrypted key format (scrypt) would cost the first input a second.
  if (!keys) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    keys = { sign: pair.privateKey, verify: { name: 'fuzz.pub', key: pair.publicKey } };
  }
  return keys;
}

/** The genuine signature of the seed payload: a mutated payload keeps it, so only the original verifies. */
let seedSignature: string | undefined;

export const cosignSignatureTarget: FuzzTarget = {
  name: 'cosign-signature',
  entry: 'sign verifyCosignSignature (simple-signing payload of a sha256-<digest>.sig layer)',
  arbitrary: () =>
    mutatedJson(
      [JSON.parse(simpleSigningPayload(REF, DIGEST).toString('utf8'))],
      ['critical', 'identity', 'image', 'optional'],
    ),
  run(input) {
    const k = keyPair();
    const seed = simpleSigningPayload(REF, DIGEST);
    seedSignature ??= signBytes(k.sign, seed).toString('base64');
    const payload = Buffer.from(input.bytes);
    // knob bit 0: sign the mutated bytes themselves (the payload parser then sees them as trusted).
    const sig = input.knob & 1 ? signBytes(k.sign, payload).toString('base64') : seedSignature;
    const r = verifyCosignSignature(
      {
        mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
        digest: sha256(payload),
        payload,
        annotations: { [SIGNATURE_ANNOTATION]: sig },
      },
      [k.verify],
      parseNormalizedReference(REF),
      DIGEST,
      'fuzz',
    );
    const out: string[] = [];
    if (!['valid', 'invalid', 'untrusted'].includes(r.status)) out.push(`status ${String(r.status)}`);
    if (r.status === 'valid' && !(input.knob & 1) && !payload.equals(seed))
      out.push('a mutated payload verified with the original signature');
    if (r.status !== 'valid' && typeof r.reason !== 'string') out.push('a signature that is not valid has no reason');
    return out;
  },
};

const conformance = (f: string) =>
  new URL(`../../../../test/fixtures/sigstore-conformance/intoto-with-custom-trust-root/${f}`, import.meta.url);
let root: ReturnType<typeof parseTrustedRoot> | undefined;

export const sigstoreBundleTarget: FuzzTarget = {
  name: 'sigstore-bundle',
  entry: 'sign verifyBundle (@sigstore/bundle + @sigstore/verify, identity and subject checks)',
  arbitrary: () =>
    mutatedJson(
      [JSON.parse(readFileSync(conformance('bundle.sigstore.json'), 'utf8'))],
      ['verificationMaterial', 'dsseEnvelope', 'tlogEntries', 'signatures', 'inclusionProof', 'x509CertificateChain'],
    ),
  run(input) {
    root ??= parseTrustedRoot(JSON.parse(readFileSync(conformance('trusted_root.json'), 'utf8')), 'trusted_root.json');
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(input.bytes).toString('utf8'));
    } catch {
      return [];
    }
    const artifact = readFileSync(conformance('artifact'));
    const r = verifyBundle(json, root, {
      artifact: { bytes: artifact },
      identities: [{ issuer: 'https://token.actions.githubusercontent.com', subjectRegExp: /.*/su }],
    });
    if (r.ok) return [];
    return typeof r.reason === 'string' ? [] : ['a failed bundle has no reason'];
  },
};
