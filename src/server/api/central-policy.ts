/**
 * The server's central policy (docs/server.md "Verdicts"): the stored policies
 * merged in name order (as repeated --policy flags merge), or one of them by
 * name, with the stored exceptions in force (approved, not revoked, not
 * expired) added as policy exceptions. Judging is the policy package's
 * `judge`, the same function `customs gate` calls: there is one judge.
 */
import { CustomsError } from '../../core/index.js';
import {
  expiryInstant,
  type GateRules,
  judge,
  loadPolicies,
  type Policy,
  type PolicyException,
} from '../../policy/index.js';
import type { ScanResult } from '../../result/index.js';
import type { ExceptionRecord, PolicyRecord, Store } from '../../store/index.js';
import { parsedVex } from './vex.js';

/** Where stored exceptions say they come from in a verdict. */
export const STORED_EXCEPTION_SOURCE = 'customs serve exceptions';

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * A stored exception as the policy engine's exception(s). `finding` is the finding ID
 * (CVE, GHSA, rule ID; a ref "ID@package" waives its ID). `scope` "*" is every image,
 * a digest is that image (its manifest or config digest, or NAME@DIGEST), anything else
 * a repository glob matched against the image's tagged and digested names.
 * `judgedDigest` is the digest the store keeps the judged image under: an exception
 * scoped to it applies whatever names the scan document carries (a scan of an
 * archive or an SBOM names no manifest digest, yet is stored under one).
 */
export function asPolicyExceptions(e: ExceptionRecord, judgedDigest?: string): PolicyException[] {
  const advisory = e.finding.includes('@') ? e.finding.slice(0, e.finding.indexOf('@')) : e.finding;
  const expires = new Date(e.expiresAt).toISOString();
  const base = { reason: e.reason, owner: e.owner, expires, advisory };
  const one = (image: string | undefined, n: number): PolicyException => ({
    id: `exception-${e.id.toString()}${n > 0 ? `-${n.toString()}` : ''}`,
    spec: image === undefined ? base : { ...base, image },
    expiresAt: new Date(e.expiresAt),
    source: STORED_EXCEPTION_SOURCE,
  });
  if (e.scope === '*' || (judgedDigest !== undefined && e.scope === judgedDigest)) return [one(undefined, 0)];
  if (DIGEST.test(e.scope)) return [one(`*${e.scope}`, 0)];
  return [one(`${e.scope}:*`, 0), one(`${e.scope}@*`, 1)];
}

export interface CentralJudgement {
  readonly outcome: ReturnType<typeof judge>;
  readonly policies: readonly PolicyRecord[];
  readonly exceptions: readonly ExceptionRecord[];
}

/** Judge a scan result, stored under `imageDigest`, by the stored policies and exceptions at `now`. */
export async function judgeCentrally(
  store: Store,
  result: ScanResult,
  imageDigest: string,
  now: number,
  policyName?: string,
): Promise<CentralJudgement> {
  let policies: PolicyRecord[];
  if (policyName !== undefined) {
    const p = await store.policies.get(policyName);
    if (!p)
      throw new CustomsError(
        'API_NOT_FOUND',
        `policy "${policyName}" is not stored; PUT /api/v1/policies/${policyName} first`,
      );
    policies = [p];
  } else {
    policies = (await store.policies.list()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  const exceptions =
    policies.length === 0
      ? []
      : await store.policies.activeExceptions({ at: now, ...(policyName !== undefined ? { policy: policyName } : {}) });
  const at = new Date(now);
  let policy: Policy | undefined;
  if (policies.length > 0) {
    const loaded = loadPolicies(
      policies.map((p) => ({ path: `policy ${p.name} (revision ${p.revision.toString()})`, text: p.body })),
      at,
    );
    policy = {
      ...loaded,
      exceptions: [...loaded.exceptions, ...exceptions.flatMap((e) => asPolicyExceptions(e, imageDigest))],
    };
  }
  // Stored VEX documents apply to every verdict, with or without a policy, as `customs gate --vex` does.
  const vex = (await store.vex.list()).map(parsedVex);
  const rules: GateRules = {
    ...(policy ? { policy } : {}),
    ...(vex.length > 0 ? { vex } : {}),
    ...(policy?.packageDatabaseUnknowns ? { packageDatabaseUnknowns: policy.packageDatabaseUnknowns } : {}),
  };
  return { outcome: judge(result, rules, at), policies, exceptions };
}

/** The instant an exception's `expires` (YYYY-MM-DD or RFC 3339) ends; API_REQUEST_INVALID otherwise. */
export function exceptionExpiry(expires: string): number {
  const t = expiryInstant(expires);
  if (t === undefined) throw new CustomsError('API_REQUEST_INVALID', `expires "${expires}" is not a calendar date`);
  return t.getTime();
}
