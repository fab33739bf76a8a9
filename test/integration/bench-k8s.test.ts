/**
 * `customs bench k8s-node` and `k8s-control-plane` on node file trees built by the
 * test: a kubeadm-shaped kubelet unit drop-in, flags env file and
 * KubeletConfiguration, and static pod manifests whose pod shape comes from
 * `kubectl create job … --dry-run=client -o json` (the job's pod template, as a
 * Pod: kubectl's own container layout, command and args). One tree passes, a
 * loosened copy fails, and the evidence names the file or flag that decided.
 */
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { run, runCustoms } from '../support/images.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tree(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'customs-k8s-'));
  dirs.push(d);
  return d;
}

async function put(root: string, path: string, text: string, mode = 0o600, uid = 0): Promise<void> {
  const host = join(root, path);
  await mkdir(dirname(host), { recursive: true });
  await writeFile(host, text);
  await chmod(host, mode);
  await chown(host, uid, uid);
}

interface Result {
  id: string;
  status: string;
  evidence: string[];
}

async function bench(kind: 'k8s-node' | 'k8s-control-plane', root: string): Promise<Map<string, Result>> {
  const r = await runCustoms(['bench', kind, '--root', root, '-f', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return new Map((JSON.parse(r.stdout) as { results: Result[] }).results.map((x) => [x.id, x]));
}

// kubeadm's drop-in (kubernetes/release: cmd/kubepkg/templates/latest/deb/kubeadm/10-kubeadm.conf).
const DROPIN = `[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

/** A KubeletConfiguration (kubelet.config.k8s.io/v1beta1). */
function kubeletConfig(hardened: boolean): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: ${!hardened}
  webhook:
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: ${hardened ? 'Webhook' : 'AlwaysAllow'}
readOnlyPort: ${hardened ? 0 : 10255}
makeIPTablesUtilChains: ${hardened}
rotateCertificates: ${hardened}
serverTLSBootstrap: ${hardened}
podPidsLimit: ${hardened ? 4096 : -1}
seccompDefault: ${hardened}
tlsCipherSuites: [${hardened ? 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' : 'TLS_RSA_WITH_AES_128_CBC_SHA'}]
cgroupDriver: systemd
`;
}

async function nodeTree(hardened: boolean): Promise<string> {
  const root = await tree();
  const loose = hardened ? 0o600 : 0o644;
  await put(root, 'etc/systemd/system/kubelet.service.d/10-kubeadm.conf', DROPIN, loose);
  await put(
    root,
    'var/lib/kubelet/kubeadm-flags.env',
    'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock"\n',
    0o644,
  );
  await put(root, 'var/lib/kubelet/config.yaml', kubeletConfig(hardened), loose);
  await put(root, 'etc/kubernetes/kubelet.conf', 'apiVersion: v1\nkind: Config\n', 0o600, hardened ? 0 : 1000);
  await put(root, 'etc/kubernetes/pki/ca.crt', '-----BEGIN CERTIFICATE-----\n', 0o644);
  await put(
    root,
    'var/lib/kube-proxy/config.conf',
    `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: ${hardened ? '127.0.0.1:10249' : '0.0.0.0:10249'}\n`,
    0o644,
  );
  return root;
}

test('k8s-node: a hardened kubelet passes, a loosened one fails with the file or flag named', async () => {
  const good = await bench('k8s-node', await nodeTree(true));
  for (const id of [
    '4.1.1',
    '4.1.2',
    '4.1.5',
    '4.1.6',
    '4.1.7',
    '4.1.8',
    '4.1.9',
    '4.1.10',
    '4.2.1',
    '4.2.2',
    '4.2.3',
    '4.2.4',
    '4.2.6',
    '4.2.9',
    '4.2.10',
    '4.2.12',
    '4.2.13',
    '4.2.14',
    '4.3.1',
  ])
    assert.equal(good.get(id)?.status, 'pass', `${id}: ${JSON.stringify(good.get(id))}`);
  const badRoot = await nodeTree(false);
  const bad = await bench('k8s-node', badRoot);
  for (const id of ['4.1.1', '4.1.6', '4.1.9', '4.2.1', '4.2.2', '4.2.6', '4.2.10', '4.2.12', '4.3.1'])
    assert.equal(bad.get(id)?.status, 'fail', `${id}: ${JSON.stringify(bad.get(id))}`);
  for (const id of ['4.2.4', '4.2.13', '4.2.14', '4.2.9']) assert.equal(bad.get(id)?.status, 'warn', id);
  assert.deepEqual(bad.get('4.2.1')?.evidence, [
    '/var/lib/kubelet/config.yaml: authentication.anonymous.enabled: true',
  ]);
  assert.deepEqual(bad.get('4.1.6')?.evidence, ['/etc/kubernetes/kubelet.conf: owner 1000:1000 (want root:root)']);
  assert.deepEqual(bad.get('4.1.1')?.evidence, [
    '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf: mode 644 (at most 600)',
  ]);

  // A flag wins over the config file (kubelet's precedence): the hardened file, an insecure flag.
  const flagged = await nodeTree(true);
  await put(
    flagged,
    'etc/default/kubelet',
    'KUBELET_EXTRA_ARGS="--anonymous-auth=true --hostname-override=node-x"\n',
    0o644,
  );
  const f = await bench('k8s-node', flagged);
  assert.equal(f.get('4.2.1')?.status, 'fail');
  assert.deepEqual(f.get('4.2.1')?.evidence, ['kubelet flag --anonymous-auth=true (/etc/default/kubelet)']);
  assert.equal(f.get('4.2.7')?.status, 'warn');
});

/** A static pod manifest: the pod template kubectl makes for the command, as a kube-system Pod. */
async function staticPod(name: string, image: string, argv: readonly string[]): Promise<string> {
  const job = await run('kubectl', [
    'create',
    'job',
    name,
    `--image=${image}`,
    '--dry-run=client',
    '-o',
    'json',
    '--',
    ...argv,
  ]);
  const spec = (JSON.parse(job.stdout) as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'kube-system', labels: { component: name, tier: 'control-plane' } },
    spec: { ...spec, hostNetwork: true, restartPolicy: 'Always', priorityClassName: 'system-node-critical' },
  };
  return `${JSON.stringify(pod, null, 2)}\n`;
}

