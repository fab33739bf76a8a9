/**
 * The decision of one AdmissionReview: which rules select the namespace,
 * what each finds on the object and its images, and what the modes make of
 * it (enforce → denied, warn → AdmissionResponse warnings, audit → audit
 * annotations). Image outcomes (digest, trust, verdict) are cached by rule
 * set version, rule and digest; object checks (PSS, workload checks,
 * registries) run on every request: they are pure and cost microseconds.
 */
import { checkKubernetesValues, KUBERNETES_CHECKS, type KubernetesCheck } from '../checks/index.js';
import type { Digest } from '../core/index.js';
import { formatReference, parseNormalizedReference, withDefaultTag } from '../image/index.js';
import type { AdmissionConfig, Exemption, Mode, RuleSpec } from './config.js';
import { DecisionCache } from './decision-cache.js';
import { containerImages, isAdmittedKind } from './images.js';
import type { DigestResolver, InlineScanner, ScanQueue, TrustVerifier, VerdictSource } from './ports.js';
import { type AdmissionRequest, type AdmissionResponse, parseAdmissionReview } from './review.js';
import { namespaceLabels, selectorMatches } from './selector.js';

/** What one rule found on one request. */
export interface RuleResult {
  readonly rule: string;
  readonly mode: Mode;
  /** What breaks the rule. */
  readonly violations: readonly string[];
  /** What the rule could not decide (a registry, the store, the verifier failed): failurePolicy decides. */
  readonly errors: readonly string[];
  /** Notes that never deny: a queued scan, an exemption that applied or expired. */
  readonly notes: readonly string[];
}

/** The structured event of every decision (logged, and sent to the store or server when configured). */
export interface DecisionEvent {
  readonly type: 'admission.decision';
  readonly time: string;
  readonly uid: string;
  readonly endpoint: 'validate' | 'mutate';
  readonly operation: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly user?: string;
  readonly dryRun: boolean;
  readonly allowed: boolean;
  readonly images: readonly { readonly image: string; readonly digest?: string }[];
  readonly results: readonly RuleResult[];
  readonly ruleSetVersion: string;
  readonly durationMs: number;
}

export interface AdmissionControllerOptions {
  readonly config: AdmissionConfig;
  readonly resolver?: DigestResolver;
  readonly trust?: TrustVerifier;
  readonly verdicts?: VerdictSource;
  readonly queue?: ScanQueue;
  readonly inlineScanner?: InlineScanner;
  readonly now?: () => number;
  readonly onDecision?: (event: DecisionEvent) => void;
  /** Cached image outcomes kept (default 50,000). */
  readonly cacheSize?: number;
  /** How long a cached image outcome is trusted without an invalidation (default 10 minutes). */
  readonly cacheTtlMs?: number;
}

/** The digest-dependent part of a rule's judgement of one image. */
interface ImageOutcome {
  readonly violations: readonly string[];
  readonly errors: readonly string[];
  readonly notes: readonly string[];
  /** Errors and cold-path answers are not kept: the next request asks again. */
  readonly cacheable: boolean;
}

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const PSS_LEVEL = new Map(KUBERNETES_CHECKS.map((c) => [c.id, c.standards.pss]));
const REGISTRY_CHECK = 'CUS-K8S-034';

/** The check ids a rule runs on the object (PSS profile and listed checks; not the registry check). */
function objectCheckIds(rule: RuleSpec): Set<string> {
  const ids = new Set(rule.checks ?? []);
  if (rule.pss)
    for (const [id, level] of PSS_LEVEL)
      if (level === 'baseline' || (rule.pss === 'restricted' && level === 'restricted')) ids.add(id);
  ids.delete(REGISTRY_CHECK);
  return ids;
}

/** Simple image patterns: `*` matches any run of characters; anything else is literal. */
function patternMatches(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(text);
}

