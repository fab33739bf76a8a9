/**
 * Image references, parsed exactly like Docker's distribution/reference
 * grammar (github.com/distribution/reference, regexp.go and normalize.go):
 *
 *   reference      := name [ ":" tag ] [ "@" digest ]
 *   name           := [domain '/'] remote-name
 *   domain         := host [':' port-number]
 *   host           := domain-name | '[' IPv6address ']'
 *   path-component := [a-z0-9]+ (separator [a-z0-9]+)*   separator := [_.] | __ | -+
 *   tag            := [\w][\w.-]{0,127}
 *   digest         := algorithm ":" hex{32,}
 *
 * The repository path (the name without its domain) is at most 255
 * characters (RepositoryNameTotalLengthMax; the domain does not count).
 *
 * Normalisation (ParseNormalizedNamed): the first component is a registry
 * host only if it contains "." or ":", is "localhost", or has upper case;
 * otherwise the registry is docker.io, and single-component Docker Hub names
 * get the "library/" namespace. index.docker.io is canonicalised to docker.io.
 *
 * This is the one reference parser of customs: image targets, Kubernetes and
 * Dockerfile checks, SBOM image identities and policy base-image rules all
 * read references through it.
 */
import { CustomsError, type Digest } from '../core/index.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
/** RepositoryNameTotalLengthMax in distribution/reference: the longest repository path. */
export const REPOSITORY_NAME_MAX = 255;

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const REFERENCE_RE = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const ANCHORED_IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const TAG_RE = new RegExp(`^${tagPat}$`);

/** Digest algorithms and their hex lengths (opencontainers/go-digest). */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
/** What customs can verify (core/digest.ts). */
const SUPPORTED_ALGORITHMS = new Set(['sha256', 'sha512']);

/** A parsed, normalised image reference. */
export interface ImageReference {
  /** Registry host[:port], canonical ("docker.io" for Docker Hub). */
  readonly domain: string;
  /** Repository path inside the registry, e.g. "library/nginx". */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

function invalid(input: string, why: string): CustomsError {
  return new CustomsError('IMAGE_REFERENCE_INVALID', `image reference "${input}": ${why}`);
}

function checkDigest(input: string, d: string): Digest {
  const i = d.indexOf(':');
  const algorithm = d.slice(0, i);
  const hex = d.slice(i + 1);
  const want = DIGEST_HEX_LENGTH[algorithm];
  if (want === undefined || !SUPPORTED_ALGORITHMS.has(algorithm)) {
    throw invalid(input, `unsupported digest algorithm "${algorithm}" (use sha256 or sha512)`);
  }
  if (hex.length !== want)
    throw invalid(input, `invalid checksum digest length: ${algorithm} needs ${want} hex digits, got ${hex.length}`);
  if (!/^[a-f0-9]+$/.test(hex)) throw invalid(input, 'invalid checksum digest format: hex digits must be lower case');
  return d as Digest;
}

/**
 * Parse a reference without normalisation (distribution/reference Parse):
 * returns the name as written, and its domain only if the name has one.
 */
export function parseReference(input: string): {
  name: string;
  domain: string;
  path: string;
  tag?: string;
  digest?: Digest;
} {
  const m = REFERENCE_RE.exec(input);
  if (!m) {
    if (input === '') throw invalid(input, 'repository name must have at least one component');
    if (REFERENCE_RE.test(input.toLowerCase())) throw invalid(input, 'repository name must be lowercase');
    throw invalid(input, 'invalid reference format (expected NAME[:TAG][@DIGEST])');
  }
  const name = m[1] ?? '';
  const nm = ANCHORED_NAME_RE.exec(name);
  const domain = nm?.[1] ?? '';
  const path = nm?.[2] ?? name;
  // reference.go Parse measures the path only: a long registry host does not count.
  if (path.length > REPOSITORY_NAME_MAX) {
    throw invalid(input, `repository name must not be longer than ${REPOSITORY_NAME_MAX} characters`);
  }
  const out: { name: string; domain: string; path: string; tag?: string; digest?: Digest } = { name, domain, path };
  if (m[2] !== undefined) out.tag = m[2];
  if (m[3] !== undefined) out.digest = checkDigest(input, m[3]);
  return out;
}

/** A registry host as normalisation spells it: the legacy index.docker.io is docker.io. */
export function canonicalDomain(domain: string): string {
  return domain === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : domain;
}

/**
 * splitDockerDomain from normalize.go: the registry a name denotes and the rest
 * ("nginx" → docker.io + library/nginx, "Foo/bar" → Foo + bar). It validates
 * nothing; callers that match names as globs use it for the same normalisation.
 */
export function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (maybeDomain === 'localhost') {
    domain = maybeDomain;
    remainder = maybeRemote;
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    domain = DEFAULT_DOMAIN;
    remainder = maybeRemote;
  } else if (/[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain) {
    domain = maybeDomain;
    remainder = maybeRemote;
  } else {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parse what a user types (`nginx:1.25`, `ghcr.io/org/app@sha256:…`) into a
 * fully qualified reference, like ParseNormalizedNamed. No tag and no digest
 * means nothing here; callers add "latest" with `withDefaultTag`.
 */
export function parseNormalizedReference(input: string): ImageReference {
  if (ANCHORED_IDENTIFIER_RE.test(input)) {
    throw invalid(
      input,
      'cannot specify 64-byte hexadecimal strings as a repository name (is it an image ID? use docker-daemon:ID)',
    );
  }
  if (input === '') throw invalid(input, 'repository name must have at least one component');
  const { domain, remainder } = splitDockerDomain(input);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) throw invalid(input, `repository name (${remote}) must be lowercase`);
  const parsed = parseReference(`${domain}/${remainder}`);
  const out: { domain: string; path: string; tag?: string; digest?: Digest } = {
    domain: parsed.domain,
    path: parsed.path,
  };
  if (parsed.tag !== undefined) out.tag = parsed.tag;
  if (parsed.digest !== undefined) out.digest = parsed.digest;
  return out;
}

/** TagNameOnly: a reference with neither tag nor digest gets "latest". */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** `domain/path` */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The canonical string: `domain/path[:tag][@digest]`. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** Familiar form as Docker prints it: `nginx:1.25`, `org/app`, `ghcr.io/x/y`. */
export function familiarName(ref: ImageReference): string {
  let name = repositoryName(ref);
  if (ref.domain === DEFAULT_DOMAIN) {
    name = ref.path;
    if (name.startsWith(OFFICIAL_REPO_PREFIX) && !name.slice(OFFICIAL_REPO_PREFIX.length).includes('/')) {
      name = name.slice(OFFICIAL_REPO_PREFIX.length);
    }
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
