/**
 * Parse-at-the-boundary schemas for manifests, indexes and configs
 * (OCI image-spec manifest.md, image-index.md, config.md; Docker manifest v2
 * schema 2). A document that fails lists every bad field.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CustomsError, type Digest, verifyBytes } from '../core/index.js';
import { parseJson } from './bounded-read.js';
import {
  CONFIG_MEDIA_TYPES,
  INDEX_MEDIA_TYPES,
  MANIFEST_MEDIA_TYPES,
  MEDIA_TYPES,
  SCHEMA1_MEDIA_TYPES,
} from './media-types.js';
import type { ImageConfig, Platform } from './types.js';

const DigestSchema = Type.String({ pattern: '^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$' });

const PlatformSchema = Type.Object({
  architecture: Type.String(),
  os: Type.String(),
  variant: Type.Optional(Type.String()),
  'os.version': Type.Optional(Type.String()),
});

const DescriptorSchema = Type.Object({
  mediaType: Type.String({ minLength: 1 }),
  digest: DigestSchema,
  size: Type.Integer({ minimum: 0 }),
  urls: Type.Optional(Type.Array(Type.String())),
  annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
  platform: Type.Optional(PlatformSchema),
});

const ManifestSchema = Type.Object({
  schemaVersion: Type.Literal(2),
  mediaType: Type.Optional(Type.String()),
  config: DescriptorSchema,
  layers: Type.Array(DescriptorSchema, { maxItems: 10000 }),
  annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
});

const IndexSchema = Type.Object({
  schemaVersion: Type.Literal(2),
  mediaType: Type.Optional(Type.String()),
  manifests: Type.Array(DescriptorSchema, { maxItems: 10000 }),
  annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
});

const ConfigSchema = Type.Object({
  architecture: Type.Optional(Type.String()),
  os: Type.Optional(Type.String()),
  variant: Type.Optional(Type.String()),
  rootfs: Type.Object({
    type: Type.Literal('layers'),
    diff_ids: Type.Array(DigestSchema, { maxItems: 10000 }),
  }),
});

export type Descriptor = Static<typeof DescriptorSchema> & { readonly digest: Digest };
export interface Manifest {
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}
export interface ImageIndex {
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

function check<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  if (Value.Check(schema, value)) return value;
  const problems: string[] = [];
  for (const e of Value.Errors(schema, value)) {
    problems.push(`${e.path || '/'}: ${e.message}`);
    if (problems.length >= 20) break;
  }
  throw new CustomsError('IMAGE_MANIFEST_INVALID', `${what} is invalid: ${problems.join('; ')}`);
}

/** What a manifest-ish document is, from its own mediaType or a declared one. */
export type DocumentKind = 'manifest' | 'index' | 'schema1' | 'unknown';

export function documentKind(declared: string | undefined, json: unknown): DocumentKind {
  const own = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).mediaType : undefined;
  const mt = typeof own === 'string' && own !== '' ? own : declared;
  if (mt && MANIFEST_MEDIA_TYPES.includes(mt)) return 'manifest';
  if (mt && INDEX_MEDIA_TYPES.includes(mt)) return 'index';
  if (mt && SCHEMA1_MEDIA_TYPES.includes(mt)) return 'schema1';
  if (typeof json === 'object' && json !== null) {
    const o = json as Record<string, unknown>;
    // OCI allows mediaType to be absent; fall back on the shape (image-spec manifest.md / image-index.md).
    if (o.schemaVersion === 1) return 'schema1';
    if (Array.isArray(o.manifests)) return 'index';
    if (o.config !== undefined && Array.isArray(o.layers)) return 'manifest';
  }
  return 'unknown';
}

export function schema1Error(what: string): CustomsError {
  return new CustomsError(
    'IMAGE_MEDIA_TYPE_UNSUPPORTED',
    `${what} is a Docker v2 schema 1 manifest, deprecated since 2019 and not supported; re-push the image with a current Docker or skopeo (schema 2 / OCI)`,
  );
}

export function parseManifest(json: unknown, what: string, declared?: string): Manifest {
  const m = check(ManifestSchema, json, what);
  const mediaType = m.mediaType ?? declared ?? MEDIA_TYPES.ociManifest;
  if (!CONFIG_MEDIA_TYPES.includes(m.config.mediaType)) {
    throw new CustomsError(
      'IMAGE_MEDIA_TYPE_UNSUPPORTED',
      `${what}: config media type "${m.config.mediaType}" is not a container image config (is this an OCI artifact such as a Helm chart or signature?)`,
    );
  }
  return { mediaType, config: m.config as Descriptor, layers: m.layers as Descriptor[] };
}

export function parseIndex(json: unknown, what: string, declared?: string): ImageIndex {
  const ix = check(IndexSchema, json, what);
  return { mediaType: ix.mediaType ?? declared ?? MEDIA_TYPES.ociIndex, manifests: ix.manifests as Descriptor[] };
}

/** Verify the config bytes against their digest, then validate the fields customs relies on. */
export function parseConfig(bytes: Uint8Array, digest: Digest | undefined, what: string): ImageConfig {
  if (digest) verifyBytes(bytes, digest, what);
  const json = parseJson(bytes, what);
  check(ConfigSchema, json, what);
  return json as ImageConfig;
}

export function descriptorPlatform(d: Descriptor): Platform | undefined {
  if (!d.platform) return undefined;
  return d.platform.variant
    ? { os: d.platform.os, architecture: d.platform.architecture, variant: d.platform.variant }
    : { os: d.platform.os, architecture: d.platform.architecture };
}

/** Docker buildx attestation manifests ride in indexes with platform unknown/unknown. */
export function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  );
}
