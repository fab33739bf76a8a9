/**
 * Verifying an image in a registry against a trust rule: the cosign
 * signatures of its `sha256-<hex>.sig` tag (checked with trusted keys), the
 * sigstore bundles among its OCI 1.1 referrers (checked with trusted keys or
 * keyless identities against the trusted root), and the attestations of its
 * `.att` tag and referrers. The answer is one of three, never just "signed":
 *
 * - verified: the rule's minimum of distinct trusted signers verified, and
 *   every required attestation type is there, signed by a trusted signer;
 * - invalid: not verified, and some signature is broken in a way only
 *   tampering or a faulty signer explains: a trusted key's valid signature
 *   over a payload naming another image digest, a malformed payload,
 *   a keyless bundle whose chain, log entry or signature does not verify;
 * - unverified: anything else: no signatures, or only signatures that no
 *   trusted key or identity made. (An ECDSA signature that fails under every
 *   trusted key cannot tell "another signer" from "altered": it counts as
 *   untrusted, reported with its reason; so does a trusted key's signature
 *   made for another repository, as a copied signature is.)
 */
import type { KeyObject } from 'node:crypto';
import { type Context, CustomsError, type Digest, isDigest } from '../core/index.js';
import {
  canonicalDomain,
  type Descriptor,
  getBlob,
  getManifest,
  type ImageReference,
  listReferrers,
  parseNormalizedReference,
  type RegistryClient,
  repositoryClient,
  type RepositoryClients,
  repositoryName,
  withDefaultTag,
} from '../image/index.js';
import {
  BUNDLE_MEDIA_TYPE_PREFIX,
  type BundleOutcome,
  keyHint,
  keyTrustRoot,
  legacyKeylessBundle,
  parseTrustedRoot,
  type TrustRoot,
  verifyBundle,
} from './bundle.js';
import {
  type Attachment,
  attachmentTag,
  CERTIFICATE_ANNOTATION,
  DSSE_MEDIA_TYPE,
  readAttachments,
  SIGNATURE_ANNOTATION,
} from './cosign-layout.js';
import { envelopeVerifies, IN_TOTO_PAYLOAD_TYPE, parseEnvelope, parseStatement, statementCovers } from './dsse.js';
import { verifyBytesSignature } from './keys.js';
import { parseSimpleSigningPayload, SIMPLE_SIGNING_MEDIA_TYPE } from './simple-signing.js';
import { ruleFor, type TrustedIdentity, type TrustedKey, type TrustPolicy, type TrustRule } from './trust-policy.js';

export type VerificationStatus = 'verified' | 'unverified' | 'invalid';

export interface SignatureRecord {
  readonly kind: 'signature' | 'attestation';
  /** cosign's tag layout, or a sigstore bundle among the referrers. */
  readonly format: 'cosign' | 'sigstore-bundle';
  /** Where it was found: `sha256-<hex>.sig` layer DIGEST, or `referrer DIGEST`. */
  readonly source: string;
  /** valid: made by a trusted signer over this image; invalid: broken; untrusted: not made by a trusted signer. */
  readonly status: 'valid' | 'invalid' | 'untrusted';
  /** The key (file name) or certificate subject that made it, when known. */
  readonly signer?: string;
  readonly issuer?: string;
  readonly predicateType?: string;
  /** The docker-reference a simple-signing payload names. */
  readonly dockerReference?: string;
  readonly reason?: string;
}

export interface ImageVerification {
  readonly status: VerificationStatus;
  /** The image as given, normalised. */
  readonly image: string;
  /** The manifest digest verified (absent when no rule matched and nothing was looked up). */
  readonly digest?: Digest;
  /** The trust-policy rule that decided (absent when none matched). */
  readonly rule?: string;
  /** Why it is not verified (empty when verified), or what verified it. */
  readonly reasons: readonly string[];
  readonly signatures: readonly SignatureRecord[];
  readonly attestations: readonly SignatureRecord[];
}

export interface VerifyOptions {
  readonly ctx: Context;
  /** The manifest digest when the caller already resolved the tag (admission does): no tag lookup then. */
  readonly digest?: Digest;
  /**
   * Registry clients to reuse across calls (kept open by the caller, closed by it):
   * a new client costs a scheme probe, a TLS handshake and a token exchange.
   */
  readonly clients?: RepositoryClients;
}

