/**
 * Where cosign keeps signatures and attestations of an image
 * (sigstore/cosign specs/SIGNATURE_SPEC.md, specs/ATTESTATION_SPEC.md): in
 * the image's repository, an OCI image manifest tagged `sha256-<hex>.sig`
 * (`.att` for attestations), one layer per signature: the payload blob
 * (simple signing JSON, or a DSSE envelope) with the base64 signature in the
 * `dev.cosignproject.cosign/signature` annotation (empty for DSSE, whose
 * envelope carries its own), optional certificate/chain/bundle annotations,
 * and for attestations the `predicateType` annotation. New signatures are
 * appended to the existing manifest, as cosign and containers/image do.
 */
import { CustomsError, type Digest, isDigest } from '../core/index.js';
import {
  type Descriptor,
  getBlob,
  getManifest,
  MEDIA_TYPES,
  pushBlob,
  putManifest,
  type RegistryClient,
} from '../image/index.js';

export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
export const BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
export const PREDICATE_TYPE_ANNOTATION = 'predicateType';
export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';

/** At most this many signatures are read from one attachment manifest. */
export const MAX_ATTACHMENTS = 64;

export type AttachmentKind = 'sig' | 'att';

/** `sha256:<hex>` → `sha256-<hex>.sig` */
export function attachmentTag(digest: Digest, kind: AttachmentKind): string {
  return `${digest.replace(':', '-')}.${kind}`;
}

export interface Attachment {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly payload: Buffer;
  readonly annotations: Readonly<Record<string, string>>;
  /** Why this layer could not be read (the registry's manifest or blob is broken); it then counts as invalid. */
  readonly problem?: string;
}

/** Largest signature payload read (a simple-signing payload is a few hundred bytes). */
export const MAX_SIGNATURE_PAYLOAD = 1024 * 1024;
/** Largest attestation envelope read (an SBOM in DSSE can be several MB), and the most read for one image. */
export const MAX_ATTESTATION_PAYLOAD = 8 * 1024 * 1024;
export const MAX_ATTACHMENT_TOTAL = 32 * 1024 * 1024;

function stringAnnotations(a: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof a !== 'object' || a === null) return out;
  for (const [k, v] of Object.entries(a)) if (typeof v === 'string') out[k] = v;
  return out;
}

interface AttachmentManifest {
  readonly json: { config: Descriptor; layers: Descriptor[]; [k: string]: unknown };
}

function parseAttachmentManifest(bytes: Buffer, what: string): AttachmentManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new CustomsError('IMAGE_MANIFEST_INVALID', `${what} is not JSON`, e);
  }
  const o = json as { config?: unknown; layers?: unknown };
  const okDescriptor = (d: unknown): d is Descriptor => {
    const x = d as Descriptor;
    return (
      typeof x === 'object' &&
      x !== null &&
      typeof x.mediaType === 'string' &&
      typeof x.digest === 'string' &&
      isDigest(x.digest) &&
      Number.isSafeInteger(x.size) &&
      x.size >= 0
    );
  };
  if (
    typeof o !== 'object' ||
    o === null ||
    !okDescriptor(o.config) ||
    !Array.isArray(o.layers) ||
    !o.layers.every(okDescriptor)
  ) {
    throw new CustomsError('IMAGE_MANIFEST_INVALID', `${what} is not an OCI image manifest with a config and layers`);
  }
  return { json: json as AttachmentManifest['json'] };
}

