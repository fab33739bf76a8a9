/**
 * The "simple signing" payload cosign signs (sigstore/cosign specs/SIGNATURE_SPEC.md,
 * "Payload"; the same document containers/image calls a sigstore payload):
 *
 *   {"critical":{"identity":{"docker-reference":REF},
 *                "image":{"docker-manifest-digest":DIGEST},
 *                "type":"cosign container image signature"},
 *    "optional":{…}|null}
 *
 * Parsing is strict the way containers/image's is
 * (signature/internal/sigstore_payload.go): exactly these fields under
 * "critical", "optional" an object or null — a payload with extra critical
 * fields was made for a consumer that would check them, so it is not accepted.
 */
import { type Digest, isDigest } from '../core/index.js';

export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';

export interface SimpleSigningPayload {
  readonly dockerReference: string;
  readonly manifestDigest: Digest;
  readonly optional: Readonly<Record<string, unknown>> | null;
}

/** The payload bytes for an image: compact JSON in cosign's field order. */
export function simpleSigningPayload(
  dockerReference: string,
  manifestDigest: Digest,
  optional: Readonly<Record<string, unknown>> | null = null,
): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': dockerReference },
        image: { 'docker-manifest-digest': manifestDigest },
        type: SIMPLE_SIGNING_TYPE,
      },
      optional,
    }),
  );
}

function exactObject(v: unknown, keys: readonly string[], where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where} is not an object`);
  const o = v as Record<string, unknown>;
  const own = Object.keys(o);
  for (const k of own) if (!keys.includes(k)) throw new Error(`${where} has the unexpected field "${k}"`);
  for (const k of keys) if (!(k in o)) throw new Error(`${where} lacks "${k}"`);
  return o;
}

/** Parse payload bytes; throws an Error saying what is wrong (callers record it as an invalid signature). */
export function parseSimpleSigningPayload(bytes: Buffer): SimpleSigningPayload {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('the payload is not JSON');
  }
  const top = exactObject(json, ['critical', 'optional'], 'the payload');
  const critical = exactObject(top.critical, ['identity', 'image', 'type'], 'critical');
  if (critical.type !== SIMPLE_SIGNING_TYPE)
    throw new Error(`critical.type is "${String(critical.type)}", not "${SIMPLE_SIGNING_TYPE}"`);
  const image = exactObject(critical.image, ['docker-manifest-digest'], 'critical.image');
  const identity = exactObject(critical.identity, ['docker-reference'], 'critical.identity');
  const digest = image['docker-manifest-digest'];
  if (typeof digest !== 'string' || !isDigest(digest))
    throw new Error('critical.image.docker-manifest-digest is not a digest');
  const ref = identity['docker-reference'];
  if (typeof ref !== 'string') throw new Error('critical.identity.docker-reference is not a string');
  const optional = top.optional;
  if (optional !== null && (typeof optional !== 'object' || Array.isArray(optional)))
    throw new Error('optional is neither an object nor null');
  return { dockerReference: ref, manifestDigest: digest, optional: optional as Record<string, unknown> | null };
}
