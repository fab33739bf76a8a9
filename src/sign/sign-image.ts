/**
 * Signing and attesting an image in a registry, in cosign's layout
 * (cosign-layout.ts): the simple-signing payload signed with ECDSA P-256 and
 * appended to the `sha256-<hex>.sig` manifest; an in-toto Statement v1 in a
 * DSSE envelope appended to `sha256-<hex>.att` with its predicateType.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { type Context, CustomsError, type Digest } from '../core/index.js';
import {
  getManifest,
  type ImageReference,
  MEDIA_TYPES,
  pushReferrer,
  repositoryClient,
  repositoryName,
  withDefaultTag,
} from '../image/index.js';
import { BUNDLE_V03_MEDIA_TYPE, keyBundle } from './bundle.js';
import { appendAttachment, DSSE_MEDIA_TYPE, PREDICATE_TYPE_ANNOTATION, SIGNATURE_ANNOTATION } from './cosign-layout.js';
import { IN_TOTO_PAYLOAD_TYPE, imageStatement, signEnvelope } from './dsse.js';
import { signBytes, verifyBytesSignature } from './keys.js';
import { SIMPLE_SIGNING_MEDIA_TYPE, simpleSigningPayload } from './simple-signing.js';
import { COSIGN_SIGN_PREDICATE, imageReferenceOf } from './verify-image.js';

export interface SignOutcome {
  readonly image: string;
  readonly digest: Digest;
  /** The tag the signature (or attestation) manifest is at, and that manifest's digest. */
  readonly tag: string;
  readonly manifestDigest: Digest;
  /** The sigstore bundle referrer pushed with --bundle. */
  readonly referrer?: Digest;
}

async function resolveDigest(ref: ImageReference, ctx: Context): Promise<Digest> {
  if (ref.digest) return ref.digest;
  const client = repositoryClient(ref, ctx);
  try {
    const m = await getManifest(client, ref.tag ?? 'latest');
    if (!m)
      throw new CustomsError(
        'IMAGE_NOT_FOUND',
        `${repositoryName(ref)}:${ref.tag ?? 'latest'} not found in the registry`,
      );
    return m.digest;
  } finally {
    await client.close();
  }
}

/**
 * The docker-reference a signature names: the image as the user wrote it
 * (repository and tag), as skopeo's --sign-by-sigstore-private-key does;
 * containers/image's default signedIdentity (matchRepoDigestOrExact) accepts
 * it for the tag and for any digest reference of the repository.
 */
function dockerReferenceOf(ref: ImageReference): string {
  return ref.tag !== undefined ? `${repositoryName(ref)}:${ref.tag}` : repositoryName(ref);
}

export async function signImage(
  image: string | ImageReference,
  key: KeyObject,
  ctx: Context,
  opts: {
    readonly digest?: Digest;
    readonly annotations?: Readonly<Record<string, string>>;
    /** Also push a sigstore bundle (v0.3, DSSE, cosign's https://sigstore.dev/cosign/sign/v1 statement) as an OCI 1.1 referrer. */
    readonly bundle?: boolean;
  } = {},
): Promise<SignOutcome> {
  const ref = withDefaultTag(imageReferenceOf(image));
  const digest = opts.digest ?? (await resolveDigest(ref, ctx));
  const payload = simpleSigningPayload(
    dockerReferenceOf(ref),
    digest,
    opts.annotations && Object.keys(opts.annotations).length > 0 ? opts.annotations : null,
  );
  const signature = signBytes(key, payload).toString('base64');
  const client = repositoryClient(ref, ctx);
  try {
    const manifestDigest = await appendAttachment(
      client,
      digest,
      'sig',
      {
        mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
        payload,
        annotations: { [SIGNATURE_ANNOTATION]: signature },
      },
      (existing) => {
        // ECDSA signatures differ each time: the same payload signed by the same key is already there.
        const old = existing[SIGNATURE_ANNOTATION];
        return old !== undefined && verifyBytesSignature(createPublicKey(key), payload, Buffer.from(old, 'base64'));
      },
    );
    let referrer: Digest | undefined;
    if (opts.bundle) {
      const m = await getManifest(client, digest);
      if (!m) throw new CustomsError('IMAGE_NOT_FOUND', `${repositoryName(ref)}@${digest} not found in the registry`);
      const statement = imageStatement(repositoryName(ref), digest, COSIGN_SIGN_PREDICATE, {});
      const bundle = Buffer.from(JSON.stringify(keyBundle(key, createPublicKey(key), statement)));
      referrer = await pushReferrer(
        client,
        { digest, mediaType: m.mediaType ?? MEDIA_TYPES.ociManifest, size: m.bytes.length },
        BUNDLE_V03_MEDIA_TYPE,
        { bytes: bundle, mediaType: BUNDLE_V03_MEDIA_TYPE },
        { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': COSIGN_SIGN_PREDICATE },
      );
    }
    return {
      image: dockerReferenceOf(ref),
      digest,
      tag: `${digest.replace(':', '-')}.sig`,
      manifestDigest,
      ...(referrer ? { referrer } : {}),
    };
  } finally {
    await client.close();
  }
}

export async function attestImage(
  image: string | ImageReference,
  key: KeyObject,
  predicateType: string,
  predicate: unknown,
  ctx: Context,
  opts: { readonly digest?: Digest } = {},
): Promise<SignOutcome> {
  const ref = withDefaultTag(imageReferenceOf(image));
  const digest = opts.digest ?? (await resolveDigest(ref, ctx));
  const statement = imageStatement(repositoryName(ref), digest, predicateType, predicate);
  const envelope = Buffer.from(JSON.stringify(signEnvelope(key, IN_TOTO_PAYLOAD_TYPE, statement)));
  const client = repositoryClient(ref, ctx);
  try {
    const manifestDigest = await appendAttachment(client, digest, 'att', {
      mediaType: DSSE_MEDIA_TYPE,
      payload: envelope,
      // cosign leaves the signature annotation empty on attestations: the envelope signs itself.
      annotations: { [SIGNATURE_ANNOTATION]: '', [PREDICATE_TYPE_ANNOTATION]: predicateType },
    });
    return { image: dockerReferenceOf(ref), digest, tag: `${digest.replace(':', '-')}.att`, manifestDigest };
  } finally {
    await client.close();
  }
}
