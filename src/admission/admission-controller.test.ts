import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Digest } from '../core/index.js';
import { AdmissionController, type DecisionEvent } from './admission-controller.js';
import { admissionConfigOf, defaultAdmissionConfig, type RuleSpec } from './config.js';
import type { DigestResolver, InlineScanner, ScanQueue, TrustVerifier, VerdictSource } from './ports.js';
import { admissionReview, kubectlObject, podOf } from './test-support/kubectl.js';

const never = new AbortController().signal;
const D1 = `sha256:${'1'.repeat(64)}` as Digest;
const D2 = `sha256:${'2'.repeat(64)}` as Digest;

function resolver(map: Record<string, Digest>, calls: string[] = []): DigestResolver {
  return {
    resolve: async (image) => {
      calls.push(image);
      const d = map[image];
      if (!d) throw new Error(`manifest unknown: ${image}`);
      return d;
    },
  };
}

function withRules(rules: RuleSpec[], extra: Record<string, unknown> = {}) {
  return admissionConfigOf({ rules, ...extra }, 'test');
}

async function privilegedPod(): Promise<Record<string, unknown>> {
  const pod = await podOf(1);
  const c = (pod.spec as { containers: Record<string, unknown>[] }).containers[0] as Record<string, unknown>;
  c.securityContext = { privileged: true };
  return pod;
}

describe('default rules: PSS baseline enforced, restricted warned', () => {
  const controller = new AdmissionController({ config: defaultAdmissionConfig() });

  test('a privileged Pod (kubectl run) is denied with 403 naming the control', async () => {
    const r = await controller.validate(admissionReview(await privilegedPod(), { uid: 'u-1' }), never);
    assert.equal(r.uid, 'u-1');
    assert.equal(r.allowed, false);
    assert.equal(r.status?.code, 403);
    assert.match(r.status?.message ?? '', /\[pss-baseline\] CUS-K8S-003 .*privileged=true/);
  });

  test('a plain Deployment (kubectl create deployment) is allowed with the restricted profile as warnings', async () => {
    const d = await kubectlObject(['create', 'deployment', 'web', '--image=nginx:1.25']);
    const r = await controller.validate(admissionReview(d), never);
    assert.equal(r.allowed, true);
    assert.equal(r.status, undefined);
    const w = (r.warnings ?? []).join('\n');
    assert.match(w, /customs pss-restricted: CUS-K8S-02\d/);
    assert.match(w, /runAsNonRoot|allowPrivilegeEscalation/);
  });

  test('templates of every workload kind are judged: a privileged CronJob is denied', async () => {
    const cj = await kubectlObject(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *']);
    const spec = (
      cj as { spec: { jobTemplate: { spec: { template: { spec: { containers: Record<string, unknown>[] } } } } } }
    ).spec.jobTemplate.spec.template.spec;
    (spec.containers[0] as Record<string, unknown>).securityContext = { privileged: true };
    const r = await controller.validate(admissionReview(cj), never);
    assert.equal(r.allowed, false);
    assert.match(r.status?.message ?? '', /CronJob\/default\/tick/);
  });

  test('hostPath on a Job, a host namespace on an ephemeral container update', async () => {
    const job = await kubectlObject(['create', 'job', 'once', '--image=busybox']);
    const spec = (job as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
    spec.volumes = [{ name: 'root', hostPath: { path: '/' } }];
    assert.equal((await controller.validate(admissionReview(job), never)).allowed, false);
    const pod = await podOf(1);
    (pod.spec as Record<string, unknown>).ephemeralContainers = [
      { name: 'debug', image: 'busybox', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } },
    ];
    const r = await controller.validate(
      admissionReview(pod, { operation: 'UPDATE', subResource: 'ephemeralcontainers' }),
      never,
    );
    assert.equal(r.allowed, false);
    assert.match(r.status?.message ?? '', /ephemeralContainer debug: adds capabilities SYS_ADMIN/);
  });

  test('deletes, status updates and kinds without a pod spec are allowed untouched', async () => {
    const pod = await privilegedPod();
    assert.deepEqual(await controller.validate(admissionReview(pod, { operation: 'DELETE', uid: 'd' }), never), {
      uid: 'd',
      allowed: true,
    });
    assert.equal(
      (await controller.validate(admissionReview(pod, { operation: 'UPDATE', subResource: 'status' }), never)).allowed,
      true,
    );
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} };
    assert.equal((await controller.validate(admissionReview(cm), never)).allowed, true);
  });

  test('a body that is not an AdmissionReview v1 is ADMISSION_REVIEW_INVALID, naming the field', async () => {
    const review = admissionReview(await podOf(1));
    (review as { apiVersion: string }).apiVersion = 'admission.k8s.io/v1beta1';
    await assert.rejects(controller.validate(review, never), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ADMISSION_REVIEW_INVALID');
      assert.match(e.message, /\/apiVersion/);
      return true;
    });
  });
});

