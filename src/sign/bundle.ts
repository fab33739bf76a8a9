/**
 * Sigstore bundles (sigstore/protobuf-specs Bundle, media types
 * application/vnd.dev.sigstore.bundle.v0.{1,2,3}+json), verified offline
 * against a supplied trusted root (protobuf-specs TrustedRoot JSON) with the
 * sigstore libraries: @sigstore/bundle parses, @sigstore/verify checks the
 * certificate chain to a Fulcio CA, the SCTs, the transparency-log inclusion
 * (proof or signed entry timestamp) and the signature. Around the library,
 * customs checks what it leaves to its caller: that a message signature's
 * digest is the artifact's, that a DSSE statement names the artifact among
 * its subjects, and the signer's identity — an exact subject or a whole-string
 * regular expression, and the OIDC issuer exactly (the library's own identity
 * check is an unanchored regular expression).
 */
import { createHash, type KeyObject } from 'node:crypto';
import { type Bundle, bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, type TrustMaterial, Verifier } from '@sigstore/verify';
import { CustomsError, type Digest } from '../core/index.js';
import { IN_TOTO_PAYLOAD_TYPE, parseStatement, type Statement, signEnvelope, statementCovers } from './dsse.js';
import type { TrustedIdentity } from './trust-policy.js';

export const BUNDLE_MEDIA_TYPE_PREFIX = 'application/vnd.dev.sigstore.bundle';
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** A trusted root, parsed once. */
export interface TrustRoot {
  readonly material: (key?: KeyObject) => TrustMaterial;
}

export function parseTrustedRoot(json: unknown, what: string): TrustRoot {
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(json);
  } catch (e) {
    throw new CustomsError(
      'TRUSTED_ROOT_INVALID',
      `${what} is not a sigstore trusted root: ${(e as Error).message}`,
      e,
    );
  }
  if (root.certificateAuthorities.length === 0 && root.tlogs.length === 0) {
    throw new CustomsError('TRUSTED_ROOT_INVALID', `${what} names no certificate authority and no transparency log`);
  }
  return {
    material: (key) => {
      try {
        return toTrustMaterial(root, key ? () => ({ publicKey: key, validFor: () => true }) : undefined);
      } catch (e) {
        throw new CustomsError('TRUSTED_ROOT_INVALID', `${what}: ${(e as Error).message}`, e);
      }
    },
  };
}

/**
 * A root that trusts one key and nothing else: for bundles signed with a key
 * (verificationMaterial.publicKey), where the key is the authority and no
 * transparency log or timestamp is required — as for cosign's tag-layout
 * signatures made with a key.
 */
export function keyTrustRoot(key: KeyObject): TrustRoot & { readonly keyOnly: true } {
  return {
    keyOnly: true,
    material: () => ({
      certificateAuthorities: [],
      timestampAuthorities: [],
      tlogs: [],
      ctlogs: [],
      publicKey: () => ({ publicKey: key, validFor: () => true }),
    }),
  };
}

/** The key hint of a bundle: base64 SHA-256 of the public key's SubjectPublicKeyInfo. */
export function keyHint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ format: 'der', type: 'spki' }))
    .digest('base64');
}

/**
 * A sigstore bundle v0.3 signed with a key: a DSSE envelope of `statement`
 * (in-toto), the key's hint, no log entry.
 */
export function keyBundle(privateKey: KeyObject, publicKey: KeyObject, statement: Buffer): unknown {
  const env = signEnvelope(privateKey, IN_TOTO_PAYLOAD_TYPE, statement);
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyHint(publicKey) }, tlogEntries: [] },
    dsseEnvelope: {
      payload: env.payload,
      payloadType: env.payloadType,
      signatures: env.signatures.map((x) => ({ sig: x.sig, keyid: '' })),
    },
  };
}

/** DER bytes of every certificate in a PEM text. */
function pemCertificates(pem: string): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) out.push(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
  return out;
}

/**
 * cosign's older keyless layout — a signature layer with the Fulcio
 * certificate (`dev.sigstore.cosign/certificate`), its chain
 * (`dev.sigstore.cosign/chain`) and the Rekor entry with its signed entry
 * timestamp (`dev.sigstore.cosign/bundle`: {SignedEntryTimestamp, Payload:
 * {body, integratedTime, logIndex, logID}}) — restated as the sigstore bundle
 * v0.1 it is equivalent to (a message signature over the payload, the tlog
 * entry with its inclusion promise), so one verifier checks both. Throws an
 * Error saying what is missing or malformed.
 */
export function legacyKeylessBundle(payload: Buffer, annotations: Readonly<Record<string, string>>): unknown {
  const sig = annotations['dev.cosignproject.cosign/signature'];
  const certPem = annotations['dev.sigstore.cosign/certificate'];
  const rekor = annotations['dev.sigstore.cosign/bundle'];
  if (!sig || !certPem) throw new Error('no signature or certificate annotation');
  if (!rekor) throw new Error('no dev.sigstore.cosign/bundle annotation (the transparency-log entry)');
  const certs = [...pemCertificates(certPem), ...pemCertificates(annotations['dev.sigstore.cosign/chain'] ?? '')];
  if (certs.length === 0) throw new Error('the certificate annotation holds no PEM certificate');
  let entry: {
    SignedEntryTimestamp?: unknown;
    Payload?: { body?: unknown; integratedTime?: unknown; logIndex?: unknown; logID?: unknown };
  };
  try {
    entry = JSON.parse(rekor) as typeof entry;
  } catch {
    throw new Error('the transparency-log annotation is not JSON');
  }
  const p = entry.Payload;
  if (
    typeof entry.SignedEntryTimestamp !== 'string' ||
    typeof p?.body !== 'string' ||
    typeof p.integratedTime !== 'number' ||
    typeof p.logIndex !== 'number' ||
    typeof p.logID !== 'string' ||
    !/^[0-9a-f]{64}$/.test(p.logID)
  ) {
    throw new Error(
      'the transparency-log annotation lacks SignedEntryTimestamp, body, integratedTime, logIndex or logID',
    );
  }
  let kind: { kind?: unknown; apiVersion?: unknown };
  try {
    kind = JSON.parse(Buffer.from(p.body, 'base64').toString('utf8')) as typeof kind;
  } catch {
    throw new Error('the transparency-log entry body is not JSON');
  }
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      x509CertificateChain: { certificates: certs.map((c) => ({ rawBytes: c.toString('base64') })) },
      tlogEntries: [
        {
          logIndex: String(p.logIndex),
          logId: { keyId: Buffer.from(p.logID, 'hex').toString('base64') },
          kindVersion: { kind: String(kind.kind), version: String(kind.apiVersion) },
          integratedTime: String(p.integratedTime),
          inclusionPromise: { signedEntryTimestamp: entry.SignedEntryTimestamp },
          canonicalizedBody: p.body,
        },
      ],
    },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payload).digest('base64') },
      signature: sig,
    },
  };
}