const PKI = '/etc/kubernetes/pki';
const API_GOOD = [
  'kube-apiserver',
  '--anonymous-auth=false',
  '--authorization-mode=Node,RBAC',
  '--enable-admission-plugins=NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs',
  '--profiling=false',
  '--audit-log-path=/var/log/apiserver/audit.log',
  '--audit-log-maxage=30',
  '--audit-log-maxbackup=10',
  '--audit-log-maxsize=100',
  `--kubelet-client-certificate=${PKI}/apiserver-kubelet-client.crt`,
  `--kubelet-client-key=${PKI}/apiserver-kubelet-client.key`,
  `--kubelet-certificate-authority=${PKI}/ca.crt`,
  `--service-account-key-file=${PKI}/sa.pub`,
  `--etcd-certfile=${PKI}/apiserver-etcd-client.crt`,
  `--etcd-keyfile=${PKI}/apiserver-etcd-client.key`,
  `--etcd-cafile=${PKI}/etcd/ca.crt`,
  `--tls-cert-file=${PKI}/apiserver.crt`,
  `--tls-private-key-file=${PKI}/apiserver.key`,
  `--client-ca-file=${PKI}/ca.crt`,
  '--service-account-extend-token-expiration=false',
  '--encryption-provider-config=/etc/kubernetes/enc.yaml',
];
const API_BAD = [
  'kube-apiserver',
  '--authorization-mode=AlwaysAllow',
  '--token-auth-file=/etc/kubernetes/tokens.csv',
  '--enable-admission-plugins=AlwaysAdmit',
  '--profiling=true',
  '--disable-admission-plugins=ServiceAccount',
];
const CM_GOOD = [
  'kube-controller-manager',
  '--profiling=false',
  '--use-service-account-credentials=true',
  `--service-account-private-key-file=${PKI}/sa.key`,
  `--root-ca-file=${PKI}/ca.crt`,
  '--bind-address=127.0.0.1',
  '--terminated-pod-gc-threshold=10',
];
const CM_BAD = [
  'kube-controller-manager',
  '--bind-address=0.0.0.0',
  '--feature-gates=RotateKubeletServerCertificate=false',
];
const SCHED_GOOD = ['kube-scheduler', '--profiling=false', '--bind-address=127.0.0.1'];
const SCHED_BAD = ['kube-scheduler', '--bind-address=0.0.0.0'];
const ETCD_GOOD = [
  'etcd',
  `--cert-file=${PKI}/etcd/server.crt`,
  `--key-file=${PKI}/etcd/server.key`,
  '--client-cert-auth=true',
  `--peer-cert-file=${PKI}/etcd/peer.crt`,
  `--peer-key-file=${PKI}/etcd/peer.key`,
  '--peer-client-cert-auth=true',
  `--trusted-ca-file=${PKI}/etcd/ca.crt`,
  '--data-dir=/var/lib/etcd',
];
const ETCD_BAD = ['etcd', '--auto-tls=true', '--peer-auto-tls=true', '--data-dir=/var/lib/etcd'];

