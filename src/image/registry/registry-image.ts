/**
 * Reading an image from a registry: manifest (by tag or digest, verified),
 * index → platform, config and layer blobs streamed and verified.
 */
import { type Context, CustomsError, type Digest, sha256, verifyBytes } from '../../core/index.js';
import { MAX_DOCUMENT_SIZE, readBounded } from '../bounded-read.js';
import { type BlobSource, imageFromManifest } from '../image-from-manifest.js';
import type { Descriptor } from '../manifest.js';
import { MANIFEST_ACCEPT } from '../media-types.js';
import { wantedPlatform } from '../platform.js';
import { formatReference, type ImageReference, repositoryName, withDefaultTag } from '../reference.js';
import { resolveManifest } from '../resolve-manifest.js';
import type { Image } from '../types.js';
import { RegistryClient } from './registry-client.js';

export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly mediaType: string | undefined;
  readonly digest: Digest;
}

export async function fetchManifest(
  client: RegistryClient,
  reference: string,
  expected: Digest | undefined,
  what: string,
  accept: string = MANIFEST_ACCEPT,
): Promise<FetchedManifest> {
  const res = await client.get(`${client.repository}/manifests/${reference}`, accept, what);
  const lengthHeader = res.headers['content-length'];
  const declared = typeof lengthHeader === 'string' ? Number(lengthHeader) : Number.NaN;
  if (Number.isFinite(declared) && declared > MAX_DOCUMENT_SIZE) {
    res.body.destroy();
    throw new CustomsError(
      'IMAGE_MANIFEST_INVALID',
      `${what} is ${declared} bytes, more than the ${MAX_DOCUMENT_SIZE} allowed`,
    );
  }
  const bytes = await readBounded(res.body, MAX_DOCUMENT_SIZE, what);
  const ct = res.headers['content-type'];
  const mediaType = (Array.isArray(ct) ? ct[0] : ct)?.split(';')[0]?.trim();
  let digest: Digest;
  if (expected) {
    verifyBytes(bytes, expected, what);
    digest = expected;
  } else {
    digest = sha256(bytes);
    const dch = res.headers['docker-content-digest'];
    const claimed = Array.isArray(dch) ? dch[0] : dch;
    // The registry's own digest header must agree with the bytes it sent.
    if (claimed?.startsWith('sha256:') && claimed !== digest) {
      throw new CustomsError(
        'IMAGE_DIGEST_MISMATCH',
        `${what}: content digest is ${digest} but the registry says ${claimed}`,
      );
    }
  }
  return { bytes, mediaType, digest };
}

export async function openRegistryImage(ref: ImageReference, ctx: Context): Promise<Image> {
  const full = withDefaultTag(ref);
  const name = formatReference(full);
  const client = new RegistryClient(full.domain, full.path, ctx);
  try {
    const top = await fetchManifest(client, full.digest ?? full.tag ?? 'latest', full.digest, `manifest ${name}`);
    const fetchChild = async (d: Descriptor): Promise<Buffer> => {
      if (d.size > MAX_DOCUMENT_SIZE)
        throw new CustomsError('IMAGE_MANIFEST_INVALID', `manifest ${d.digest} of ${name} declares ${d.size} bytes`);
      return (await fetchManifest(client, d.digest, d.digest, `manifest ${d.digest} of ${name}`)).bytes;
    };
    const resolved = await resolveManifest(
      top.bytes,
      top.mediaType,
      top.digest,
      wantedPlatform(ctx.config.platform),
      fetchChild,
      name,
    );
    const blobs: BlobSource = {
      async open(d) {
        const res = await client.download(`${client.repository}/blobs/${d.digest}`, `blob ${d.digest}`);
        return res.body;
      },
      async read(d, max, what) {
        if (d.size > max)
          throw new CustomsError(
            'IMAGE_MANIFEST_INVALID',
            `${what} declares ${d.size} bytes, more than the ${max} allowed`,
          );
        const res = await client.get(`${client.repository}/blobs/${d.digest}`, undefined, what);
        const bytes = await readBounded(res.body, max, what);
        verifyBytes(bytes, d.digest, what);
        return bytes;
      },
    };
    return await imageFromManifest(
      resolved,
      blobs,
      {
        name,
        transport: 'registry',
        repoTags: full.tag !== undefined ? [`${repositoryName(full)}:${full.tag}`] : [],
        repoDigests: [`${repositoryName(full)}@${top.digest}`],
        close: () => client.close(),
      },
      ctx,
    );
  } catch (e) {
    await client.close();
    throw e;
  }
}
