import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { CustomsError, EXIT } from '../../core/index.js';
import {
  checkKubernetes,
  checkKubernetesFiles,
  checkKubernetesInput,
  checkKubernetesValues,
} from './check-kubernetes.js';

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
};

function inputError(run: () => unknown): CustomsError {
  try {
    run();
  } catch (e) {
    if (!(e instanceof CustomsError)) throw e;
    assert.equal(e.code, 'CONFIG_INPUT_INVALID');
    assert.equal(e.exitStatus, EXIT.input);
    return e;
  }
  return assert.fail('expected CONFIG_INPUT_INVALID');
}

test('invalid YAML is an input error naming the file and line', () => {
  const text = `${stringify(POD)}---\napiVersion: v1\nkind: ConfigMap\ndata:\n  a: [1, 2\n`;
  const e = inputError(() => checkKubernetes(text, 'deploy/app.yaml'));
  const line = text.split('\n').indexOf('kind: ConfigMap') + 1;
  assert.match(
    e.message,
    /^deploy\/app\.yaml is not Kubernetes manifests: deploy\/app\.yaml line (\d+): not valid YAML: /,
  );
  const at = Number(/line (\d+)/.exec(e.message)?.[1]);
  assert.ok(at >= line, `line ${at} should be at or after the broken document (line ${line})`);
});

test('YAML that is not a Kubernetes object is an input error saying what was expected', () => {
  const cases: [string, RegExp][] = [
    [
      'name: web\nreplicas: 3\n',
      /line 1: the document is a mapping without apiVersion and kind \(expected a Kubernetes object/,
    ],
    ['kind: Pod\nmetadata: {name: x}\n', /a mapping without apiVersion/],
    ['- a\n- b\n', /the document is a sequence/],
    // The line after the POD's lines and the `---` separator.
    [
      `${stringify(POD)}---\nplain text\n`,
      new RegExp(`line ${stringify(POD).split('\n').length + 1}: the document is a string`),
    ],
    ['apiVersion: v1\nkind: List\nitems:\n  - 3\n', /line 4: items\[0\] of List is a number/],
  ];
  for (const [text, want] of cases) assert.match(inputError(() => checkKubernetes(text, 'x.yaml')).message, want, text);
});

test('a Dockerfile given to the Kubernetes checks is an input error that says so', () => {
  const e = inputError(() => checkKubernetes('FROM debian:12\nRUN apt-get update\nUSER app\n', 'Dockerfile'));
  assert.match(e.message, /Dockerfile line 1: the document is text \(it looks like a Dockerfile\)/);
});

test('an input with no object at all is an input error; empty documents beside objects are fine', () => {
  assert.match(
    inputError(() => checkKubernetes('# nothing\n---\n', 'empty.yaml')).message,
    /holds no Kubernetes object/,
  );
  assert.doesNotThrow(() => checkKubernetes(`---\n# Source: chart/templates/x.yaml\n---\n${stringify(POD)}`, 'x'));
});

test('several files: every bad file is named; findings come from the good ones only when all are good', () => {
  const e = inputError(() =>
    checkKubernetesFiles(
      [
        { text: stringify(POD), path: 'pod.yaml' },
        { text: 'name: values\n', path: 'values.yaml' },
        { text: '{"a": ', path: 'broken.json' },
      ],
      'deploy',
    ),
  );
  assert.match(e.message, /values\.yaml line 1: .*; broken\.json line 1: not valid YAML/);
});

test('objects no check covers are listed as skipped with kind, name and reason', () => {
  const docs = [
    POD,
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { a: '1' } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { ports: [{ port: 80 }] },
    },
    { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'tls' }, spec: {} },
    { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x.example.com' } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'empty' }, spec: { replicas: 1 } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: 'shop' },
      spec: {},
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: 'shop' } },
  ];
  const text = docs.map((d) => stringify(d)).join('---\n');
  const result = checkKubernetesInput([{ text, path: 'all.yaml' }], 'all.yaml');
  assert.deepEqual(
    result.skipped.map((s) => [s.kind, s.namespace, s.name, s.reason]),
    [
      ['ConfigMap', 'shop', 'cfg', 'no check covers kind ConfigMap'],
      ['Service', 'shop', 'web', 'no check covers kind Service'],
      ['Certificate', 'default', 'tls', 'custom resource (cert-manager.io/v1): no check covers kind Certificate'],
      ['CustomResourceDefinition', 'default', 'x.example.com', 'no check covers kind CustomResourceDefinition'],
      ['Deployment', 'default', 'empty', 'Deployment has no pod spec at spec.template.spec'],
    ],
  );
  const configMapLine = text.split('\n').indexOf('kind: ConfigMap');
  assert.equal(result.skipped[0]?.location?.path, 'all.yaml');
  assert.ok((result.skipped[0]?.location?.startLine ?? 0) <= configMapLine + 1);
  // The Pod is still checked.
  assert.ok(result.misconfigurations.some((m) => m.target.startsWith('Pod/shop/web')));
});

test('an input of only uncovered objects is not an error, and not silently clean: all are skipped', () => {
  const result = checkKubernetesInput(
    [{ text: stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }), path: 'c.yaml' }],
    'c.yaml',
  );
  assert.deepEqual(result.misconfigurations, []);
  assert.equal(result.skipped.length, 1);
});

test('checkKubernetesValues: parsed objects get the findings the same text gets, with line-1 locations', () => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop' },
    spec: {
      template: {
        spec: {
          hostNetwork: true,
          containers: [{ name: 'api', image: 'nginx:latest', securityContext: { privileged: true } }],
        },
      },
    },
  };
  const objects = [POD, deployment];
  const fromText = checkKubernetes(objects.map((o) => stringify(o)).join('---\n'), 'in.yaml');
  const fromValues = checkKubernetesValues([...objects, 'not an object', { kind: 'NoApiVersion' }], 'in.yaml');
  const key = (m: { checkId: string; target: string; message: string }) => `${m.checkId} ${m.target} ${m.message}`;
  assert.ok(fromText.length > 5);
  assert.deepEqual(fromValues.map(key).sort(), fromText.map(key).sort());
  assert.ok(fromValues.every((m) => m.location?.path === 'in.yaml' && m.location.startLine === 1));
  const onlyPrivileged = checkKubernetesValues(objects, 'in.yaml', (c) => c.id === 'CUS-K8S-003');
  assert.deepEqual(
    onlyPrivileged.map((m) => m.checkId),
    ['CUS-K8S-003'],
  );
});