async function controlPlaneTree(hardened: boolean): Promise<string> {
  const root = await tree();
  const mode = hardened ? 0o600 : 0o644;
  const v = 'v1.32.0';
  await put(
    root,
    'etc/kubernetes/manifests/kube-apiserver.yaml',
    await staticPod('kube-apiserver', `registry.k8s.io/kube-apiserver:${v}`, hardened ? API_GOOD : API_BAD),
    mode,
  );
  await put(
    root,
    'etc/kubernetes/manifests/kube-controller-manager.yaml',
    await staticPod(
      'kube-controller-manager',
      `registry.k8s.io/kube-controller-manager:${v}`,
      hardened ? CM_GOOD : CM_BAD,
    ),
    mode,
  );
  await put(
    root,
    'etc/kubernetes/manifests/kube-scheduler.yaml',
    await staticPod('kube-scheduler', `registry.k8s.io/kube-scheduler:${v}`, hardened ? SCHED_GOOD : SCHED_BAD),
    mode,
  );
  await put(
    root,
    'etc/kubernetes/manifests/etcd.yaml',
    await staticPod('etcd', 'registry.k8s.io/etcd:3.5.16-0', hardened ? ETCD_GOOD : ETCD_BAD),
    mode,
    hardened ? 0 : 1000,
  );
  for (const f of ['admin.conf', 'super-admin.conf', 'scheduler.conf', 'controller-manager.conf'])
    await put(root, `etc/kubernetes/${f}`, 'apiVersion: v1\nkind: Config\n', mode);
  await put(root, 'etc/kubernetes/pki/ca.crt', 'cert\n', 0o644);
  await put(root, 'etc/kubernetes/pki/ca.key', 'key\n', hardened ? 0o600 : 0o644);
  await put(root, 'etc/kubernetes/pki/etcd/ca.crt', 'cert\n', 0o644);
  await put(
    root,
    'etc/passwd',
    'root:x:0:0:root:/root:/bin/sh\netcd:x:900:900::/var/lib/etcd:/usr/sbin/nologin\n',
    0o644,
  );
  await put(root, 'etc/group', 'root:x:0:\netcd:x:900:\n', 0o644);
  await mkdir(join(root, 'var/lib/etcd'), { recursive: true });
  await chmod(join(root, 'var/lib/etcd'), hardened ? 0o700 : 0o755);
  await chown(join(root, 'var/lib/etcd'), hardened ? 900 : 0, hardened ? 900 : 0);
  return root;
}

