/**
 * Tag → digest without pulling: the registry lister's manifest HEAD (the
 * Docker-Content-Digest header, or a GET hashed when the registry omits it;
 * distribution spec, "Checking if content exists in the registry").
 */
import type { Context, Digest } from '../../core/index.js';
import { type ImageReference, withDefaultTag } from '../reference.js';
import { registryLister } from './listing.js';

/** The digest `ref`'s tag points at now; a reference with a digest is returned as it is. */
export async function resolveDigest(ref: ImageReference, ctx: Context): Promise<Digest> {
  if (ref.digest !== undefined) return ref.digest;
  const full = withDefaultTag(ref);
  const lister = registryLister(full.domain, ctx);
  try {
    return (await lister.head(full.path, full.tag ?? 'latest')).digest;
  } finally {
    await lister.close();
  }
}
