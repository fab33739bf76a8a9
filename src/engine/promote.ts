/**
 * Promotion: an image reaches a production repository only through this
 * path (docs/signing.md "Promotion"). SRC is pinned to its digest first, so
 * the gate, the copy and the signature are all about the same bytes; then:
 *
 * 1. (optionally) SRC must be `verified` under the trust policy;
 * 2. SRC is gated with the rules (scan now, judge) — a failed verdict
 *    refuses the promotion, nothing is written;
 * 3. the image is copied registry to registry by digest (a cross-repository
 *    mount on the same registry, the blobs streamed otherwise, no local disk);
 * 4. the destination is signed, and the SBOM (CycloneDX) and the verdict are
 *    attached as signed attestations.
 */
import type { KeyObject } from 'node:crypto';
import { CustomsError, type Digest, toolVersion } from '../core/index.js';
import {
  type CopyResult,
  copyImage,
  getManifest,
  type ImageReference,
  repositoryClient,
  repositoryName,
  withDefaultTag,
} from '../image/index.js';
import type { GateRules, Verdict } from '../policy/index.js';
import type { ScanResult } from '../result/index.js';
import { toCycloneDx } from '../sbom/index.js';
import {
  attestImage,
  type ImageVerification,
  imageReferenceOf,
  PREDICATE_TYPES,
  type SignOutcome,
  signImage,
  type TrustPolicy,
  verifyImageAgainstPolicy,
} from '../sign/index.js';
import { gate, type ScanContext, type ScanPlan } from './scan.js';

export const VERDICT_PREDICATE_TYPE = PREDICATE_TYPES['customs-verdict'] ?? '';
export const CYCLONEDX_PREDICATE_TYPE = PREDICATE_TYPES.cyclonedx ?? '';

export interface PromoteRequest {
  readonly src: string;
  readonly dst: string;
  readonly plan: ScanPlan;
  readonly rules: GateRules;
  /** The key that signs the destination and its attestations. */
  readonly key: KeyObject;
  /** When given, SRC must be verified under it before anything else. */
  readonly trustPolicy?: TrustPolicy;
}

export interface PromoteOutcome {
  readonly status: 'promoted' | 'refused';
  /** Why a promotion was refused (empty when promoted). */
  readonly reasons: readonly string[];
  readonly src: string;
  readonly dst: string;
  readonly digest: Digest;
  readonly verdict?: Verdict;
  readonly result?: ScanResult;
  readonly trust?: ImageVerification;
  readonly copy?: CopyResult;
  readonly signature?: SignOutcome;
  readonly attestations?: readonly SignOutcome[];
}

function pinned(ref: ImageReference, digest: Digest): ImageReference {
  return { domain: ref.domain, path: ref.path, digest };
}

/** The predicate of the verdict attestation: what was judged, by what, and the answer. */
export function verdictPredicate(
  image: string,
  digest: Digest,
  verdict: Verdict,
  result: ScanResult,
  at: Date,
): unknown {
  return {
    image: { name: image, digest },
    verdict,
    db: result.db ?? null,
    scanners: result.scanners,
    tool: { name: 'customs', version: toolVersion() },
    timestamp: at.toISOString(),
  };
}

export async function promote(req: PromoteRequest, ctx: ScanContext): Promise<PromoteOutcome> {
  const src = withDefaultTag(imageReferenceOf(req.src));
  const dst = withDefaultTag(imageReferenceOf(req.dst));
  if (dst.digest !== undefined) {
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      `promote: the destination ${req.dst} names a digest; give a tag (or none, for latest)`,
    );
  }
  let digest = src.digest;
  if (!digest) {
    const client = repositoryClient(src, ctx);
    try {
      const m = await getManifest(client, src.tag ?? 'latest');
      if (!m) throw new CustomsError('IMAGE_NOT_FOUND', `${repositoryName(src)}:${src.tag ?? 'latest'} not found`);
      digest = m.digest;
    } finally {
      await client.close();
    }
  }
  const source = pinned(src, digest);
  const srcName = `${repositoryName(src)}@${digest}`;
  const dstName = `${repositoryName(dst)}:${dst.tag ?? 'latest'}`;
  const base = { src: srcName, dst: dstName, digest };
  let trust: ImageVerification | undefined;
  if (req.trustPolicy) {
    trust = await verifyImageAgainstPolicy(source, req.trustPolicy, { ctx, digest });
    if (trust.status !== 'verified') {
      return {
        ...base,
        status: 'refused',
        trust,
        reasons: [`${srcName} is ${trust.status} under the trust policy`, ...trust.reasons],
      };
    }
  }
  const { verdict, result } = await gate(`registry:${srcName}`, req.plan, req.rules, ctx);
  if (verdict.status === 'fail') {
    const failed = verdict.rules
      .filter((r) => r.action === 'fail')
      .map((r) => `gate failed: ${r.ruleId} (${r.findings.length} finding${r.findings.length === 1 ? '' : 's'})`);
    return { ...base, status: 'refused', verdict, result, ...(trust ? { trust } : {}), reasons: failed };
  }
  const copy = await copyImage(source, dst, ctx);
  if (copy.digest !== digest) {
    throw new CustomsError('IMAGE_DIGEST_MISMATCH', `promote: copied ${copy.digest}, expected ${digest}`);
  }
  const signature = await signImage(dst, req.key, ctx, { digest });
  const sbom = JSON.parse(toCycloneDx(result.inventory)) as unknown;
  const attestations = [
    await attestImage(dst, req.key, CYCLONEDX_PREDICATE_TYPE, sbom, ctx, { digest }),
    await attestImage(
      dst,
      req.key,
      VERDICT_PREDICATE_TYPE,
      verdictPredicate(dstName, digest, verdict, result, ctx.now()),
      ctx,
      {
        digest,
      },
    ),
  ];
  return {
    ...base,
    status: 'promoted',
    reasons: [],
    verdict,
    result,
    ...(trust ? { trust } : {}),
    copy,
    signature,
    attestations,
  };
}
