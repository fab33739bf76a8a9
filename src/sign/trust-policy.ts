/**
 * The trust policy (docs/trust-policy.md): which signers an image must carry,
 * by image pattern. One file, read by `customs verify --policy`, `customs
 * promote` and the admission webhook.
 *
 *   version: 1
 *   trustedRoot: trusted_root.json          # for keyless identities
 *   rules:
 *     - name: production
 *       images: ["registry.example.com/prod/**"]
 *       signatures:
 *         minimum: 1
 *         keys: [keys/release.pub]
 *         identities:
 *           - issuer: https://token.actions.githubusercontent.com
 *             subject: https://github.com/org/app/.github/workflows/release.yml@refs/heads/main
 *       attestations:
 *         - type: cyclonedx
 *
 * The first rule whose pattern matches decides. Paths are relative to the
 * policy file. Patterns are globs over the normalised repository name
 * (`docker.io/library/nginx`): `*` stays inside one path component, `**`
 * crosses them.
 */
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CustomsError, yamlNestingProblem } from '../core/index.js';
import { type ImageReference, repositoryName, splitDockerDomain } from '../image/index.js';
import { loadPublicKey } from './keys.js';

/** Shorthands for predicate types (cosign attest --type names where they exist). */
export const PREDICATE_TYPES: Readonly<Record<string, string>> = {
  cyclonedx: 'https://cyclonedx.org/bom',
  spdxjson: 'https://spdx.dev/Document',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  'customs-verdict': 'https://customs.dev/attestation/verdict/v1',
};

/** A --type shorthand or a predicate type URI, as a URI. */
export function predicateTypeOf(type: string): string {
  const known = PREDICATE_TYPES[type];
  if (known) return known;
  if (/^https?:\/\/\S+$/.test(type)) return type;
  throw new CustomsError(
    'USAGE_BAD_FLAG',
    `attestation type "${type}" is neither one of ${Object.keys(PREDICATE_TYPES).join(', ')} nor a predicate type URI`,
  );
}

export interface TrustedKey {
  /** Where it came from: the file path, or "inline key N of rule R". */
  readonly name: string;
  readonly key: KeyObject;
}

export interface TrustedIdentity {
  readonly issuer: string;
  /** Exact certificate subject (SAN: an email, a URI). */
  readonly subject?: string;
  /** Or an ECMAScript regular expression the whole SAN must match. */
  readonly subjectRegExp?: RegExp;
}

export interface SignerRequirement {
  readonly keys: readonly TrustedKey[];
  readonly identities: readonly TrustedIdentity[];
  /** The trusted root JSON text keyless identities are checked against. */
  readonly trustedRoot?: { readonly path: string; readonly json: unknown };
}

export interface TrustRule {
  readonly name: string;
  readonly images: readonly string[];
  readonly signers: SignerRequirement;
  /** Distinct trusted signers whose signatures must verify (default 1; 0 = signatures not required). */
  readonly minimum: number;
  readonly attestations: readonly { readonly type: string; readonly predicateType: string; readonly minimum: number }[];
}

export interface TrustPolicy {
  readonly source: string;
  readonly rules: readonly TrustRule[];
}

function bad(where: string, why: string): CustomsError {
  return new CustomsError('TRUST_POLICY_INVALID', `${where}: ${why}`);
}

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(where, 'must be a mapping');
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw bad(where, `unknown field "${k}" (expected ${allowed.join(', ')})`);
  }
}

function stringList(v: unknown, where: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== ''))
    throw bad(where, 'must be a list of strings');
  return v as string[];
}

function count(v: unknown, dflt: number, where: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100)
    throw bad(where, 'must be a whole number from 0 to 100');
  return v;
}

/** Normalise a pattern's name part the way image references are (`nginx` → docker.io/library/nginx). */
export function normalisePattern(pattern: string): string {
  if (pattern === '**' || pattern === '*') return '**';
  const { domain, remainder } = splitDockerDomain(pattern);
  return `${domain}/${remainder}`;
}

function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

export function imageMatches(pattern: string, ref: ImageReference): boolean {
  return globRegExp(normalisePattern(pattern)).test(repositoryName(ref));
}

/** The rule deciding for `ref`: the first whose pattern matches. */
export function ruleFor(policy: TrustPolicy, ref: ImageReference): TrustRule | undefined {
  return policy.rules.find((r) => r.images.some((p) => imageMatches(p, ref)));
}

type ReadFile = (path: string) => string;

function parseIdentity(v: unknown, where: string): TrustedIdentity {
  const o = asObject(v, where);
  onlyKeys(o, ['issuer', 'subject', 'subjectRegExp'], where);
  if (typeof o.issuer !== 'string' || o.issuer === '') throw bad(where, '"issuer" (the OIDC issuer URL) is required');
  const hasSubject = typeof o.subject === 'string' && o.subject !== '';
  const hasRe = typeof o.subjectRegExp === 'string' && o.subjectRegExp !== '';
  if (hasSubject === hasRe) throw bad(where, 'give exactly one of "subject" and "subjectRegExp"');
  if (hasSubject) return { issuer: o.issuer, subject: o.subject as string };
  let re: RegExp;
  try {
    re = new RegExp(o.subjectRegExp as string, 'u');
  } catch (e) {
    throw bad(where, `subjectRegExp is not a regular expression: ${(e as Error).message}`);
  }
  return { issuer: o.issuer, subjectRegExp: re };
}