describe('registries, in each mode', () => {
  const rule = (mode: RuleSpec['mode']): RuleSpec => ({ name: 'registries', mode, registries: ['ghcr.io/acme'] });

  test('enforce denies an image from elsewhere and admits one from the list', async () => {
    const c = new AdmissionController({ config: withRules([rule('enforce')]) });
    const bad = await c.validate(admissionReview(await podOf(2, 'nginx:1.25')), never);
    assert.equal(bad.allowed, false);
    assert.match(bad.status?.message ?? '', /CUS-K8S-034 .*comes from docker\.io/);
    assert.equal((await c.validate(admissionReview(await podOf(2, 'ghcr.io/acme/app:1')), never)).allowed, true);
  });

  test('warn admits with a warning; audit admits with an audit annotation', async () => {
    const w = await new AdmissionController({ config: withRules([rule('warn')]) }).validate(
      admissionReview(await podOf(1)),
      never,
    );
    assert.equal(w.allowed, true);
    assert.match((w.warnings ?? [])[0] ?? '', /^customs registries: CUS-K8S-034/);
    const a = await new AdmissionController({ config: withRules([rule('audit')]) }).validate(
      admissionReview(await podOf(1)),
      never,
    );
    assert.equal(a.allowed, true);
    assert.equal(a.warnings, undefined);
    assert.match(a.auditAnnotations?.registries ?? '', /not in the allowed registries/);
  });
});

describe('namespace selectors pick the rules', () => {
  const config = withRules(
    [
      {
        name: 'prod-only',
        mode: 'enforce',
        registries: ['ghcr.io/acme'],
        namespaceSelector: { matchLabels: { env: 'prod' } },
      },
    ],
    { namespaceLabels: { shop: { env: 'prod' } } },
  );
  test('labels from namespaceLabels select; other namespaces are not judged by the rule', async () => {
    const c = new AdmissionController({ config });
    assert.equal((await c.validate(admissionReview(await podOf(1), { namespace: 'shop' }), never)).allowed, false);
    assert.equal((await c.validate(admissionReview(await podOf(1), { namespace: 'dev' }), never)).allowed, true);
  });
  test('kubernetes.io/metadata.name selects a namespace by name without configuration', async () => {
    const c = new AdmissionController({
      config: withRules([
        {
          name: 'by-name',
          mode: 'enforce',
          registries: ['ghcr.io/acme'],
          namespaceSelector: {
            matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['ci'] }],
          },
        },
      ]),
    });
    assert.equal((await c.validate(admissionReview(await podOf(1), { namespace: 'ci' }), never)).allowed, false);
    assert.equal((await c.validate(admissionReview(await podOf(1), { namespace: 'web' }), never)).allowed, true);
  });
});

