import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { CustomsError } from '../../core/index.js';
import { checkTester } from '../test-support/check-tester.js';
import type { Misconfiguration } from '../types.js';
import { checkKubernetes } from './check-kubernetes.js';

/** A real object from kubectl (Debian package `kubectl`; --dry-run=client needs no API server). */
function kubectl(...args: string[]): Record<string, unknown> {
  return JSON.parse(
    execFileSync('kubectl', [...args, '--dry-run=client', '-o', 'json'], { encoding: 'utf8' }),
  ) as Record<string, unknown>;
}

const ids = (list: readonly Misconfiguration[], target?: string): string[] =>
  [...new Set(list.filter((f) => target === undefined || f.target === target).map((f) => f.checkId))].sort();

/** kubectl's Deployment with a pod spec patched in (pod-level and first-container fields). */
function deployment(
  pod: Record<string, unknown> = {},
  container: Record<string, unknown> = {},
): Record<string, unknown> {
  const d = kubectl('create', 'deployment', 'web', '--image=nginx:1.27', '--namespace=shop') as {
    spec: { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
  };
  const spec = d.spec.template.spec;
  Object.assign(spec, pod);
  Object.assign(spec.containers[0] as Record<string, unknown>, container);
  return d;
}

const RESTRICTED_POD = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } };
const RESTRICTED_CONTAINER = { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } };
const PSS_IDS = /^CUS-K8S-0[0-2]\d$/;

function pss(obj: Record<string, unknown>): string[] {
  return ids(checkKubernetes(stringify(obj), 'x.yaml')).filter((id) => PSS_IDS.test(id));
}

test('kubectl defaults pass baseline but fail restricted: privilege escalation, non-root, seccomp, capabilities', () => {
  assert.deepEqual(pss(deployment()), ['CUS-K8S-021', 'CUS-K8S-022', 'CUS-K8S-024', 'CUS-K8S-025']);
});

test('a restricted-compliant pod passes every PSS control', () => {
  assert.deepEqual(pss(deployment(RESTRICTED_POD, RESTRICTED_CONTAINER)), []);
});

test('each baseline control: violating and compliant values, exactly as PSS allows', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, boolean][] = [
    [
      'CUS-K8S-001',
      {},
      { securityContext: { ...RESTRICTED_CONTAINER.securityContext, windowsOptions: { hostProcess: true } } },
      true,
    ],
    ['CUS-K8S-002', { hostIPC: true }, {}, true],
    ['CUS-K8S-002', { hostNetwork: false }, {}, false],
    ['CUS-K8S-003', {}, { securityContext: { ...RESTRICTED_CONTAINER.securityContext, privileged: true } }, true],
    [
      'CUS-K8S-004',
      {},
      { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } } },
      true,
    ],
    [
      'CUS-K8S-004',
      {},
      { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['CHOWN'] } } },
      false,
    ],
    ['CUS-K8S-005', { volumes: [{ name: 'h', hostPath: { path: '/var/run/docker.sock' } }] }, {}, true],
    ['CUS-K8S-006', {}, { ports: [{ containerPort: 80, hostPort: 80 }] }, true],
    ['CUS-K8S-006', {}, { ports: [{ containerPort: 80, hostPort: 0 }] }, false],
    [
      'CUS-K8S-007',
      { securityContext: { ...RESTRICTED_POD.securityContext, appArmorProfile: { type: 'Unconfined' } } },
      {},
      true,
    ],
    [
      'CUS-K8S-007',
      {
        securityContext: {
          ...RESTRICTED_POD.securityContext,
          appArmorProfile: { type: 'Localhost', localhostProfile: 'p' },
        },
      },
      {},
      false,
    ],
    [
      'CUS-K8S-008',
      { securityContext: { ...RESTRICTED_POD.securityContext, seLinuxOptions: { type: 'container_engine_t' } } },
      {},
      false,
    ],
    [
      'CUS-K8S-008',
      {
        securityContext: {
          ...RESTRICTED_POD.securityContext,
          seLinuxOptions: { type: 'container_t', role: 'sysadm_r' },
        },
      },
      {},
      true,
    ],
    ['CUS-K8S-009', {}, { securityContext: { ...RESTRICTED_CONTAINER.securityContext, procMount: 'Unmasked' } }, true],
    ['CUS-K8S-009', {}, { securityContext: { ...RESTRICTED_CONTAINER.securityContext, procMount: 'Default' } }, false],
    [
      'CUS-K8S-010',
      {},
      { securityContext: { ...RESTRICTED_CONTAINER.securityContext, seccompProfile: { type: 'Unconfined' } } },
      true,
    ],
    [
      'CUS-K8S-011',
      {
        securityContext: {
          ...RESTRICTED_POD.securityContext,
          sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }],
        },
      },
      {},
      false,
    ],
    [
      'CUS-K8S-011',
      { securityContext: { ...RESTRICTED_POD.securityContext, sysctls: [{ name: 'kernel.sem', value: '1' }] } },
      {},
      true,
    ],
    ['CUS-K8S-012', {}, { readinessProbe: { tcpSocket: { host: '10.0.0.1', port: 22 } } }, true],
  ];
  for (const [id, pod, container, violates] of cases) {
    const got = pss(deployment({ ...RESTRICTED_POD, ...pod }, { ...RESTRICTED_CONTAINER, ...container }));
    assert.equal(got.includes(id), violates, `${id} ${JSON.stringify({ pod, container })}: got ${got.join(', ')}`);
  }
});

