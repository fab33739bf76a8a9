/**
 * Writing to a registry (opencontainers/distribution-spec spec.md): blob
 * uploads ("Pushing blobs": POST then a monolithic PUT ?digest=), cross-
 * repository mounts ("Mounting a blob from another repository": POST
 * ?mount=&from=, 201 mounted, 202 an upload session instead), manifest PUT,
 * and the referrers API ("Listing referrers", with the tag schema fallback
 * `sha256-<hex>` when the registry does not offer it). Copying an image
 * between registries streams each blob from the source into the upload of
 * the destination through a digest check: nothing touches the local disk.
 */
import type { Readable } from 'node:stream';
import { type Context, CustomsError, type Digest, sha256, VerifyDigest, verifyBytes } from '../../core/index.js';
import { MAX_DOCUMENT_SIZE, parseJson, readBounded } from '../bounded-read.js';
import { type Descriptor, documentKind, parseIndex } from '../manifest.js';
import { MEDIA_TYPES } from '../media-types.js';
import { type ImageReference, withDefaultTag } from '../reference.js';
import { RegistryClient } from './registry-client.js';
import { type FetchedManifest, fetchManifest } from './registry-image.js';

export type { FetchedManifest };

/** Discard a response body (its connection goes back to the pool). */
function drain(body: Readable): void {
  body.resume();
  body.on('error', () => {});
}

/** A client bound to one repository of one registry (credentials per host, as for pulls). */
export function repositoryClient(ref: ImageReference, ctx: Context): RegistryClient {
  return new RegistryClient(ref.domain, ref.path, ctx);
}

/**
 * Clients kept open per repository, for a caller that talks to the same
 * repositories again and again (the admission webhook verifying images): a new
 * client pays the scheme probe, the TLS handshake and the token exchange.
 */
export class RepositoryClients {
  private readonly clients = new Map<string, RegistryClient>();
  constructor(private readonly ctx: Context) {}

