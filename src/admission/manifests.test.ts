import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { checkKubernetes } from '../checks/index.js';
import { admissionManifests, manifestsYaml } from './manifests.js';
import { kubectl } from './test-support/kubectl.js';

const base = {
  namespace: 'customs-system',
  image: 'ghcr.io/customs-dev/customs:1.0.0@sha256:' + 'a'.repeat(64),
  certManager: false,
  mutating: false,
  failurePolicy: 'Fail' as const,
  timeoutSeconds: 10,
  configText: 'rules: []\n',
};

// biome-ignore lint/suspicious/noExplicitAny: the test reads deep fields of the generated objects
type Obj = Record<string, any>;

/** kubectl prints one JSON object per input object, one after the other. */
function jsonStream(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth++ === 0) start = i;
    } else if (ch === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}
const byKind = (objects: Obj[], kind: string): Obj[] => objects.filter((o) => o.kind === kind);

test('self-signed: the Secret holds a certificate for the Service name, signed by the caBundle CA', async () => {
  const objects = (await admissionManifests({ ...base, failurePolicy: 'Ignore', timeoutSeconds: 5 })) as Obj[];
  const secret = byKind(objects, 'Secret')[0] as Obj;
  const vwc = byKind(objects, 'ValidatingWebhookConfiguration')[0] as Obj;
  const webhook = vwc.webhooks[0];
  const ca = new X509Certificate(Buffer.from(webhook.clientConfig.caBundle, 'base64'));
  const cert = new X509Certificate(Buffer.from(secret.data['tls.crt'], 'base64'));
  assert.ok(cert.verify(ca.publicKey), 'signed by the CA in the caBundle');
  assert.equal(cert.checkHost('customs-admission.customs-system.svc'), 'customs-admission.customs-system.svc');
  assert.equal(ca.ca, true);
  assert.deepEqual(webhook.clientConfig.service, {
    name: 'customs-admission',
    namespace: 'customs-system',
    path: '/validate',
    port: 443,
  });
  assert.equal(webhook.failurePolicy, 'Ignore');
  assert.equal(webhook.timeoutSeconds, 5);
  assert.deepEqual(webhook.admissionReviewVersions, ['v1']);
  assert.equal(webhook.sideEffects, 'NoneOnDryRun');
  assert.deepEqual(webhook.namespaceSelector.matchExpressions[0].values, ['customs-system', 'kube-system']);
  const resources = webhook.rules.flatMap((r: Obj) => r.resources);
  for (const r of [
    'pods',
    'pods/ephemeralcontainers',
    'deployments',
    'statefulsets',
    'daemonsets',
    'replicasets',
    'replicationcontrollers',
    'jobs',
    'cronjobs',
  ])
    assert.ok(resources.includes(r), r);
  assert.equal(byKind(objects, 'MutatingWebhookConfiguration').length, 0);
});

test('cert-manager: Issuer and Certificate, CA injected by annotation; --mutating adds the mutating webhook', async () => {
  const objects = (await admissionManifests({ ...base, certManager: true, mutating: true })) as Obj[];
  assert.equal(byKind(objects, 'Secret').length, 0);
  const certificate = byKind(objects, 'Certificate')[0] as Obj;
  assert.equal(certificate.spec.secretName, 'customs-admission-tls');
  assert.ok(certificate.spec.dnsNames.includes('customs-admission.customs-system.svc'));
  assert.equal(byKind(objects, 'Issuer').length, 1);
  for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
    const w = byKind(objects, kind)[0] as Obj;
    assert.equal(w.metadata.annotations['cert-manager.io/inject-ca-from'], 'customs-system/customs-admission');
    assert.equal(w.webhooks[0].clientConfig.caBundle, undefined);
  }
  assert.equal(
    (byKind(objects, 'MutatingWebhookConfiguration')[0] as Obj).webhooks[0].clientConfig.service.path,
    '/mutate',
  );
});

for (const certManager of [false, true]) {
  test(`kubectl apply --dry-run=client and create --dry-run=client -o json take them (cert-manager: ${certManager})`, async () => {
    const objects = await admissionManifests({ ...base, certManager, mutating: true });
    const yaml = manifestsYaml(objects);
    // No API server runs here: kubectl talks to a discovery stub, so its OpenAPI validation is off.
    const apply = await kubectl(['apply', '--dry-run=client', '--validate=false', '-f', '-'], yaml);
    assert.equal(apply.status, 0, apply.stderr);
    assert.equal(apply.stdout.trim().split('\n').length, objects.length);
    assert.ok(
      apply.stdout
        .trim()
        .split('\n')
        .every((l) => l.endsWith('created (dry run)')),
      apply.stdout,
    );
    const create = await kubectl(['create', '--dry-run=client', '--validate=false', '-o', 'json', '-f', '-'], yaml);
    assert.equal(create.status, 0, create.stderr);
    assert.deepEqual(jsonStream(create.stdout), JSON.parse(JSON.stringify(objects)), 'round trip: the same objects');
    assert.equal(parseAllDocuments(yaml).length, objects.length);
  });
}

test('the webhook Deployment passes customs scan k8s: PSS restricted, limits, no token, a NetworkPolicy', async () => {
  const yaml = manifestsYaml(await admissionManifests(base));
  assert.deepEqual(
    checkKubernetes(yaml, 'manifests.yaml').map((m) => `${m.checkId} ${m.message}`),
    [],
  );
});