/** The signatures (or attestations) attached to `digest`; [] when there are none. */
export async function readAttachments(
  client: RegistryClient,
  digest: Digest,
  kind: AttachmentKind,
): Promise<Attachment[]> {
  const tag = attachmentTag(digest, kind);
  const m = await getManifest(client, tag, `${MEDIA_TYPES.ociManifest}, ${MEDIA_TYPES.dockerManifest}`);
  if (!m) return [];
  const what = `signature manifest ${client.name}:${tag}`;
  let json: AttachmentManifest['json'];
  try {
    json = parseAttachmentManifest(m.bytes, what).json;
  } catch (e) {
    if (!(e instanceof CustomsError)) throw e;
    return [{ mediaType: '', digest: m.digest, payload: Buffer.alloc(0), annotations: {}, problem: e.message }];
  }
  const out: Attachment[] = [];
  const max = kind === 'sig' ? MAX_SIGNATURE_PAYLOAD : MAX_ATTESTATION_PAYLOAD;
  let total = 0;
  for (const layer of json.layers.slice(0, MAX_ATTACHMENTS)) {
    const base = {
      mediaType: layer.mediaType,
      digest: layer.digest,
      annotations: stringAnnotations(layer.annotations),
    };
    // Only what is read counts toward the budget: one huge declared layer must not hide the rest.
    if (layer.size > max || total + layer.size > MAX_ATTACHMENT_TOTAL) {
      out.push({
        ...base,
        payload: Buffer.alloc(0),
        problem: `layer of ${layer.size} bytes is larger than customs reads (${max} each, ${MAX_ATTACHMENT_TOTAL} in all)`,
      });
      continue;
    }
    total += layer.size;
    try {
      out.push({ ...base, payload: await getBlob(client, layer) });
    } catch (e) {
      // A blob that is missing or not what its digest says is a broken signature, not a failed run.
      if (
        !(e instanceof CustomsError) ||
        !['IMAGE_DIGEST_MISMATCH', 'IMAGE_NOT_FOUND', 'IMAGE_MANIFEST_INVALID'].includes(e.code)
      )
        throw e;
      out.push({ ...base, payload: Buffer.alloc(0), problem: e.message });
    }
  }
  return out;
}

function sameAnnotations(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>>,
): boolean {
  const ka = Object.keys(a ?? {}).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a?.[k] === b[k]);
}

/**
 * Append one signature layer to the attachment manifest of `digest`
 * (creating it), unless an identical layer is there already. Returns the
 * attachment manifest's digest.
 */
export async function appendAttachment(
  client: RegistryClient,
  digest: Digest,
  kind: AttachmentKind,
  layer: { mediaType: string; payload: Buffer; annotations: Readonly<Record<string, string>> },
  /** Whether a layer already there with the same payload counts as this signature (same signer). */
  sameSigner?: (annotations: Readonly<Record<string, string>>) => boolean,
): Promise<Digest> {
  const tag = attachmentTag(digest, kind);
  const existing = await getManifest(client, tag, `${MEDIA_TYPES.ociManifest}, ${MEDIA_TYPES.dockerManifest}`);
  let layers: Descriptor[] = [];
  let config: Record<string, unknown> = {
    architecture: '',
    os: '',
    config: {},
    rootfs: { type: 'layers', diff_ids: [] as string[] },
  };
  if (existing) {
    const { json } = parseAttachmentManifest(existing.bytes, `signature manifest ${client.name}:${tag}`);
    layers = [...json.layers];
    try {
      config = JSON.parse((await getBlob(client, json.config)).toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof CustomsError && e.code !== 'IMAGE_MANIFEST_INVALID') throw e;
    }
  }
  const blob = await pushBlob(client, layer.payload);
  const present = layers.some(
    (l) =>
      l.digest === blob.digest &&
      l.mediaType === layer.mediaType &&
      (sameAnnotations(l.annotations, layer.annotations) || sameSigner?.(l.annotations ?? {}) === true),
  );
  if (!present) {
    layers.push({
      mediaType: layer.mediaType,
      digest: blob.digest,
      size: blob.size,
      annotations: { ...layer.annotations },
    });
    const rootfs = (config.rootfs ?? {}) as { type?: string; diff_ids?: string[] };
    config.rootfs = {
      type: 'layers',
      diff_ids: [...(Array.isArray(rootfs.diff_ids) ? rootfs.diff_ids : []), blob.digest],
    };
  }
  const configBlob = await pushBlob(client, Buffer.from(JSON.stringify(config)));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: configBlob.digest, size: configBlob.size },
      layers,
    }),
  );
  return putManifest(client, tag, manifest, MEDIA_TYPES.ociManifest);
}
