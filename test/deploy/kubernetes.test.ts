/**
 * deploy/kubernetes/: every overlay renders with `kubectl kustomize`, every object passes
 * `kubectl apply --dry-run=client`, and customs' own Kubernetes checks find nothing but the
 * accepted findings of deploy/kubernetes/accepted-findings.yaml (the sensor's host access,
 * each with its reason). No API server can run here, and kubectl's client-side dry run
 * still asks the server which resource a kind is (REST mapping) and whether the object
 * exists: the discovery-only stub of the admission tests answers those two questions (the kinds the
 * manifests use; every object "not found"), so kubectl parses, maps and prints each object
 * as `created (dry run)` without any server-side validation.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { discoveryStub } from '../../src/admission/test-support/kubectl.js';
import { freshDir, REPO_ROOT, run, runCustoms } from '../support/images.js';

const K8S = join(REPO_ROOT, 'deploy', 'kubernetes');

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are read field by field below
  spec?: any;
  automountServiceAccountToken?: boolean;
}

interface Accepted {
  readonly check: string;
  readonly object: string;
  readonly reason: string;
}

interface Finding {
  readonly checkId: string;
  readonly target: string;
  readonly message: string;
}

let server = '';
let work = '';
const rendered = new Map<string, Obj[]>();
const renderedText = new Map<string, string>();

before(async () => {
  server = (await discoveryStub()).url;
  work = await freshDir('deploy-kubernetes');
  for (const overlay of (await readdir(join(K8S, 'overlays'))).sort()) {
    const { stdout } = await run('kubectl', ['kustomize', join(K8S, 'overlays', overlay)]);
    renderedText.set(overlay, stdout);
    rendered.set(
      overlay,
      parseAllDocuments(stdout).map((d) => d.toJSON() as Obj),
    );
  }
});

const kubectl = (args: string[], input?: string) =>
  run('kubectl', ['--server', server, '--kubeconfig', '/dev/null', ...args], input === undefined ? {} : { input });

const id = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

describe('deploy/kubernetes', () => {
  test('there are overlays and each renders objects', () => {
    assert.ok(rendered.size >= 2, 'production and single-node overlays');
    for (const [overlay, objs] of rendered) assert.ok(objs.length > 10, `${overlay} renders its objects`);
  });

  test('every rendered object passes kubectl apply --dry-run=client', async () => {
    for (const [overlay, objs] of rendered) {
      for (const o of objs) {
        const r = await kubectl(
          ['apply', '--dry-run=client', '--validate=false', '-f', '-', '-o', 'name'],
          JSON.stringify(o),
        );
        assert.match(r.stdout.trim(), new RegExp(`/${o.metadata.name}$`), `${overlay}: ${id(o)}`);
        // `-o name` prints resource.group/name: the kind was mapped through the stub's discovery.
        assert.ok(r.stdout.startsWith(o.kind.toLowerCase()), `${overlay}: ${id(o)}: ${r.stdout}`);
      }
    }
  });

  test('the admission webhook is `customs admit manifests --cert-manager` as it prints it today', async () => {
    const printed = await runCustoms(['admit', 'manifests', '--cert-manager']);
    assert.equal(printed.code, 0, printed.stderr);
    const committed = await readFile(join(K8S, 'base', 'admission', 'admission.yaml'), 'utf8');
    assert.equal(
      committed,
      printed.stdout,
      'regenerate: customs admit manifests --cert-manager > base/admission/admission.yaml',
    );
    const webhook = rendered.get('production')?.find((o) => o.kind === 'ValidatingWebhookConfiguration') as unknown as {
      webhooks: { failurePolicy: string }[];
    };
    assert.equal(webhook.webhooks[0]?.failurePolicy, 'Fail');
  });

  test('server: 2 replicas, PDB, probes on /healthz and /readyz; worker HPA on CPU', () => {
    const objs = rendered.get('production') ?? [];
    const server = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'customs-server');
    assert.equal(server?.spec.replicas, 2);
    const c = server?.spec.template.spec.containers[0];
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.ok(objs.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'customs-server'));
    const hpa = objs.find((o) => o.kind === 'HorizontalPodAutoscaler');
    assert.equal(hpa?.spec.scaleTargetRef.name, 'customs-worker');
    assert.equal(hpa?.spec.metrics[0].resource.name, 'cpu');
    for (const name of ['customs-server', 'customs-worker']) {
      const env = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === name)?.spec.template.spec
        .containers[0].env as { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
      assert.equal(env.find((e) => e.name === 'CUSTOMS_STORE')?.valueFrom?.secretKeyRef?.name, 'customs-store');
    }
  });

  test('the sensor DaemonSet runs the sensor image (bpftrace inside), every other workload the customs image', () => {
    for (const [overlay, objs] of rendered) {
      for (const w of objs.filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet')) {
        const images = (w.spec.template.spec.containers as { image: string }[]).map((c) => c.image);
        const want = w.kind === 'DaemonSet' ? 'ghcr.io/customs-dev/customs-sensor' : 'ghcr.io/customs-dev/customs';
        for (const image of images) assert.equal(image.split(/[:@]/)[0], want, `${overlay}: ${id(w)}: ${image}`);
      }
    }
  });

  test('no token is mounted anywhere, and every pod has a NetworkPolicy under a default deny', () => {
    for (const [overlay, objs] of rendered) {
      for (const sa of objs.filter((o) => o.kind === 'ServiceAccount')) {
        assert.equal(sa.automountServiceAccountToken, false, `${overlay}: ${id(sa)}`);
      }
      const policies = objs.filter((o) => o.kind === 'NetworkPolicy');
      assert.ok(
        policies.some((p) => Object.keys(p.spec.podSelector).length === 0),
        `${overlay}: default deny`,
      );
      for (const w of objs.filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet')) {
        const pod = w.spec.template;
        assert.equal(pod.spec.automountServiceAccountToken, false, `${overlay}: ${id(w)}`);
        const labels = pod.metadata.labels as Record<string, string>;
        const selected = policies.some((p) => {
          const m = (p.spec.podSelector.matchLabels ?? {}) as Record<string, string>;
          return Object.keys(m).length > 0 && Object.entries(m).every(([k, v]) => labels[k] === v);
        });
        assert.ok(selected, `${overlay}: ${id(w)} has its own NetworkPolicy`);
      }
    }
  });

  test("customs' Kubernetes checks find only the accepted findings, each with its reason", async (t) => {
    const accepted = parseYaml(await readFile(join(K8S, 'accepted-findings.yaml'), 'utf8')) as Accepted[];
    const used = new Set<Accepted>();
    for (const [overlay, text] of renderedText) {
      const file = join(work, `${overlay}.yaml`);
      await writeFile(file, text);
      const scan = await runCustoms(['scan', 'k8s', file, '-f', 'json', '-q']);
      assert.equal(scan.code, 0, scan.stderr);
      const findings = (JSON.parse(scan.stdout) as { misconfigurations: Finding[] }).misconfigurations;
      const unexpected: string[] = [];
      for (const f of findings) {
        const a = accepted.find(
          (e) =>
            e.check === f.checkId && (e.object === '*' || f.target === e.object || f.target.startsWith(`${e.object} `)),
        );
        if (a) {
          used.add(a);
          t.diagnostic(`${overlay}: accepted ${f.checkId} ${f.target}: ${a.reason}`);
        } else unexpected.push(`${f.checkId} ${f.message}`);
      }
      assert.deepEqual(unexpected, [], `${overlay}: findings not accepted`);
    }
    const stale = accepted.filter((a) => !used.has(a)).map((a) => `${a.check} ${a.object}`);
    assert.deepEqual(stale, [], 'accepted findings that no longer occur');
  });
});