/** `registry:`/`docker://` prefixes allowed, as image targets allow them. */
export function imageReferenceOf(image: string | ImageReference): ImageReference {
  if (typeof image !== 'string') return image;
  return parseNormalizedReference(image.replace(/^(registry:|docker:\/\/)/, ''));
}

function sameRepository(signed: string, ref: ImageReference): boolean {
  try {
    const s = parseNormalizedReference(signed);
    return canonicalDomain(s.domain) === canonicalDomain(ref.domain) && s.path === ref.path;
  } catch {
    return false;
  }
}

interface Evidence {
  readonly signatures: SignatureRecord[];
  readonly attestations: SignatureRecord[];
}

/** Check one signature layer of cosign's layout for the image `ref`@`digest`. */
export function verifyCosignSignature(
  a: Attachment,
  keys: readonly TrustedKey[],
  ref: ImageReference,
  digest: Digest,
  source: string,
  keyless?: { readonly identities: readonly TrustedIdentity[]; readonly root: TrustRoot | undefined },
): SignatureRecord {
  const base = { kind: 'signature' as const, format: 'cosign' as const, source };
  if (a.problem !== undefined) return { ...base, status: 'invalid', reason: a.problem };
  if (a.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) {
    return { ...base, status: 'untrusted', reason: `layer media type ${a.mediaType} is not a simple-signing payload` };
  }
  const sigText = a.annotations[SIGNATURE_ANNOTATION];
  if (!sigText) return { ...base, status: 'invalid', reason: `no ${SIGNATURE_ANNOTATION} annotation` };
  const sig = Buffer.from(sigText, 'base64');
  let signer: { name: string; issuer?: string } | undefined = keys.find((k) =>
    verifyBytesSignature(k.key, a.payload, sig),
  );
  if (!signer && a.annotations[CERTIFICATE_ANNOTATION] !== undefined) {
    // Keyless, cosign's older layout: the certificate and the Rekor entry ride in annotations.
    if (!keyless || keyless.identities.length === 0) {
      return { ...base, status: 'untrusted', reason: 'a keyless signature, and no identities are trusted' };
    }
    if (!keyless.root) {
      return {
        ...base,
        status: 'untrusted',
        reason:
          'a keyless signature, and no trusted root to verify it with (--trusted-root, or trustedRoot in the trust policy)',
      };
    }
    let bundle: unknown;
    try {
      bundle = legacyKeylessBundle(a.payload, a.annotations);
    } catch (e) {
      return { ...base, status: 'invalid', reason: `keyless signature: ${(e as Error).message}` };
    }
    const o = verifyBundle(bundle, keyless.root, { artifact: { bytes: a.payload }, identities: keyless.identities });
    const who = {
      ...(o.subject !== undefined ? { signer: o.subject } : {}),
      ...(o.issuer !== undefined ? { issuer: o.issuer } : {}),
    };
    if (!o.ok)
      return {
        ...base,
        ...who,
        status: o.failure === 'identity' ? 'untrusted' : 'invalid',
        reason: o.reason ?? 'keyless signature does not verify',
      };
    signer = { name: o.subject ?? 'keyless signer', ...(o.issuer !== undefined ? { issuer: o.issuer } : {}) };
  }
  if (!signer) {
    return {
      ...base,
      status: 'untrusted',
      reason:
        keys.length === 0
          ? 'no trusted key to check it with'
          : 'the signature does not verify with any trusted key (made with another key, or the payload was altered)',
    };
  }
  let payload: ReturnType<typeof parseSimpleSigningPayload>;
  try {
    payload = parseSimpleSigningPayload(a.payload);
  } catch (e) {
    return {
      ...base,
      status: 'invalid',
      signer: signer.name,
      reason: `signed payload is malformed: ${(e as Error).message}`,
    };
  }
  const who = {
    signer: signer.name,
    ...(signer.issuer !== undefined ? { issuer: signer.issuer } : {}),
    dockerReference: payload.dockerReference,
  };
  if (payload.manifestDigest !== digest) {
    return {
      ...base,
      ...who,
      status: 'invalid',
      reason: `the signed payload names ${payload.manifestDigest}, not this image's ${digest}`,
    };
  }
  if (!sameRepository(payload.dockerReference, ref)) {
    // A genuine signature made for another name (a copy, a mirror): no evidence of tampering,
    // but no statement about this repository either (containers/image's matchRepoDigestOrExact agrees).
    return {
      ...base,
      ...who,
      status: 'untrusted',
      reason: `signed for ${payload.dockerReference}, not for ${repositoryName(ref)}`,
    };
  }
  return { ...base, ...who, status: 'valid' };
}

