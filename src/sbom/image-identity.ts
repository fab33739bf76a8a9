import { PackageURL } from 'packageurl-js';
import { CustomsError, type Digest } from '../core/index.js';
import { type ImageReference, parseNormalizedReference, repositoryName } from '../image/index.js';
import type { InventoryTarget } from './types.js';

/** How SBOMs name the scanned image. */
export interface ImageIdentity {
  /** The target as the user named it. */
  readonly name: string;
  /** Manifest digest when known (the purl-spec oci version), else a repo digest, else the config digest (image ID). */
  readonly digest: Digest;
  /** Repository without tag, domain included (docker.io/library/nginx), when a reference is known. */
  readonly repository?: string;
  readonly tag?: string;
  /** purl-spec oci type: pkg:oci/NAME@DIGEST?arch=…&repository_url=…&tag=… */
  readonly purl: string;
}

/** Transports whose target name is an image reference rather than a file path. */
const REFERENCE_TRANSPORTS = new Set(['registry', 'docker', 'docker-daemon', 'daemon', 'remote']);

/** A Docker reference as SBOMs name it: the normalised repository, tag and digest. */
export interface ParsedReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

/**
 * An image reference as `docker pull` reads it (image/reference.ts, the
 * distribution/reference grammar and normalisation), or undefined when it is
 * not one: a repo tag, a label or a target name may hold anything.
 */
export function parseImageReference(ref: string): ParsedReference | undefined {
  let parsed: ImageReference;
  try {
    parsed = parseNormalizedReference(ref);
  } catch (e) {
    if (e instanceof CustomsError) return undefined;
    throw e;
  }
  return {
    repository: repositoryName(parsed),
    ...(parsed.tag !== undefined ? { tag: parsed.tag } : {}),
    ...(parsed.digest !== undefined ? { digest: parsed.digest } : {}),
  };
}

export function imageIdentity(target: InventoryTarget): ImageIdentity {
  const fromDigest = firstParsed(target.repoDigests);
  const fromTag = firstParsed(target.repoTags);
  // A daemon target named by image ID ("3f57d9401f8d") is not a repository name.
  const byId = /^(sha256:)?[a-f0-9]{12,64}$/.test(target.name);
  const fromName = REFERENCE_TRANSPORTS.has(target.transport) && !byId ? parseImageReference(target.name) : undefined;
  const repository = fromDigest?.repository ?? fromTag?.repository ?? fromName?.repository;
  const tag = fromTag?.tag ?? fromName?.tag;
  const digest = target.manifestDigest ?? fromDigest?.digest ?? fromName?.digest ?? target.configDigest;
  const purlName = repository ? lastComponent(repository) : fileStem(target.name);
  const qualifiers: Record<string, string> = {};
  const arch = target.platform?.split('/')[1];
  if (arch) qualifiers.arch = arch;
  if (repository) qualifiers.repository_url = repository;
  if (tag) qualifiers.tag = tag;
  const purl = new PackageURL(
    'oci',
    undefined,
    purlName,
    digest,
    Object.keys(qualifiers).length > 0 ? qualifiers : undefined,
    undefined,
  ).toString();
  return {
    name: target.name,
    digest,
    purl,
    ...(repository !== undefined ? { repository } : {}),
    ...(tag !== undefined ? { tag } : {}),
  };
}

function firstParsed(refs: readonly string[]): ParsedReference | undefined {
  for (const r of refs) {
    const p = parseImageReference(r);
    if (p) return p;
  }
  return undefined;
}

function lastComponent(repository: string): string {
  return repository.slice(repository.lastIndexOf('/') + 1);
}

/** A file target (docker-archive:/x/app.tar.gz) names the purl after its file: "app". */
function fileStem(name: string): string {
  const noTransport = name.replace(/^[a-z-]+:(?!\/\/)/, '');
  const base =
    noTransport
      .replace(/[/\\]+$/, '')
      .split(/[/\\]/)
      .pop() ?? '';
  const stem = base.replace(/(\.tar)?(\.(gz|tgz|zst|zstd))?$/i, '').replace(/\.tar$/i, '');
  const clean = stem
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return clean || 'image';
}