/** Parse a trust policy document; `read` loads the files it names (relative to `baseDir`). */
export function parseTrustPolicy(text: string, source: string, baseDir: string, read: ReadFile): TrustPolicy {
  const deep = yamlNestingProblem(text);
  if (deep) throw bad(source, deep);
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (e) {
    throw bad(source, `not valid YAML: ${(e as Error).message}`);
  }
  const top = asObject(doc, source);
  onlyKeys(top, ['version', 'trustedRoot', 'rules'], source);
  if (top.version !== 1) throw bad(source, '"version: 1" is required');
  const pathOf = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const readAt = (p: string, where: string): string => {
    try {
      return read(pathOf(p));
    } catch (e) {
      throw bad(where, `cannot read ${p}: ${(e as Error).message}`);
    }
  };
  let root: SignerRequirement['trustedRoot'];
  if (top.trustedRoot !== undefined) {
    if (typeof top.trustedRoot !== 'string') throw bad(`${source} trustedRoot`, 'must be a file path');
    const text = readAt(top.trustedRoot, `${source} trustedRoot`);
    try {
      root = { path: pathOf(top.trustedRoot), json: JSON.parse(text) };
    } catch (e) {
      throw bad(`${source} trustedRoot`, `${top.trustedRoot} is not JSON: ${(e as Error).message}`);
    }
  }
  if (!Array.isArray(top.rules) || top.rules.length === 0) throw bad(source, '"rules" must be a non-empty list');
  const names = new Set<string>();
  const rules = top.rules.map((r, i): TrustRule => {
    const where = `${source} rules[${i}]`;
    const o = asObject(r, where);
    onlyKeys(o, ['name', 'images', 'signatures', 'attestations'], where);
    const name = typeof o.name === 'string' && o.name !== '' ? o.name : `rule ${i + 1}`;
    if (names.has(name)) throw bad(where, `the rule name "${name}" is used twice`);
    names.add(name);
    const images = stringList(o.images, `${where}.images`);
    if (images.length === 0) throw bad(where, '"images" must list at least one pattern');
    const sig = o.signatures === undefined ? {} : asObject(o.signatures, `${where}.signatures`);
    onlyKeys(sig, ['minimum', 'keys', 'identities'], `${where}.signatures`);
    const keys = stringList(sig.keys, `${where}.signatures.keys`).map((p, k) => {
      const text = p.includes('-----BEGIN') ? p : readAt(p, `${where}.signatures.keys[${k}]`);
      try {
        return { name: p.includes('-----BEGIN') ? `inline key ${k + 1} of ${name}` : p, key: loadPublicKey(text, p) };
      } catch (e) {
        throw bad(`${where}.signatures.keys[${k}]`, (e as Error).message);
      }
    });
    if (sig.identities !== undefined && !Array.isArray(sig.identities))
      throw bad(`${where}.signatures.identities`, 'must be a list');
    const identities = ((sig.identities as unknown[] | undefined) ?? []).map((v, k) =>
      parseIdentity(v, `${where}.signatures.identities[${k}]`),
    );
    const minimum = count(sig.minimum, 1, `${where}.signatures.minimum`);
    if (identities.length > 0 && !root) throw bad(where, 'keyless identities need a top-level "trustedRoot" file');
    if (o.attestations !== undefined && !Array.isArray(o.attestations))
      throw bad(`${where}.attestations`, 'must be a list');
    const attestations = ((o.attestations as unknown[] | undefined) ?? []).map((a, k) => {
      const aw = `${where}.attestations[${k}]`;
      const ao = asObject(a, aw);
      onlyKeys(ao, ['type', 'minimum'], aw);
      if (typeof ao.type !== 'string')
        throw bad(aw, '"type" is required (cyclonedx, customs-verdict, … or a predicate type URI)');
      let predicateType: string;
      try {
        predicateType = predicateTypeOf(ao.type);
      } catch (e) {
        throw bad(aw, (e as Error).message);
      }
      return { type: ao.type, predicateType, minimum: count(ao.minimum, 1, `${aw}.minimum`) };
    });
    if ((minimum > 0 || attestations.length > 0) && keys.length === 0 && identities.length === 0) {
      throw bad(where, 'requires signatures or attestations but names no "keys" or "identities" to trust');
    }
    return {
      name,
      images,
      signers: { keys, identities, ...(root ? { trustedRoot: root } : {}) },
      minimum,
      attestations,
    };
  });
  return { source, rules };
}

/** Read and parse a trust policy file. */
export async function loadTrustPolicy(file: string): Promise<TrustPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw bad(file, `cannot read the trust policy: ${(e as Error).message}`);
  }
  return parseTrustPolicy(text, file, dirname(resolve(file)), (p) => readFileSync(p, 'utf8'));
}