describe('digests, trust and verdicts', () => {
  test('requireDigest: a tag that does not resolve is denied under failurePolicy Fail, warned under Ignore', async () => {
    const rules: RuleSpec[] = [{ name: 'digest', mode: 'enforce', requireDigest: true }];
    const fail = new AdmissionController({ config: withRules(rules), resolver: resolver({}) });
    const r = await fail.validate(admissionReview(await podOf(1, 'ghcr.io/acme/app:1')), never);
    assert.equal(r.allowed, false);
    assert.match(r.status?.message ?? '', /cannot resolve ghcr\.io\/acme\/app:1 to a digest: manifest unknown/);
    const ignore = new AdmissionController({
      config: withRules(rules, { failurePolicy: 'Ignore' }),
      resolver: resolver({}),
    });
    const i = await ignore.validate(admissionReview(await podOf(1, 'ghcr.io/acme/app:1')), never);
    assert.equal(i.allowed, true);
    assert.match((i.warnings ?? [])[0] ?? '', /could not decide \(failurePolicy Ignore\)/);
  });

  test('tags are resolved once per TTL; a digest reference is never resolved', async () => {
    const calls: string[] = [];
    const c = new AdmissionController({
      config: withRules([{ name: 'digest', mode: 'enforce', requireDigest: true }]),
      resolver: resolver({ 'ghcr.io/acme/app:1': D1 }, calls),
    });
    for (let i = 0; i < 3; i++)
      assert.equal((await c.validate(admissionReview(await podOf(5, 'ghcr.io/acme/app:1')), never)).allowed, true);
    assert.deepEqual(calls, ['ghcr.io/acme/app:1']);
    await c.validate(admissionReview(await podOf(1, `ghcr.io/acme/app@${D2}`)), never);
    assert.equal(calls.length, 1);
  });

  test('trust: unverified and invalid are denied with the reasons; outcomes are cached until the trust policy changes', async () => {
    const seen: string[] = [];
    let answer: 'verified' | 'unverified' | 'invalid' = 'unverified';
    const trust: TrustVerifier = {
      verify: async (image, digest) => {
        seen.push(`${image}@${digest}`);
        return { status: answer, reasons: answer === 'verified' ? [] : ['no signature by key ci.pub'] };
      },
    };
    const c = new AdmissionController({
      config: withRules([{ name: 'signed', mode: 'enforce', trust: true }], { trustPolicy: 'trust.yaml' }),
      resolver: resolver({ 'ghcr.io/acme/app:1': D1 }),
      trust,
    });
    const review = admissionReview(await podOf(5, 'ghcr.io/acme/app:1'));
    const r = await c.validate(review, never);
    assert.equal(r.allowed, false);
    assert.match(r.status?.message ?? '', /signature unverified \(no signature by key ci\.pub\)/);
    answer = 'verified';
    assert.equal((await c.validate(review, never)).allowed, false, 'cached outcome');
    assert.equal(seen.length, 1);
    c.invalidateTrust();
    assert.equal((await c.validate(review, never)).allowed, true);
    answer = 'invalid';
    c.invalidateTrust();
    assert.match((await c.validate(review, never)).status?.message ?? '', /signature invalid/);
  });

  test('verdicts: pass and warn admit, fail denies, allowWarn false denies warn; a verdict change invalidates by digest', async () => {
    const verdicts: Record<string, 'pass' | 'warn' | 'fail'> = { [D1]: 'fail', [D2]: 'warn' };
    let lookups = 0;
    const source: VerdictSource = {
      latest: async (d) => {
        lookups++;
        return verdicts[d];
      },
    };
    const c = new AdmissionController({
      config: withRules([{ name: 'scanned', mode: 'enforce', verdict: {} }]),
      verdicts: source,
    });
    const p1 = admissionReview(await podOf(1, `ghcr.io/acme/app@${D1}`));
    assert.match((await c.validate(p1, never)).status?.message ?? '', /verdict is fail/);
    assert.equal((await c.validate(admissionReview(await podOf(1, `ghcr.io/acme/app@${D2}`)), never)).allowed, true);
    verdicts[D1] = 'pass';
    assert.equal((await c.validate(p1, never)).allowed, false, 'still cached');
    assert.equal(c.invalidateDigest(D1), 1);
    assert.equal((await c.validate(p1, never)).allowed, true);
    assert.equal(lookups, 3);
    const strict = new AdmissionController({
      config: withRules([{ name: 'scanned', mode: 'enforce', verdict: { allowWarn: false } }]),
      verdicts: source,
    });
    assert.match(
      (await strict.validate(admissionReview(await podOf(1, `ghcr.io/acme/app@${D2}`)), never)).status?.message ?? '',
      /verdict is warn/,
    );
  });

  test('cold path deny: no verdict, denied with the reason', async () => {
    const c = new AdmissionController({
      config: withRules([{ name: 'scanned', mode: 'enforce', verdict: { coldPath: 'deny' } }]),
      verdicts: { latest: async () => undefined },
    });
    const r = await c.validate(admissionReview(await podOf(1, `ghcr.io/acme/app@${D1}`)), never);
    assert.match(r.status?.message ?? '', /not scanned, no verdict \(cold path: deny\)/);
  });

  test('cold path allow-and-queue: admitted, the scan queued, a warning says so', async () => {
    const queued: string[] = [];
    const queue: ScanQueue = { enqueue: async (image, digest) => void queued.push(`${image} ${digest}`) };
    const c = new AdmissionController({
      config: withRules([{ name: 'scanned', mode: 'enforce', verdict: { coldPath: 'allow-and-queue' } }]),
      verdicts: { latest: async () => undefined },
      queue,
    });
    const r = await c.validate(admissionReview(await podOf(1, `ghcr.io/acme/app@${D1}`)), never);
    assert.equal(r.allowed, true);
    assert.deepEqual(queued, [`ghcr.io/acme/app@${D1} ${D1}`]);
    assert.match((r.warnings ?? [])[0] ?? '', /not scanned yet; a scan is queued/);
    // sideEffects: NoneOnDryRun — a dry run is admitted the same way and queues nothing.
    const dry = admissionReview(await podOf(1, `ghcr.io/acme/app@${D2}`));
    (dry.request as { dryRun: boolean }).dryRun = true;
    const d = await c.validate(dry, never);
    assert.equal(d.allowed, true);
    assert.equal(queued.length, 1);
    assert.match((d.warnings ?? [])[0] ?? '', /dry-run request, no scan queued/);
  });

  test('cold path scan-inline: the scan within the deadline decides; past the deadline denied and queued', async () => {
    const queued: string[] = [];
    const scanner = (ms: number, status: 'pass' | 'fail'): InlineScanner => ({
      scan: (_i, _d, signal) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(() => resolve(status), ms);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(signal.reason);
          });
        }),
    });
    const make = (s: InlineScanner) =>
      new AdmissionController({
        config: withRules([
          { name: 'scanned', mode: 'enforce', verdict: { coldPath: 'scan-inline', inlineDeadlineMs: 200 } },
        ]),
        verdicts: { latest: async () => undefined },
        queue: { enqueue: async (_i, d) => void queued.push(d) },
        inlineScanner: s,
      });
    const review = admissionReview(await podOf(1, `ghcr.io/acme/app@${D1}`));
    assert.equal((await make(scanner(5, 'pass')).validate(review, never)).allowed, true);
    assert.match((await make(scanner(5, 'fail')).validate(review, never)).status?.message ?? '', /verdict is fail/);
    const slow = await make(scanner(5_000, 'pass')).validate(review, never);
    assert.equal(slow.allowed, false);
    assert.match(slow.status?.message ?? '', /did not finish within 200 ms; a scan is queued/);
    assert.deepEqual(queued, [D1]);
  });

  test('inlineDeadlineMs must be shorter than the webhook timeout', () => {
    assert.throws(
      () => withRules([{ name: 's', mode: 'enforce', verdict: { coldPath: 'scan-inline', inlineDeadlineMs: 10_000 } }]),
      /inlineDeadlineMs: 10000 ms is not shorter than the webhook timeout \(10 s\)/,
    );
  });
});