function truncate(s: string, max = 512): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export class AdmissionController {
  private config: AdmissionConfig;
  private readonly opts: AdmissionControllerOptions;
  private readonly now: () => number;
  readonly cache: DecisionCache<ImageOutcome>;
  /** Tag → digest, for tagTtlMs (tags move; a digest never does). */
  private readonly tags: DecisionCache<Digest>;
  private ruleChecks: Map<string, Set<string>>;

  constructor(opts: AdmissionControllerOptions) {
    this.opts = opts;
    this.config = opts.config;
    this.now = opts.now ?? Date.now;
    this.cache = new DecisionCache(opts.cacheSize ?? 50_000, opts.cacheTtlMs ?? 600_000, this.now);
    this.tags = new DecisionCache(opts.cacheSize ?? 50_000, this.config.tagTtlMs, this.now);
    this.ruleChecks = new Map(this.config.rules.map((r) => [r.name, objectCheckIds(r)]));
  }

  get ruleSetVersion(): string {
    return this.config.version;
  }

  /** A new rule set: cached outcomes are keyed by version, so the old ones simply stop matching. */
  reload(config: AdmissionConfig): void {
    this.config = config;
    this.ruleChecks = new Map(config.rules.map((r) => [r.name, objectCheckIds(r)]));
    this.cache.invalidateAll();
  }

  /** An image's verdict changed: its cached outcomes go. */
  invalidateDigest(digest: string): number {
    return this.cache.invalidateDigest(digest);
  }

  /** The trust policy changed: every cached outcome may depend on it. */
  invalidateTrust(): void {
    this.cache.invalidateAll();
  }

  /** /validate: every rule; parse errors throw ADMISSION_REVIEW_INVALID. */
  async validate(body: unknown, signal: AbortSignal): Promise<AdmissionResponse> {
    const started = performance.now();
    const request = parseAdmissionReview(body);
    const object = request.object;
    if (!this.judged(request) || !object) return { uid: request.uid, allowed: true };
    const namespace = request.namespace ?? '';
    const labels = namespaceLabels(this.config.namespaceLabels, namespace);
    const rules = this.config.rules.filter((r) => selectorMatches(r.namespaceSelector, labels));
    const images = containerImages(object);
    const digests = new Map<string, string>();
    const results = await Promise.all(
      rules.map((r) => this.evaluateRule(r, request, object, images, namespace, digests, signal)),
    );
    const response = this.respond(request.uid, results);
    this.emit(request, 'validate', response.allowed, images, digests, results, started);
    return response;
  }

  /**
   * /mutate: pins the images of rules with pinDigests to `name:tag@digest`
   * (a JSONPatch); it never denies: /validate, which the API server calls
   * after every mutation, judges the pinned object.
   */
  async mutate(body: unknown, signal: AbortSignal): Promise<AdmissionResponse> {
    const started = performance.now();
    const request = parseAdmissionReview(body);
    const object = request.object;
    if (!this.judged(request) || !object) return { uid: request.uid, allowed: true };
    const namespace = request.namespace ?? '';
    const labels = namespaceLabels(this.config.namespaceLabels, namespace);
    const pinRules = this.config.rules.filter((r) => r.pinDigests && selectorMatches(r.namespaceSelector, labels));
    const pinning = pinRules.length > 0;
    // A pinning rule that also requires trust pins only a digest the trust policy verifies.
    const trusted = pinRules.filter((r) => r.trust === true);
    const images = containerImages(object);
    const digests = new Map<string, string>();
    const patch: { op: 'replace'; path: string; value: string }[] = [];
    const notes: string[] = [];
    if (pinning) {
      await Promise.all(
        images.map(async (c) => {
          try {
            const ref = parseNormalizedReference(c.image);
            if (ref.digest !== undefined) return;
            const digest = await this.digestOf(c.image, signal);
            digests.set(c.image, digest);
            for (const r of trusted) {
              // Its own cache key: the rule's full outcome (trust and verdict) is cached under the rule's name.
              const trustOnly: RuleSpec = { name: `${r.name}#trust`, mode: r.mode, trust: true };
              const outcome = await this.judgeImage(trustOnly, c.image, digests, signal, true);
              const why = [...outcome.violations, ...outcome.errors];
              if (why.length > 0) {
                notes.push(`${c.image}: not pinned (${why.join('; ')})`);
                return;
              }
            }
            // Keep the tag for people reading the object; the runtime pulls by digest.
            patch.push({ op: 'replace', path: c.pointer, value: `${formatReference(withDefaultTag(ref))}@${digest}` });
          } catch (e) {
            notes.push(`${c.image}: not pinned (${errorMessage(e)})`);
          }
        }),
      );
    }
    patch.sort((a, b) => (a.path < b.path ? -1 : 1));
    const results: RuleResult[] = [{ rule: 'pin-digests', mode: 'audit', violations: [], errors: [], notes }];
    this.emit(request, 'mutate', true, images, digests, results, started);
    return {
      uid: request.uid,
      allowed: true,
      ...(notes.length > 0 ? { warnings: notes.map((n) => truncate(`customs: ${n}`)) } : {}),
      ...(patch.length > 0
        ? { patchType: 'JSONPatch' as const, patch: Buffer.from(JSON.stringify(patch)).toString('base64') }
        : {}),
    };
  }

  /** Objects the webhook judges: creates and updates of pods and workloads (and a pod's ephemeral containers). */
  private judged(request: AdmissionRequest): boolean {
    if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return false;
    if (
      request.subResource !== undefined &&
      request.subResource !== '' &&
      request.subResource !== 'ephemeralcontainers'
    )
      return false;
    return isAdmittedKind(request.kind.kind);
  }

  private exemptionsFor(rule: string, namespace: string): { active: Exemption[]; expired: Exemption[] } {
    const now = this.now();
    const active: Exemption[] = [];
    const expired: Exemption[] = [];
    for (const e of this.config.exemptions) {
      if (e.rules && !e.rules.includes(rule)) continue;
      if (e.namespaces && !e.namespaces.includes(namespace)) continue;
      (e.expiresAt > now ? active : expired).push(e);
    }
    return { active, expired };
  }

  private async evaluateRule(
    rule: AdmissionConfig['rules'][number],
    request: AdmissionRequest,
    object: Record<string, unknown>,
    images: ReturnType<typeof containerImages>,
    namespace: string,
    digests: Map<string, string>,
    signal: AbortSignal,
  ): Promise<RuleResult> {
    const dryRun = request.dryRun === true;
    const { active, expired } = this.exemptionsFor(rule.name, namespace);
    const notes = expired.map((e) => `an exemption owned by ${e.owner} expired on ${e.expires}; it no longer applies`);
    const whole = active.find((e) => e.images === undefined);
    if (whole)
      return {
        rule: rule.name,
        mode: rule.mode,
        violations: [],
        errors: [],
        notes: [
          ...notes,
          `exempt until ${whole.expires} (owner ${whole.owner}${whole.reason ? `: ${whole.reason}` : ''})`,
        ],
      };
    const exempted = (image: string): Exemption | undefined =>
      active.find((e) => (e.images ?? []).some((p) => patternMatches(p, image)));
    const violations: string[] = [];
    const errors: string[] = [];
    const path = `${request.kind.kind}/${namespace}/${request.name ?? String((object.metadata as { name?: unknown } | undefined)?.name ?? '')}`;
    const ids = this.ruleChecks.get(rule.name) ?? new Set<string>();
    if (ids.size > 0) {
      const keep = (c: KubernetesCheck): boolean => ids.has(c.id);
      for (const m of checkKubernetesValues([object], path, keep)) violations.push(`${m.checkId} ${m.message}`);
    }
    if (rule.registries && rule.registries.length > 0) {
      const keep = (c: KubernetesCheck): boolean => c.id === REGISTRY_CHECK;
      for (const m of checkKubernetesValues([object], path, keep, { allowedRegistries: rule.registries })) {
        const image = m.evidence?.replace(/^image: /, '') ?? '';
        const e = exempted(image);
        if (e) notes.push(`${image}: exempt until ${e.expires} (owner ${e.owner})`);
        else violations.push(`${m.checkId} ${m.message}`);
      }
    }
    const needsDigest = rule.requireDigest === true || rule.trust === true || rule.verdict !== undefined;
    if (needsDigest) {
      const seen = new Set<string>();
      for (const c of images) {
        if (seen.has(c.image)) continue;
        seen.add(c.image);
        const e = exempted(c.image);
        if (e) {
          notes.push(`${c.image}: exempt until ${e.expires} (owner ${e.owner})`);
          continue;
        }
        const outcome = await this.judgeImage(rule, c.image, digests, signal, dryRun);
        violations.push(...outcome.violations);
        errors.push(...outcome.errors);
        notes.push(...outcome.notes);
      }
    }
    return { rule: rule.name, mode: rule.mode, violations, errors, notes };
  }

  private async digestOf(image: string, signal: AbortSignal): Promise<Digest> {
    const ref = parseNormalizedReference(image);
    if (ref.digest !== undefined) return ref.digest;
    const key = formatReference(withDefaultTag(ref));
    const cached = this.tags.get(key);
    if (cached) return cached;
    if (!this.opts.resolver) throw new Error('no registry access is configured to resolve tags');
    const digest = await this.opts.resolver.resolve(key, signal);
    this.tags.set(key, digest, digest);
    return digest;
  }

  private async judgeImage(
    rule: RuleSpec,
    image: string,
    digests: Map<string, string>,
    signal: AbortSignal,
    dryRun: boolean,
  ): Promise<ImageOutcome> {
    let digest: Digest;
    try {
      parseNormalizedReference(image);
    } catch (e) {
      return {
        violations: [`image "${image}" is not a valid reference: ${errorMessage(e)}`],
        errors: [],
        notes: [],
        cacheable: false,
      };
    }
    try {
      digest = await this.digestOf(image, signal);
    } catch (e) {
      return {
        violations: [],
        errors: [`cannot resolve ${image} to a digest: ${errorMessage(e)}`],
        notes: [],
        cacheable: false,
      };
    }
    digests.set(image, digest);
    const key = `${this.config.version}|${rule.name}|${digest}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const outcome = await this.judgeDigest(rule, image, digest, signal, dryRun);
    if (outcome.cacheable) this.cache.set(key, digest, outcome);
    return outcome;
  }

  private async judgeDigest(
    rule: RuleSpec,
    image: string,
    digest: Digest,
    signal: AbortSignal,
    dryRun: boolean,
  ): Promise<ImageOutcome> {
    const violations: string[] = [];
    const errors: string[] = [];
    const notes: string[] = [];
    let cacheable = true;
    if (rule.trust) {
      if (!this.opts.trust) errors.push(`${image}: no trust verifier is configured`);
      else
        try {
          const t = await this.opts.trust.verify(image, digest, signal);
          if (t.status !== 'verified')
            violations.push(
              `${image}@${digest}: signature ${t.status}${t.reasons.length ? ` (${t.reasons.join('; ')})` : ''}`,
            );
        } catch (e) {
          errors.push(`${image}: trust verification failed: ${errorMessage(e)}`);
        }
    }
    if (rule.verdict) {
      const v = await this.verdictOf(rule, image, digest, signal, dryRun);
      violations.push(...v.violations);
      errors.push(...v.errors);
      notes.push(...v.notes);
      cacheable &&= v.cacheable;
    }
    return { violations, errors, notes, cacheable: cacheable && errors.length === 0 };
  }

  private async verdictOf(
    rule: RuleSpec,
    image: string,
    digest: Digest,
    signal: AbortSignal,
    dryRun: boolean,
  ): Promise<ImageOutcome> {
    const allowWarn = rule.verdict?.allowWarn ?? true;
    const judge = (status: string): string[] =>
      status === 'pass' || (status === 'warn' && allowWarn) ? [] : [`${image}@${digest}: verdict is ${status}`];
    if (!this.opts.verdicts)
      return {
        violations: [],
        errors: [`${image}: no store or server is configured for verdicts`],
        notes: [],
        cacheable: false,
      };
    let status: string | undefined;
    try {
      status = await this.opts.verdicts.latest(digest, signal);
    } catch (e) {
      return {
        violations: [],
        errors: [`${image}: verdict lookup failed: ${errorMessage(e)}`],
        notes: [],
        cacheable: false,
      };
    }
    if (status !== undefined) return { violations: judge(status), errors: [], notes: [], cacheable: true };
    const cold = rule.verdict?.coldPath ?? 'deny';
    const queue = async (): Promise<string | undefined> => {
      // sideEffects: NoneOnDryRun — a dry run queues nothing.
      if (dryRun) return 'dry-run request, no scan queued';
      if (!this.opts.queue) return 'no scan queue is configured';
      try {
        await this.opts.queue.enqueue(image, digest);
        return undefined;
      } catch (e) {
        return errorMessage(e);
      }
    };
    if (cold === 'allow-and-queue') {
      const failed = await queue();
      return {
        violations: [],
        errors: [],
        notes: [
          failed
            ? `${image}: not scanned yet; queueing a scan failed: ${failed}`
            : `${image}: not scanned yet; a scan is queued`,
        ],
        cacheable: false,
      };
    }
    if (cold === 'scan-inline' && this.opts.inlineScanner) {
      const deadline = rule.verdict?.inlineDeadlineMs ?? Math.max(100, this.config.timeoutSeconds * 1000 - 2000);
      const inline = AbortSignal.any([signal, AbortSignal.timeout(deadline)]);
      try {
        const s = await this.opts.inlineScanner.scan(image, digest, inline);
        return { violations: judge(s), errors: [], notes: [`${image}: scanned inline`], cacheable: true };
      } catch (e) {
        const failed = await queue();
        const why = inline.aborted
          ? `the scan did not finish within ${deadline} ms`
          : `the scan failed: ${errorMessage(e)}`;
        return {
          violations: [`${image}@${digest}: not scanned (${why}${failed ? '' : '; a scan is queued'})`],
          errors: [],
          notes: [],
          cacheable: false,
        };
      }
    }
    return {
      violations: [`${image}@${digest}: not scanned, no verdict (cold path: deny)`],
      errors: [],
      notes: [],
      cacheable: false,
    };
  }

  private respond(uid: string, results: readonly RuleResult[]): AdmissionResponse {
    const failClosed = this.config.failurePolicy === 'Fail';
    const denials: string[] = [];
    const warnings: string[] = [];
    const audit: Record<string, string> = {};
    for (const r of results) {
      const problems = [...r.violations];
      if (r.errors.length > 0) {
        // failurePolicy as the API server applies it when the webhook itself fails (docs/admission.md).
        if (failClosed) problems.push(...r.errors);
        else warnings.push(...r.errors.map((e) => `customs ${r.rule}: could not decide (failurePolicy Ignore): ${e}`));
      }
      for (const n of r.notes) warnings.push(`customs ${r.rule}: ${n}`);
      if (problems.length === 0) continue;
      if (r.mode === 'enforce') denials.push(...problems.map((p) => `[${r.rule}] ${p}`));
      else if (r.mode === 'warn') warnings.push(...problems.map((p) => `customs ${r.rule}: ${p}`));
      else audit[r.rule] = truncate(problems.join('; '), 2048);
    }
    const common = {
      ...(warnings.length > 0 ? { warnings: warnings.map((w) => truncate(w)) } : {}),
      ...(Object.keys(audit).length > 0 ? { auditAnnotations: audit } : {}),
    };
    if (denials.length === 0) return { uid, allowed: true, ...common };
    return {
      uid,
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: truncate(`customs denied: ${denials.join('; ')}`, 4096) },
      ...common,
    };
  }

  private emit(
    request: AdmissionRequest,
    endpoint: 'validate' | 'mutate',
    allowed: boolean,
    images: ReturnType<typeof containerImages>,
    digests: ReadonlyMap<string, string>,
    results: readonly RuleResult[],
    started: number,
  ): void {
    if (!this.opts.onDecision) return;
    const meta = request.object?.metadata as { name?: unknown; generateName?: unknown } | undefined;
    this.opts.onDecision({
      type: 'admission.decision',
      time: new Date(this.now()).toISOString(),
      uid: request.uid,
      endpoint,
      operation: request.operation,
      kind: request.kind.kind,
      namespace: request.namespace ?? '',
      name: request.name ?? (typeof meta?.name === 'string' ? meta.name : `${String(meta?.generateName ?? '')}*`),
      ...(request.userInfo?.username !== undefined ? { user: request.userInfo.username } : {}),
      dryRun: request.dryRun === true,
      allowed,
      images: images.map((c) => {
        const d = digests.get(c.image);
        return d ? { image: c.image, digest: d } : { image: c.image };
      }),
      results,
      ruleSetVersion: this.config.version,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    });
  }
}