test('restricted: pod-level runAsNonRoot/seccomp cover containers; explicit container false still fails; Windows skips Linux-only controls', () => {
  const podLevel = deployment(RESTRICTED_POD, RESTRICTED_CONTAINER);
  assert.ok(!pss(podLevel).includes('CUS-K8S-022'));
  const explicitFalse = deployment(RESTRICTED_POD, {
    securityContext: { ...RESTRICTED_CONTAINER.securityContext, runAsNonRoot: false },
  });
  assert.ok(pss(explicitFalse).includes('CUS-K8S-022'));
  const root = deployment(
    { securityContext: { ...RESTRICTED_POD.securityContext, runAsUser: 0 } },
    RESTRICTED_CONTAINER,
  );
  assert.ok(pss(root).includes('CUS-K8S-023'));
  const userNs = deployment(
    { hostUsers: false, securityContext: { seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 0 } },
    { securityContext: { ...RESTRICTED_CONTAINER.securityContext, procMount: 'Unmasked' } },
  );
  assert.deepEqual(pss(userNs), ['CUS-K8S-026']);
  const windows = deployment({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true } }, {});
  assert.deepEqual(pss(windows), []);
  const nfs = deployment(
    {
      ...RESTRICTED_POD,
      volumes: [
        { name: 'n', nfs: { server: 'x', path: '/' } },
        { name: 'c', configMap: { name: 'c' } },
      ],
    },
    RESTRICTED_CONTAINER,
  );
  assert.deepEqual(pss(nfs), ['CUS-K8S-020']);
});

test('init and ephemeral containers are checked; targets name them', () => {
  const d = deployment(RESTRICTED_POD, RESTRICTED_CONTAINER) as {
    spec: { template: { spec: Record<string, unknown> } };
  };
  d.spec.template.spec.initContainers = [
    { name: 'setup', image: 'busybox:1.36', securityContext: { privileged: true } },
  ];
  d.spec.template.spec.ephemeralContainers = [
    { name: 'debug', image: 'busybox:1.36', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } },
  ];
  const found = checkKubernetes(JSON.stringify(d), 'd.json');
  assert.ok(found.some((f) => f.checkId === 'CUS-K8S-003' && f.target === 'Deployment/shop/web initContainer setup'));
  assert.ok(
    found.some((f) => f.checkId === 'CUS-K8S-004' && f.target === 'Deployment/shop/web ephemeralContainer debug'),
  );
});

test('every workload kind from kubectl yields its pod spec (CronJob, Job)', () => {
  for (const obj of [
    kubectl('create', 'cronjob', 'c', '--image=busybox:1.36', '--schedule=0 0 * * *'),
    kubectl('create', 'job', 'j', '--image=busybox:1.36'),
  ]) {
    checkTester('CUS-K8S-021').k8s(JSON.stringify(obj)).fires();
  }
});

test('Helm output: # Source comments, empty documents, line numbers of the offending field', () => {
  const helm = [
    '---',
    '# Source: chart/templates/empty.yaml',
    '---',
    '# Source: chart/templates/deploy.yaml',
    stringify(
      deployment(RESTRICTED_POD, { securityContext: { ...RESTRICTED_CONTAINER.securityContext, privileged: true } }),
    ),
  ].join('\n');
  const [priv] = checkTester('CUS-K8S-003').k8s(helm).fires();
  assert.ok(priv?.location);
  assert.match(helm.split('\n')[priv.location.startLine - 1] ?? '', /privileged: true/);
});

test('image checks: latest, digest, registry allow-list', () => {
  const text = stringify(deployment({}, { image: 'ghcr.io/acme/app:latest' }));
  checkTester('CUS-K8S-032').k8s(text).fires();
  // No allow-list, no registry finding.
  checkTester('CUS-K8S-034').k8s(text).passes();
  checkTester('CUS-K8S-034')
    .k8s(text, { allowedRegistries: ['registry.example.com'] })
    .fires();
  checkTester('CUS-K8S-034')
    .k8s(text, { allowedRegistries: ['ghcr.io/acme'] })
    .passes();
  // The prefix matches at "/" only.
  checkTester('CUS-K8S-034')
    .k8s(text, { allowedRegistries: ['ghcr.io/acm'] })
    .fires();
});

test('hostile input gives findings or an input error, never another exception', () => {
  // Texts with no Kubernetes object in them are input errors now (nothing could be checked);
  // objects with odd fields are checked without throwing.
  for (const text of [
    '',
    ':::',
    '- a\n- b',
    'kind: Deployment\nspec: 3',
    'kind: List\nitems: [1, {kind: Pod, spec: {containers: [null, 7]}}]',
    'a: &a [*a]',
  ]) {
    assert.throws(
      () => checkKubernetes(text, 'x'),
      (e: unknown) => e instanceof CustomsError && e.code === 'CONFIG_INPUT_INVALID',
      JSON.stringify(text),
    );
  }
  for (const text of [
    'apiVersion: apps/v1\nkind: Deployment\nspec: 3',
    'apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod, spec: {containers: [null, 7]}}]',
    '{"apiVersion": "v1", "kind": "Pod", "spec": {"containers": "x"}}',
  ]) {
    assert.doesNotThrow(() => checkKubernetes(text, 'x'), JSON.stringify(text));
  }
});