describe('exemptions', () => {
  const rules: RuleSpec[] = [{ name: 'registries', mode: 'enforce', registries: ['ghcr.io/acme'] }];
  const at = Date.parse('2026-06-01T00:00:00Z');

  test('an active exemption admits and names its owner; an expired one no longer applies and says so', async () => {
    const exemption = { owner: 'team-web', expires: '2026-06-30', reason: 'migration', namespaces: ['web'] };
    const c = (now: number) =>
      new AdmissionController({ config: withRules(rules, { exemptions: [exemption] }), now: () => now });
    const ok = await c(at).validate(admissionReview(await podOf(1), { namespace: 'web' }), never);
    assert.equal(ok.allowed, true);
    assert.match((ok.warnings ?? []).join('\n'), /exempt until 2026-06-30 \(owner team-web: migration\)/);
    const other = await c(at).validate(admissionReview(await podOf(1), { namespace: 'shop' }), never);
    assert.equal(other.allowed, false, 'another namespace is not exempt');
    const late = await c(Date.parse('2026-07-01T00:00:00Z')).validate(
      admissionReview(await podOf(1), { namespace: 'web' }),
      never,
    );
    assert.equal(late.allowed, false);
    assert.match((late.warnings ?? []).join('\n'), /owned by team-web expired on 2026-06-30/);
  });

  test('an image exemption covers the matching images only', async () => {
    const exemption = { owner: 'sre', expires: '2026-12-31', images: ['docker.io/library/nginx*', 'nginx:*'] };
    const c = new AdmissionController({ config: withRules(rules, { exemptions: [exemption] }), now: () => at });
    assert.equal((await c.validate(admissionReview(await podOf(1, 'nginx:1.25')), never)).allowed, true);
    assert.equal((await c.validate(admissionReview(await podOf(1, 'redis:7')), never)).allowed, false);
  });

  test('owner and expiry are required', () => {
    assert.throws(() => withRules(rules, { exemptions: [{ expires: '2026-01-01' }] }), /owner/);
    assert.throws(() => withRules(rules, { exemptions: [{ owner: 'x', expires: 'someday-ok' }] }), /not a date/);
  });
});