function checkCosignAttestation(
  a: Attachment,
  keys: readonly TrustedKey[],
  digest: Digest,
  source: string,
): SignatureRecord {
  const base = { kind: 'attestation' as const, format: 'cosign' as const, source };
  if (a.problem !== undefined) return { ...base, status: 'invalid', reason: a.problem };
  if (a.mediaType !== DSSE_MEDIA_TYPE)
    return { ...base, status: 'untrusted', reason: `layer media type ${a.mediaType} is not a DSSE envelope` };
  let env: ReturnType<typeof parseEnvelope>;
  try {
    env = parseEnvelope(a.payload);
  } catch (e) {
    return { ...base, status: 'invalid', reason: (e as Error).message };
  }
  const signer = keys.find((k) => envelopeVerifies(env, k.key));
  if (!signer) return { ...base, status: 'untrusted', reason: 'the envelope does not verify with any trusted key' };
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return {
      ...base,
      signer: signer.name,
      status: 'invalid',
      reason: `payload type ${env.payloadType} is not in-toto`,
    };
  try {
    const st = parseStatement(Buffer.from(env.payload, 'base64'));
    if (!statementCovers(st, digest)) {
      return {
        ...base,
        signer: signer.name,
        predicateType: st.predicateType,
        status: 'invalid',
        reason: `the statement is about another image, not ${digest}`,
      };
    }
    return { ...base, signer: signer.name, predicateType: st.predicateType, status: 'valid' };
  } catch (e) {
    return { ...base, signer: signer.name, status: 'invalid', reason: (e as Error).message };
  }
}

