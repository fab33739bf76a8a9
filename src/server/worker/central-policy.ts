/**
 * The server's central policy: every stored policy (store.policies, merged in
 * name order as `customs gate --policy a --policy b` merges files) with the
 * store's active exceptions (approved, not revoked, not expired), judged by
 * the same code the CLI gate uses (policy/judge.ts). With no stored policy,
 * the gate's default applies (as `customs gate` without --policy): any finding
 * fails; exceptions belong to a policy and apply once one is stored.
 */
import { type GateRules, loadPolicies, type PolicyException } from '../../policy/index.js';
import type { ExceptionRecord, Store } from '../../store/index.js';

/** A store exception as a policy exception: its finding as the advisory, its scope as image names. */
export function policyExceptionsOf(rec: ExceptionRecord): PolicyException[] {
  const expires = new Date(rec.expiresAt);
  // A finding ref ("CVE-…@<package id>") waives that advisory: the ID is the part before "@".
  const advisory = rec.finding.includes('@') ? (rec.finding.split('@')[0] ?? rec.finding) : rec.finding;
  const base = {
    advisory,
    reason: rec.reason,
    owner: rec.owner,
    expires: expires.toISOString(),
  };
  const source = `store exception ${rec.id}${rec.policy !== undefined ? ` (policy ${rec.policy})` : ''}`;
  const one = (id: string, image?: string): PolicyException => ({
    id,
    spec: image !== undefined ? { ...base, image } : base,
    expiresAt: expires,
    source,
  });
  if (rec.scope === '*' || rec.scope === '') return [one(`store-${rec.id}`)];
  // A digest or a name with its tag is matched as written; a repository glob covers its tags and digests.
  if (rec.scope.startsWith('sha256:') || /[:@][^/]*$/.test(rec.scope)) return [one(`store-${rec.id}`, rec.scope)];
  return [one(`store-${rec.id}`, `${rec.scope}:*`), one(`store-${rec.id}-digest`, `${rec.scope}@*`)];
}

/** The gate rules of the central policy at `now`. POLICY_INVALID when a stored policy does not load. */
export async function centralRules(store: Store, now: Date): Promise<{ rules: GateRules; policy?: string }> {
  const stored = await store.policies.list();
  if (stored.length === 0) return { rules: {} };
  const active = await store.policies.activeExceptions({ at: now.getTime() });
  const exceptions = active.flatMap(policyExceptionsOf);
  const loaded = loadPolicies(
    stored.map((p) => ({ path: `policy:${p.name}`, text: p.body })),
    now,
  );
  const policy = { ...loaded, exceptions: [...loaded.exceptions, ...exceptions] };
  return {
    rules: {
      policy,
      ...(policy.packageDatabaseUnknowns ? { packageDatabaseUnknowns: policy.packageDatabaseUnknowns } : {}),
    },
    policy: stored.map((p) => p.name).join(','),
  };
}