describe('mutate pins tags to digests', () => {
  test('a JSONPatch (base64) replaces each tag with name:tag@digest; digests stay; the event is emitted', async () => {
    const events: DecisionEvent[] = [];
    const c = new AdmissionController({
      config: withRules([{ name: 'pin', mode: 'enforce', pinDigests: true, requireDigest: true }]),
      resolver: resolver({ 'ghcr.io/acme/app:1': D1 }),
      onDecision: (e) => events.push(e),
    });
    const pod = await podOf(2, 'ghcr.io/acme/app:1');
    const spec = pod.spec as Record<string, unknown>;
    spec.initContainers = [{ name: 'init', image: `ghcr.io/acme/app@${D2}` }];
    const r = await c.mutate(admissionReview(pod), never);
    assert.equal(r.allowed, true);
    assert.equal(r.patchType, 'JSONPatch');
    const patch = JSON.parse(Buffer.from(r.patch ?? '', 'base64').toString('utf8'));
    assert.deepEqual(patch, [
      { op: 'replace', path: '/spec/containers/0/image', value: `ghcr.io/acme/app:1@${D1}` },
      { op: 'replace', path: '/spec/containers/1/image', value: `ghcr.io/acme/app:1@${D1}` },
    ]);
    assert.equal(events[0]?.endpoint, 'mutate');
    assert.deepEqual(
      events[0]?.images.map((i) => i.digest),
      [D2, D1, D1].map((d, i) => (i === 0 ? undefined : d)),
    );
  });

  test('with trust: only digests the trust policy verifies are pinned', async () => {
    const c = new AdmissionController({
      config: withRules([{ name: 'pin', mode: 'enforce', pinDigests: true, trust: true }], { trustPolicy: 't.yaml' }),
      resolver: resolver({ 'ghcr.io/acme/app:1': D1, 'ghcr.io/acme/other:1': D2 }),
      trust: {
        verify: async (_i, d) =>
          d === D1 ? { status: 'verified', reasons: [] } : { status: 'unverified', reasons: ['no signature'] },
      },
    });
    const pod = await podOf(1, 'ghcr.io/acme/app:1');
    (pod.spec as { containers: Record<string, unknown>[] }).containers.push({
      name: 'x',
      image: 'ghcr.io/acme/other:1',
    });
    const r = await c.mutate(admissionReview(pod), never);
    const patch = JSON.parse(Buffer.from(r.patch ?? '', 'base64').toString('utf8'));
    assert.deepEqual(patch, [{ op: 'replace', path: '/spec/containers/0/image', value: `ghcr.io/acme/app:1@${D1}` }]);
    assert.match(
      (r.warnings ?? []).join('\n'),
      /ghcr\.io\/acme\/other:1: not pinned \(.*signature unverified \(no signature\)\)/,
    );
  });

  test('without a pinning rule nothing is patched', async () => {
    const c = new AdmissionController({ config: defaultAdmissionConfig(), resolver: resolver({}) });
    const r = await c.mutate(admissionReview(await podOf(1)), never);
    assert.deepEqual(r, { uid: r.uid, allowed: true });
  });
});