/** cosign's predicate type for a plain image signature carried in a DSSE bundle. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

function bundleRecord(o: BundleOutcome, source: string, keyName: string | undefined): SignatureRecord {
  const predicateType = o.statement?.predicateType;
  const kind = predicateType && predicateType !== COSIGN_SIGN_PREDICATE ? 'attestation' : 'signature';
  const status = o.ok ? 'valid' : o.failure === 'identity' ? 'untrusted' : 'invalid';
  const signer = o.subject ?? keyName;
  return {
    kind,
    format: 'sigstore-bundle',
    source,
    status,
    ...(signer !== undefined ? { signer } : {}),
    ...(o.issuer !== undefined ? { issuer: o.issuer } : {}),
    ...(predicateType !== undefined ? { predicateType } : {}),
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
  };
}

async function bundleEvidence(
  client: RegistryClient,
  digest: Digest,
  rule: TrustRule,
  root: TrustRoot | undefined,
  manifestBytes: () => Promise<Buffer>,
): Promise<SignatureRecord[]> {
  const referrers = await listReferrers(client, digest);
  const out: SignatureRecord[] = [];
  for (const r of referrers.slice(0, 64)) {
    const artifactType = (r as Descriptor & { artifactType?: string }).artifactType ?? '';
    if (!artifactType.startsWith(BUNDLE_MEDIA_TYPE_PREFIX)) continue;
    const source = `referrer ${r.digest}`;
    const m = await getManifest(client, r.digest);
    if (!m) continue;
    let layers: Descriptor[];
    try {
      layers = (JSON.parse(m.bytes.toString('utf8')) as { layers?: Descriptor[] }).layers ?? [];
    } catch {
      out.push({
        kind: 'signature',
        format: 'sigstore-bundle',
        source,
        status: 'invalid',
        reason: 'the referrer manifest is not JSON',
      });
      continue;
    }
    const layer = layers.find(
      (l) =>
        typeof l?.mediaType === 'string' &&
        l.mediaType.startsWith(BUNDLE_MEDIA_TYPE_PREFIX) &&
        typeof l.digest === 'string' &&
        isDigest(l.digest) &&
        Number.isSafeInteger(l.size),
    );
    if (!layer) continue;
    let json: unknown;
    try {
      json = JSON.parse((await getBlob(client, layer)).toString('utf8'));
    } catch (e) {
      if (e instanceof CustomsError && e.code !== 'IMAGE_MANIFEST_INVALID') throw e;
      out.push({
        kind: 'signature',
        format: 'sigstore-bundle',
        source,
        status: 'invalid',
        reason: 'the bundle is not JSON',
      });
      continue;
    }
    const isMessage = typeof json === 'object' && json !== null && 'messageSignature' in json;
    const artifact = isMessage ? { bytes: await manifestBytes(), digest } : { digest };
    const outcomes: { o: BundleOutcome; key?: string }[] = [];
    const material = (json as { verificationMaterial?: { publicKey?: { hint?: unknown } } }).verificationMaterial;
    const hint = material?.publicKey?.hint;
    const untrusted = (reason: string): void => {
      out.push({ kind: 'signature', format: 'sigstore-bundle', source, status: 'untrusted', reason });
    };
    if (material?.publicKey === undefined) {
      // Keyless: a certificate chain to the trusted root, and one of the trusted identities.
      if (rule.signers.identities.length === 0) untrusted('a keyless bundle, and no identities are trusted');
      else if (!root)
        untrusted(
          'no trusted root to verify keyless bundles with (--trusted-root, or trustedRoot in the trust policy)',
        );
      else outcomes.push({ o: verifyBundle(json, root, { artifact, identities: rule.signers.identities }) });
    } else {
      // Made with a key: the trusted key the hint names (its SPKI SHA-256) is the authority, as for the tag layout.
      const k = rule.signers.keys.find((x) => typeof hint === 'string' && hint === keyHint(x.key));
      if (!k) untrusted('a bundle made with a key that is not trusted');
      else outcomes.push({ o: verifyBundle(json, keyTrustRoot(k.key), { artifact, key: k.key }), key: k.name });
    }
    const best = outcomes.find((x) => x.o.ok) ?? outcomes[0];
    if (best) out.push(bundleRecord(best.o, source, best.key));
  }
  return out;
}

/** A policy's trusted root parsed once, not per image (the webhook verifies many). */
const parsedRoots = new WeakMap<object, TrustRoot>();
function trustRootOf(r: { readonly path: string; readonly json: unknown }): TrustRoot {
  let root = parsedRoots.get(r);
  if (!root) {
    root = parseTrustedRoot(r.json, r.path);
    parsedRoots.set(r, root);
  }
  return root;
}

/** The reasons a rule is not met (empty: met). */
function unmet(rule: TrustRule, ev: Evidence): string[] {
  const reasons: string[] = [];
  const signers = new Set(
    ev.signatures.filter((s) => s.status === 'valid').map((s) => `${s.signer}|${s.issuer ?? ''}`),
  );
  if (signers.size < rule.minimum) {
    const seen = ev.signatures.length;
    reasons.push(
      seen === 0
        ? `no signatures found (rule "${rule.name}" requires ${rule.minimum} trusted signer${rule.minimum === 1 ? '' : 's'})`
        : `${signers.size} of the ${rule.minimum} required trusted signer${rule.minimum === 1 ? '' : 's'} verified (${seen} signature${seen === 1 ? '' : 's'} found)`,
    );
  }
  for (const a of rule.attestations) {
    const n = ev.attestations.filter((x) => x.status === 'valid' && x.predicateType === a.predicateType).length;
    if (n < a.minimum) reasons.push(`attestation ${a.type} (${a.predicateType}): ${n} verified, ${a.minimum} required`);
  }
  return reasons;
}

function brokenReasons(records: readonly SignatureRecord[]): string[] {
  return records.filter((r) => r.status === 'invalid').map((r) => `${r.source}: ${r.reason ?? 'invalid'}`);
}

