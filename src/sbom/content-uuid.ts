import { createHash } from 'node:crypto';

/**
 * A name-based UUID, version 5 (RFC 9562 section 5.5): SHA-1 of a namespace
 * UUID followed by the name, with the version and variant bits set. Used for
 * SBOM serial numbers and document namespaces, so the same content always
 * gets the same identifier.
 */
export function uuidV5(name: string, namespace: string = CUSTOMS_UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new TypeError(`uuidV5: namespace "${namespace}" is not a UUID`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** uuidV5('customs', URL namespace 6ba7b811-9dad-11d1-80b4-00c04fd430c8): fixed, so IDs never change between releases. */
export const CUSTOMS_UUID_NAMESPACE = '68658e3b-9551-5f89-8980-cf9434241cbc';
