/**
 * Tag → digest without pulling: a HEAD of the manifest, whose
 * Docker-Content-Digest header names the digest of the manifest (or index)
 * the tag points at (distribution spec, "Checking if content exists in the
 * registry"). A registry that omits the header gets a GET, and the digest is
 * the SHA-256 of the bytes it sent.
 */
import { type Context, CustomsError, type Digest, sha256 } from '../../core/index.js';
import { MAX_DOCUMENT_SIZE, readBounded } from '../bounded-read.js';
import { MANIFEST_ACCEPT } from '../media-types.js';
import { formatReference, type ImageReference, withDefaultTag } from '../reference.js';
import { RegistryClient } from './registry-client.js';

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/** The digest `ref`'s tag points at now; a reference with a digest is returned as it is. */
export async function resolveDigest(ref: ImageReference, ctx: Context): Promise<Digest> {
  if (ref.digest !== undefined) return ref.digest;
  const full = withDefaultTag(ref);
  const name = formatReference(full);
  const client = new RegistryClient(full.domain, full.path, ctx);
  try {
    const path = `${full.path}/manifests/${full.tag ?? 'latest'}`;
    const head = await client.head(path, MANIFEST_ACCEPT, `manifest ${name}`);
    head.body.resume();
    const header = head.headers['docker-content-digest'];
    const claimed = Array.isArray(header) ? header[0] : header;
    if (claimed !== undefined && DIGEST_RE.test(claimed)) return claimed as Digest;
    const res = await client.get(path, MANIFEST_ACCEPT, `manifest ${name}`);
    return sha256(await readBounded(res.body, MAX_DOCUMENT_SIZE, `manifest ${name}`));
  } catch (e) {
    throw e instanceof CustomsError ? e : new CustomsError('REGISTRY_ERROR', `resolving ${name}: ${String(e)}`, e);
  } finally {
    await client.close();
  }
}