/** Verify an image against one rule (the CLI's --key / --certificate-identity flags make one). */
export async function verifyImageWithRule(
  image: string | ImageReference,
  rule: TrustRule,
  opts: VerifyOptions,
): Promise<ImageVerification> {
  const ref = withDefaultTag(imageReferenceOf(image));
  const client = opts.clients ? opts.clients.for(ref) : repositoryClient(ref, opts.ctx);
  try {
    let manifest: Buffer | undefined;
    let digest = opts.digest ?? ref.digest;
    if (!digest) {
      const m = await getManifest(client, ref.tag ?? 'latest');
      if (!m) throw new CustomsError('IMAGE_NOT_FOUND', `${repositoryName(ref)}:${ref.tag ?? 'latest'} not found`);
      digest = m.digest;
      manifest = m.bytes;
    }
    const d = digest;
    const manifestBytes = async (): Promise<Buffer> => {
      if (manifest) return manifest;
      const m = await getManifest(client, d);
      if (!m) throw new CustomsError('IMAGE_NOT_FOUND', `${repositoryName(ref)}@${d} not found`);
      manifest = m.bytes;
      return manifest;
    };
    const root = rule.signers.trustedRoot ? trustRootOf(rule.signers.trustedRoot) : undefined;
    const sigTag = attachmentTag(d, 'sig');
    const attTag = attachmentTag(d, 'att');
    const signatures = (await readAttachments(client, d, 'sig')).map((a) =>
      verifyCosignSignature(a, rule.signers.keys, ref, d, `${sigTag} layer ${a.digest}`, {
        identities: rule.signers.identities,
        root,
      }),
    );
    const attestations =
      rule.attestations.length === 0
        ? []
        : (await readAttachments(client, d, 'att')).map((a) =>
            checkCosignAttestation(a, rule.signers.keys, d, `${attTag} layer ${a.digest}`),
          );
    for (const r of await bundleEvidence(client, d, rule, root, manifestBytes)) {
      (r.kind === 'signature' ? signatures : attestations).push(r);
    }
    const ev = { signatures, attestations };
    const missing = unmet(rule, ev);
    const broken = brokenReasons([...signatures, ...attestations]);
    const status: VerificationStatus = missing.length === 0 ? 'verified' : broken.length > 0 ? 'invalid' : 'unverified';
    const untrusted = [...signatures, ...attestations]
      .filter((r) => r.status === 'untrusted')
      .map((r) => `${r.source}: ${r.reason ?? 'untrusted'}`);
    const reasons =
      status === 'verified'
        ? [
            ...new Set(
              signatures
                .filter((s) => s.status === 'valid')
                .map((s) => `signed by ${s.signer}${s.issuer ? ` (issuer ${s.issuer})` : ''}`),
            ),
          ]
        : [...missing, ...broken, ...untrusted];
    return {
      status,
      image: repositoryName(ref) + (ref.tag ? `:${ref.tag}` : ''),
      digest: d,
      rule: rule.name,
      reasons,
      signatures,
      attestations,
    };
  } finally {
    if (!opts.clients) await client.close();
  }
}

/**
 * Verify an image against a trust policy: the first rule whose pattern
 * matches decides. An image no rule covers is `unverified` (no rule says whom
 * to trust for it), with that reason and no registry request.
 */
export async function verifyImageAgainstPolicy(
  image: string | ImageReference,
  policy: TrustPolicy,
  opts: VerifyOptions,
): Promise<ImageVerification> {
  const ref = withDefaultTag(imageReferenceOf(image));
  const rule = ruleFor(policy, ref);
  if (!rule) {
    return {
      status: 'unverified',
      image: repositoryName(ref) + (ref.tag ? `:${ref.tag}` : ''),
      ...((opts.digest ?? ref.digest) ? { digest: (opts.digest ?? ref.digest) as Digest } : {}),
      reasons: [`no rule of the trust policy ${policy.source} matches ${repositoryName(ref)}`],
      signatures: [],
      attestations: [],
    };
  }
  return verifyImageWithRule(ref, rule, opts);
}

/** A rule from command-line flags: these keys or identities, `minimum` signers, these attestation types. */
export function adHocRule(
  signers: TrustRule['signers'],
  attestations: TrustRule['attestations'] = [],
  minimum = 1,
): TrustRule {
  return { name: 'command line', images: ['**'], signers, minimum, attestations };
}

export type { KeyObject };