describe('every rule in every mode', () => {
  // One broken request per rule kind; the mode alone decides what the answer does with it.
  const cases: { kind: string; rule: Omit<RuleSpec, 'name' | 'mode'>; image: string; expect: RegExp }[] = [
    { kind: 'pss', rule: { pss: 'baseline' }, image: 'nginx:1.25', expect: /CUS-K8S-003/ },
    { kind: 'checks', rule: { checks: ['CUS-K8S-030'] }, image: 'nginx:1.25', expect: /CUS-K8S-030/ },
    { kind: 'registries', rule: { registries: ['ghcr.io/acme'] }, image: 'nginx:1.25', expect: /CUS-K8S-034/ },
    { kind: 'requireDigest', rule: { requireDigest: true }, image: 'ghcr.io/acme/gone:1', expect: /cannot resolve/ },
    { kind: 'trust', rule: { trust: true }, image: `ghcr.io/acme/app@${D1}`, expect: /signature invalid/ },
    { kind: 'verdict', rule: { verdict: {} }, image: `ghcr.io/acme/app@${D1}`, expect: /verdict is fail/ },
  ];
  for (const c of cases)
    for (const mode of ['enforce', 'warn', 'audit'] as const)
      test(`${c.kind} in ${mode} mode`, async () => {
        const controller = new AdmissionController({
          config: withRules([{ name: 'r', mode, ...c.rule }], { trustPolicy: 'trust.yaml' }),
          resolver: resolver({}),
          trust: { verify: async () => ({ status: 'invalid', reasons: ['bad signature'] }) },
          verdicts: { latest: async () => 'fail' },
        });
        const pod = await privilegedPod();
        ((pod.spec as { containers: Record<string, unknown>[] }).containers[0] as Record<string, unknown>).image =
          c.image;
        const r = await controller.validate(admissionReview(pod), never);
        if (mode === 'enforce') {
          assert.equal(r.allowed, false);
          assert.match(r.status?.message ?? '', c.expect);
          assert.equal(r.status?.code, 403);
        } else if (mode === 'warn') {
          assert.equal(r.allowed, true);
          assert.ok(
            (r.warnings ?? []).some((w) => w.startsWith('customs r: ') && c.expect.test(w)),
            String(r.warnings),
          );
          assert.equal(r.auditAnnotations, undefined);
        } else {
          assert.equal(r.allowed, true);
          assert.equal(r.warnings, undefined);
          assert.match(r.auditAnnotations?.r ?? '', c.expect);
        }
      });
});