test('k8s-control-plane: hardened static pods pass, loosened ones fail, from kubectl-shaped manifests', async () => {
  const good = await bench('k8s-control-plane', await controlPlaneTree(true));
  const passing = [
    '1.1.1',
    '1.1.2',
    '1.1.3',
    '1.1.7',
    '1.1.8',
    '1.1.11',
    '1.1.12',
    '1.1.13',
    '1.1.14',
    '1.1.15',
    '1.1.19',
    '1.1.20',
    '1.1.21',
    '1.2.1',
    '1.2.2',
    '1.2.4',
    '1.2.5',
    '1.2.6',
    '1.2.7',
    '1.2.8',
    '1.2.9',
    '1.2.10',
    '1.2.11',
    '1.2.12',
    '1.2.13',
    '1.2.14',
    '1.2.15',
    '1.2.16',
    '1.2.17',
    '1.2.18',
    '1.2.19',
    '1.2.21',
    '1.2.22',
    '1.2.23',
    '1.2.24',
    '1.2.25',
    '1.2.26',
    '1.2.27',
    '1.2.30',
    '1.3.1',
    '1.3.2',
    '1.3.3',
    '1.3.4',
    '1.3.5',
    '1.3.6',
    '1.3.7',
    '1.4.1',
    '1.4.2',
    '2.1',
    '2.2',
    '2.3',
    '2.4',
    '2.5',
    '2.6',
    '2.7',
  ];
  for (const id of passing) assert.equal(good.get(id)?.status, 'pass', `${id}: ${JSON.stringify(good.get(id))}`);
  const bad = await bench('k8s-control-plane', await controlPlaneTree(false));
  const failing = [
    '1.1.1',
    '1.1.8',
    '1.1.11',
    '1.1.12',
    '1.1.13',
    '1.1.21',
    '1.2.2',
    '1.2.6',
    '1.2.7',
    '1.2.8',
    '1.2.10',
    '1.2.12',
    '1.2.14',
    '1.2.15',
    '1.2.16',
    '1.2.24',
    '1.3.2',
    '1.3.3',
    '1.3.6',
    '1.3.7',
    '1.4.1',
    '1.4.2',
    '2.1',
    '2.2',
    '2.3',
    '2.5',
    '2.6',
  ];
  for (const id of failing) assert.equal(bad.get(id)?.status, 'fail', `${id}: ${JSON.stringify(bad.get(id))}`);
  assert.deepEqual(bad.get('1.2.6')?.evidence, [
    '/etc/kubernetes/manifests/kube-apiserver.yaml: --authorization-mode=AlwaysAllow',
  ]);
  assert.deepEqual(bad.get('1.1.12')?.evidence, ['/var/lib/etcd: owner root:root (want etcd:etcd)']);
  assert.deepEqual(bad.get('2.3')?.evidence, ['/etc/kubernetes/manifests/etcd.yaml: --auto-tls=true']);
});

test('k8s-control-plane: a tree without manifests reports each flag control as info, naming the missing file', async () => {
  const r = await bench('k8s-control-plane', await tree());
  assert.equal(r.get('1.2.6')?.status, 'info');
  assert.deepEqual(r.get('1.2.6')?.evidence, ['/etc/kubernetes/manifests/kube-apiserver.yaml not found']);
  assert.equal(r.get('1.1.1')?.status, 'fail');
});

test('report compliance reads the bench JSON: cis-k8s and NIST SP 800-190 over a failing node and control plane', async () => {
  const out = await tree();
  const node = join(out, 'node.json');
  const cp = join(out, 'cp.json');
  for (const [kind, root, file] of [
    ['k8s-node', await nodeTree(false), node],
    ['k8s-control-plane', await controlPlaneTree(false), cp],
  ] as const) {
    const r = await runCustoms(['bench', kind, '--root', root, '-f', 'json', '-o', file]);
    assert.equal(r.code, 0, r.stderr);
  }
  const k = await runCustoms(['report', 'compliance', '--framework', 'cis-k8s', '--input', node, cp, '-f', 'json']);
  assert.equal(k.code, 0, k.stderr);
  const doc = JSON.parse(k.stdout) as { controls: { id: string; status: string; evidence: string[] }[] };
  const c126 = doc.controls.find((c) => c.id === '1.2.6');
  assert.equal(c126?.status, 'fail');
  assert.match(
    c126?.evidence[0] ?? '',
    /cp\.json: cis-k8s-control-plane 1\.2\.6 fail: .*--authorization-mode=AlwaysAllow/,
  );
  const nist = await runCustoms([
    'report',
    'compliance',
    '--framework',
    'nist-800-190',
    '--input',
    node,
    cp,
    '-f',
    'junit',
    '--exit-code',
  ]);
  assert.equal(nist.code, 1, 'a failed countermeasure with --exit-code exits 1');
  assert.match(
    nist.stdout,
    /<testcase classname="nist-800-190" name="4\.3\.1 Unbounded administrative access" time="0">\n {6}<failure/,
  );
  const bad = await runCustoms([
    'report',
    'compliance',
    '--framework',
    'nist-800-190',
    '--input',
    join(out, 'missing.json'),
  ]);
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /COMPLIANCE_INPUT_INVALID/);
});