  for(ref: ImageReference): RegistryClient {
    const key = `${ref.domain}/${ref.path}`;
    let c = this.clients.get(key);
    if (!c) {
      c = repositoryClient(ref, this.ctx);
      this.clients.set(key, c);
    }
    return c;
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}

/** The manifest at a tag or digest, or undefined when the registry has none (404). */
export async function getManifest(
  client: RegistryClient,
  reference: string,
  accept?: string,
): Promise<FetchedManifest | undefined> {
  const expected = reference.includes(':') ? (reference as Digest) : undefined;
  const what = `manifest ${client.name}${expected ? '@' : ':'}${reference}`;
  try {
    return await fetchManifest(client, reference, expected, what, accept);
  } catch (e) {
    if (e instanceof CustomsError && e.code === 'IMAGE_NOT_FOUND') return undefined;
    throw e;
  }
}

/** Read a small blob (a config, a signature payload) and check its digest. */
export async function getBlob(client: RegistryClient, d: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer> {
  const what = `blob ${d.digest} of ${client.name}`;
  if (d.size > MAX_DOCUMENT_SIZE) {
    throw new CustomsError(
      'IMAGE_MANIFEST_INVALID',
      `${what} declares ${d.size} bytes, more than the ${MAX_DOCUMENT_SIZE} allowed`,
    );
  }
  const res = await client.get(`${client.repository}/blobs/${d.digest}`, undefined, what);
  const bytes = await readBounded(res.body, MAX_DOCUMENT_SIZE, what);
  verifyBytes(bytes, d.digest, what);
  return bytes;
}

export async function blobExists(client: RegistryClient, digest: Digest): Promise<boolean> {
  // A registry may answer a blob HEAD with a redirect to its storage: the blob is there.
  const res = await client.call(
    'HEAD',
    `${client.repository}/blobs/${digest}`,
    { accept: [404, 301, 302, 303, 307, 308] },
    `blob ${digest}`,
  );
  drain(res.body);
  return res.status !== 404;
}

function locationOf(res: { headers: Readonly<Record<string, string | string[] | undefined>> }, what: string): string {
  const l = res.headers.location;
  const loc = Array.isArray(l) ? l[0] : l;
  if (!loc) throw new CustomsError('REGISTRY_ERROR', `${what}: the registry started an upload without a Location`);
  return loc;
}

function withDigest(location: string, digest: Digest): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

/** POST an upload session (optionally asking to mount `mount.digest` from `mount.from`). */
async function startUpload(
  client: RegistryClient,
  what: string,
  mount?: { digest: Digest; from: string },
): Promise<{ mounted: true } | { mounted: false; location: string }> {
  const q = mount ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}` : '';
  const res = await client.call(
    'POST',
    `${client.repository}/blobs/uploads/${q}`,
    { headers: { 'content-length': '0' } },
    what,
  );
  drain(res.body);
  if (res.status === 201 && mount) return { mounted: true };
  if (res.status !== 202) {
    throw new CustomsError('REGISTRY_ERROR', `${what}: the registry answered HTTP ${res.status} to an upload request`);
  }
  return { mounted: false, location: locationOf(res, what) };
}

async function finishUpload(
  client: RegistryClient,
  location: string,
  digest: Digest,
  size: number,
  body: Buffer | Readable,
  what: string,
): Promise<void> {
  const res = await client.call(
    'PUT',
    withDigest(location, digest),
    { headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) }, body },
    what,
  );
  drain(res.body);
  if (res.status !== 201) throw new CustomsError('REGISTRY_ERROR', `${what}: upload answered HTTP ${res.status}`);
}

/** Upload bytes as a blob (skipped when the registry has it); returns its digest and size. */
export async function pushBlob(client: RegistryClient, bytes: Buffer): Promise<{ digest: Digest; size: number }> {
  const digest = sha256(bytes);
  const what = `upload of blob ${digest} to ${client.name}`;
  if (!(await blobExists(client, digest))) {
    const started = await startUpload(client, what);
    if (started.mounted) return { digest, size: bytes.length };
    await finishUpload(client, started.location, digest, bytes.length, bytes, what);
  }
  return { digest, size: bytes.length };
}

export type BlobCopy = 'present' | 'mounted' | 'streamed';

/**
 * Copy one blob. Same registry: a cross-repository mount (no bytes move);
 * otherwise, or when the registry declines the mount, the source's stream goes
 * into the destination's upload through a digest check.
 */
export async function copyBlob(src: RegistryClient, dst: RegistryClient, d: Descriptor): Promise<BlobCopy> {
  const what = `copy of blob ${d.digest} from ${src.name} to ${dst.name}`;
  if (await blobExists(dst, d.digest)) return 'present';
  const sameRegistry = src.host === dst.host;
  const started = await startUpload(dst, what, sameRegistry ? { digest: d.digest, from: src.repository } : undefined);
  if (started.mounted) return 'mounted';
  const res = await src.get(`${src.repository}/blobs/${d.digest}`, undefined, `blob ${d.digest} of ${src.name}`);
  const checked = res.body.pipe(new VerifyDigest(d.digest, `blob ${d.digest} of ${src.name}`));
  res.body.on('error', (e) => checked.destroy(e));
  await finishUpload(dst, started.location, d.digest, d.size, checked, what);
  return 'streamed';
}

/** PUT a manifest at a tag or digest; checks the digest the registry reports. */
export async function putManifest(
  client: RegistryClient,
  reference: string,
  bytes: Buffer,
  mediaType: string,
): Promise<Digest> {
  const digest = sha256(bytes);
  const what = `push of manifest ${client.name}:${reference}`;
  const res = await client.call(
    'PUT',
    `${client.repository}/manifests/${reference}`,
    { headers: { 'content-type': mediaType }, body: bytes },
    what,
  );
  drain(res.body);
  const h = res.headers['docker-content-digest'];
  const claimed = Array.isArray(h) ? h[0] : h;
  if (claimed && claimed !== digest) {
    throw new CustomsError(
      'IMAGE_DIGEST_MISMATCH',
      `${what}: customs sent ${digest} but the registry stored ${claimed}`,
    );
  }
  return digest;
}

/**
 * Referrers of a manifest (distribution-spec "Listing referrers"), filtered by
 * artifact type. A registry without the API (404, or an answer that is not an
 * image index) is asked for the referrers tag schema instead: the index at
 * tag `sha256-<hex>` ("Unavailable Referrers API" fallback). [] when neither has any.
 */
export async function listReferrers(
  client: RegistryClient,
  digest: Digest,
  artifactType?: string,
): Promise<Descriptor[]> {
  const q = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
  const what = `referrers of ${client.name}@${digest}`;
  const res = await client.call(
    'GET',
    `${client.repository}/referrers/${digest}${q}`,
    { headers: { accept: MEDIA_TYPES.ociIndex }, accept: [404, 400, 405] },
    what,
  );
  let json: unknown;
  if (res.status === 200) json = parseJson(await readBounded(res.body, MAX_DOCUMENT_SIZE, what), what);
  else drain(res.body);
  if (documentKind(undefined, json) !== 'index') {
    const fallback = await getManifest(client, referrersTag(digest), MEDIA_TYPES.ociIndex);
    json = fallback ? parseJson(fallback.bytes, `referrers tag of ${client.name}@${digest}`) : undefined;
    if (documentKind(undefined, json) !== 'index') return [];
  }
  const all = parseIndex(json, what).manifests;
  // A registry may ignore the filter (the spec lets it, saying so in OCI-Filters-Applied).
  return artifactType ? all.filter((d) => (d as { artifactType?: string }).artifactType === artifactType) : [...all];
}

/** The empty descriptor's blob (image-spec manifest.md "Guidance for an Empty Descriptor"). */
const EMPTY_JSON = Buffer.from('{}');
export const EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';

/**
 * Push an artifact that refers to `subject` (image-spec manifest.md `subject`,
 * `artifactType`; an empty config): one layer of `blob`. A registry that does
 * not answer with OCI-Subject (no referrers API) gets the referrers tag schema
 * updated too, so readers of either find it. Returns the artifact's digest.
 */
export async function pushReferrer(
  client: RegistryClient,
  subject: { readonly digest: Digest; readonly mediaType: string; readonly size: number },
  artifactType: string,
  blob: { readonly bytes: Buffer; readonly mediaType: string },
  annotations: Readonly<Record<string, string>> = {},
): Promise<Digest> {
  const config = await pushBlob(client, EMPTY_JSON);
  const layer = await pushBlob(client, blob.bytes);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      artifactType,
      config: { mediaType: EMPTY_MEDIA_TYPE, digest: config.digest, size: config.size },
      layers: [{ mediaType: blob.mediaType, digest: layer.digest, size: layer.size }],
      subject,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    }),
  );
  const digest = sha256(manifest);
  const what = `push of referrer ${digest} to ${client.name}`;
  const res = await client.call(
    'PUT',
    `${client.repository}/manifests/${digest}`,
    { headers: { 'content-type': MEDIA_TYPES.ociManifest }, body: manifest },
    what,
  );
  drain(res.body);
  if (res.headers['oci-subject'] === undefined) {
    const tag = referrersTag(subject.digest);
    const existing = await getManifest(client, tag, MEDIA_TYPES.ociIndex);
    const json = existing ? (parseJson(existing.bytes, `referrers tag ${tag}`) as { manifests?: unknown }) : undefined;
    const manifests = Array.isArray(json?.manifests) ? (json.manifests as { digest?: string }[]) : [];
    if (!manifests.some((m) => m.digest === digest)) {
      manifests.push({
        mediaType: MEDIA_TYPES.ociManifest,
        digest,
        size: manifest.length,
        artifactType,
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      } as { digest: string });
    }
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }));
    await putManifest(client, tag, index, MEDIA_TYPES.ociIndex);
  }
  return digest;
}

/** The referrers tag schema of distribution-spec: `sha256:<hex>` → `sha256-<hex>`. */
export function referrersTag(digest: Digest): string {
  return digest.replace(':', '-');
}

export interface CopyResult {
  readonly digest: Digest;
  readonly mediaType: string;
  readonly blobs: Readonly<Record<BlobCopy, number>>;
}

/**
 * Copy an image (a manifest, or an index with all its manifests) by digest
 * from `src` to `dst`, tagging the top manifest with `dst`'s tag when it has
 * one. The destination gets the same bytes, so the same digest.
 */
export async function copyImage(src: ImageReference, dst: ImageReference, ctx: Context): Promise<CopyResult> {
  const from = repositoryClient(src, ctx);
  const to = repositoryClient(dst, ctx);
  const counts: Record<BlobCopy, number> = { present: 0, mounted: 0, streamed: 0 };
  try {
    const s = withDefaultTag(src);
    const top = await fetchManifest(from, s.digest ?? s.tag ?? 'latest', s.digest, `manifest ${from.name}`);
    const copyManifest = async (m: FetchedManifest, reference: string, depth: number): Promise<void> => {
      const json = parseJson(m.bytes, `manifest ${m.digest}`) as Record<string, unknown>;
      const kind = documentKind(m.mediaType, json);
      const mediaType = (typeof json.mediaType === 'string' ? json.mediaType : m.mediaType) ?? MEDIA_TYPES.ociManifest;
      if (kind === 'index') {
        if (depth > 1) throw new CustomsError('IMAGE_MANIFEST_INVALID', `${from.name}: index nested too deep`);
        for (const child of parseIndex(json, `index ${m.digest}`).manifests) {
          const cm = await fetchManifest(from, child.digest, child.digest, `manifest ${child.digest} of ${from.name}`);
          await copyManifest(cm, child.digest, depth + 1);
        }
      } else if (kind === 'manifest') {
        const descriptors = [json.config, ...(Array.isArray(json.layers) ? json.layers : [])] as Descriptor[];
        for (const d of descriptors) {
          if (!d || typeof d.digest !== 'string')
            throw new CustomsError(
              'IMAGE_MANIFEST_INVALID',
              `manifest ${m.digest} of ${from.name} has a descriptor without a digest`,
            );
          counts[await copyBlob(from, to, d)]++;
        }
      } else {
        throw new CustomsError(
          'IMAGE_MEDIA_TYPE_UNSUPPORTED',
          `manifest ${m.digest} of ${from.name} is neither an image manifest nor an index`,
        );
      }
      await putManifest(to, reference, m.bytes, mediaType);
    };
    await copyManifest(top, dst.tag ?? top.digest, 0);
    return { digest: top.digest, mediaType: top.mediaType ?? MEDIA_TYPES.ociManifest, blobs: counts };
  } finally {
    await Promise.all([from.close(), to.close()]);
  }
}