export interface BundleOutcome {
  readonly ok: boolean;
  /** Why it failed: the library's message, or customs' own check. */
  readonly reason?: string;
  /** Keyless: the certificate's subject (SAN) and OIDC issuer. */
  readonly subject?: string;
  readonly issuer?: string;
  /** For a DSSE bundle: the in-toto statement it carries. */
  readonly statement?: Statement;
  /** 'identity' when only the signer's identity failed (a trusted signature from someone else). */
  readonly failure?: 'identity' | 'crypto' | 'malformed' | 'subject';
}

export function identityMatches(id: TrustedIdentity, subject: string | undefined, issuer: string | undefined): boolean {
  if (subject === undefined || issuer !== id.issuer) return false;
  if (id.subject !== undefined) return subject === id.subject;
  const m = id.subjectRegExp?.exec(subject);
  return m !== null && m !== undefined && m.index === 0 && m[0].length === subject.length;
}

function describe(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  const msg = typeof err.message === 'string' ? err.message : String(e);
  return typeof err.code === 'string' ? `${err.code}: ${msg}` : msg;
}

/**
 * Verify a bundle. `artifact`: the signed bytes (a message signature) or the
 * subject digest a DSSE statement must name; `identities`: accept any of
 * these signers (keyless); `key`: a public key for bundles without a
 * certificate. With neither, a verified bundle's signer is reported only.
 */
export function verifyBundle(
  bundleJson: unknown,
  root: TrustRoot,
  opts: {
    readonly artifact?: { readonly bytes?: Buffer; readonly digest?: Digest };
    readonly identities?: readonly TrustedIdentity[];
    readonly key?: KeyObject;
  },
): BundleOutcome {
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(bundleJson);
  } catch (e) {
    return { ok: false, reason: `not a valid sigstore bundle: ${describe(e)}`, failure: 'malformed' };
  }
  let statement: Statement | undefined;
  if (bundle.content.$case === 'messageSignature') {
    const md = bundle.content.messageSignature.messageDigest;
    const bytes = opts.artifact?.bytes;
    if (!bytes)
      return { ok: false, reason: 'a message-signature bundle needs the signed artifact', failure: 'subject' };
    if (md) {
      const actual = createHash('sha256').update(bytes).digest();
      if (!actual.equals(Buffer.from(md.digest))) {
        return { ok: false, reason: 'the bundle signs another artifact (message digest mismatch)', failure: 'subject' };
      }
    }
  } else {
    try {
      statement = parseStatement(Buffer.from(bundle.content.dsseEnvelope.payload));
    } catch (e) {
      return { ok: false, reason: describe(e), failure: 'malformed' };
    }
    const want: Digest | undefined =
      opts.artifact?.digest ??
      (opts.artifact?.bytes ? `sha256:${createHash('sha256').update(opts.artifact.bytes).digest('hex')}` : undefined);
    if (want && !statementCovers(statement, want)) {
      return { ok: false, reason: `the statement's subjects do not include ${want}`, failure: 'subject' };
    }
  }
  let signer: ReturnType<Verifier['verify']>;
  try {
    const entity = toSignedEntity(bundle, opts.artifact?.bytes);
    // Defaults of the sigstore clients: one tlog entry, one SCT for a certificate, one timestamp.
    const keyed = entity.key.$case === 'public-key';
    const keyOnly = 'keyOnly' in root && keyed;
    const thresholds = keyOnly
      ? { ctlogThreshold: 0, tlogThreshold: 0, timestampThreshold: 0 }
      : keyed
        ? { ctlogThreshold: 0 }
        : {};
    const verifier = new Verifier(root.material(opts.key), thresholds);
    signer = verifier.verify(entity);
  } catch (e) {
    if (e instanceof CustomsError) throw e;
    return { ok: false, reason: describe(e), failure: 'crypto' };
  }
  const subject = signer.identity?.subjectAlternativeName;
  const issuer = signer.identity?.extensions?.issuer;
  const who = {
    ...(subject !== undefined ? { subject } : {}),
    ...(issuer !== undefined ? { issuer } : {}),
    ...(statement ? { statement } : {}),
  };
  if (opts.identities && opts.identities.length > 0) {
    if (!opts.identities.some((id) => identityMatches(id, subject, issuer))) {
      return {
        ok: false,
        reason: `signed by ${subject ?? 'a key'}${issuer ? ` (issuer ${issuer})` : ''}, not by a trusted identity`,
        failure: 'identity',
        ...who,
      };
    }
  }
  return { ok: true, ...who };
}
