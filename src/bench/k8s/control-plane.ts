/**
 * `customs bench k8s-control-plane`: CIS Kubernetes Benchmark sections 1 and 2 on a
 * control-plane node's files under a root directory: the static pod manifests
 * (/etc/kubernetes/manifests/*.yaml, as kubeadm writes them) give each component's
 * flags — the first container's command and args — and the files beside them
 * (kubeconfigs, PKI, CNI, the etcd data directory) their modes and owners.
 */
import { parseAllDocuments } from 'yaml';
import { type BenchReport, type BenchResult, type BenchStatus, decide } from '../types.js';
import { K8S_BENCHMARK_VERSION, K8S_CONTROL_PLANE_CONTROLS } from './controls.js';
import { type OwnedFile, STRONG_CIPHERS, fileOwner, filePerms } from './node.js';
import { modeWithin, type NodeTree, octal, openNodeTree, parseFlags } from './node-files.js';

const MANIFESTS = '/etc/kubernetes/manifests';
export const COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface Manifest {
  readonly file: OwnedFile;
  /** Flags of the component's container, or why they could not be read. */
  readonly flags?: ReadonlyMap<string, string>;
  readonly error?: string;
}

export interface ControlPlaneFacts {
  readonly root: string;
  readonly manifests: Readonly<Record<Component, Manifest>>;
  readonly files: Readonly<Record<string, OwnedFile>>;
  readonly cni: readonly OwnedFile[];
  readonly pki: readonly OwnedFile[];
  readonly etcdDataDir: OwnedFile;
}

async function owned(tree: NodeTree, path: string): Promise<OwnedFile> {
  const st = await tree.stat(path);
  return st.exists ? { ...st, owner: tree.owner(st) } : st;
}

/** The flags of a static pod: the container named after the component (else the first), command then args. */
function podFlags(text: string, component: string): ReadonlyMap<string, string> | string {
  const docs = parseAllDocuments(text);
  const doc = docs[0];
  if (!doc || doc.errors.length > 0) return `is not YAML (${doc?.errors[0]?.message.split('\n')[0] ?? 'empty'})`;
  const pod = doc.toJS() as {
    kind?: unknown;
    spec?: { containers?: { name?: string; command?: unknown; args?: unknown }[] };
  };
  if (pod?.kind !== 'Pod') return 'is not a Pod manifest';
  const containers = pod.spec?.containers ?? [];
  const c = containers.find((x) => x.name === component) ?? containers[0];
  if (!c) return 'has no container';
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  return parseFlags([...strings(c.command), ...strings(c.args)]);
}

export async function collectControlPlaneFacts(root: string): Promise<ControlPlaneFacts> {
  const tree = await openNodeTree(root);
  const manifests = {} as Record<Component, Manifest>;
  for (const c of COMPONENTS) {
    const path = `${MANIFESTS}/${c}.yaml`;
    const file = await owned(tree, path);
    const text = await tree.text(path);
    if (text === undefined) {
      manifests[c] = { file, error: 'not found' };
      continue;
    }
    const flags = podFlags(text, c);
    manifests[c] = typeof flags === 'string' ? { file, error: flags } : { file, flags };
  }
  const files: Record<string, OwnedFile> = {};
  for (const p of [
    '/etc/kubernetes/admin.conf',
    '/etc/kubernetes/super-admin.conf',
    '/etc/kubernetes/scheduler.conf',
    '/etc/kubernetes/controller-manager.conf',
  ])
    files[p] = await owned(tree, p);
  const cni = await Promise.all((await tree.list('/etc/cni/net.d')).map((p) => owned(tree, p)));
  const pki: OwnedFile[] = [await owned(tree, '/etc/kubernetes/pki')];
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const p of await tree.list(dir)) {
      const f = await owned(tree, p);
      pki.push(f);
      if (f.isDirectory && depth < 4) await walk(p, depth + 1);
    }
  };
  if (pki[0]?.exists) await walk('/etc/kubernetes/pki', 0);
  const dataDir = manifests.etcd.flags?.get('data-dir') ?? '/var/lib/etcd';
  return { root, manifests, files, cni, pki, etcdDataDir: await owned(tree, dataDir) };
}

type Outcome = readonly [BenchStatus, readonly string[]];
type Judge = (f: ControlPlaneFacts) => Outcome;

/** A component's flag, judged: `check` gets the value (undefined when unset) and says pass or not. */
function flag(
  component: Component,
  name: string,
  check: (v: string | undefined) => boolean,
  bad: BenchStatus = 'fail',
  unsetNote = '',
): Judge {
  return (f) => {
    const m = f.manifests[component];
    if (!m.flags) return ['info', [`${m.file.path} ${m.error ?? 'unreadable'}`]];
    const v = m.flags.get(name);
    const ev =
      v === undefined
        ? `${m.file.path}: no --${name}${unsetNote ? ` (${unsetNote})` : ''}`
        : `${m.file.path}: --${name}=${v}`;
    return [check(v) ? 'pass' : bad, [ev]];
  };
}

/** Several flags all set. */
function flagsSet(component: Component, names: readonly string[]): Judge {
  return (f) => {
    const m = f.manifests[component];
    if (!m.flags) return ['info', [`${m.file.path} ${m.error ?? 'unreadable'}`]];
    const ev = names.map((n) =>
      m.flags?.has(n) ? `${m.file.path}: --${n}=${m.flags.get(n)}` : `${m.file.path}: no --${n}`,
    );
    return [names.every((n) => m.flags?.has(n)) ? 'pass' : 'fail', ev];
  };
}

const set = (v: string | undefined): boolean => v !== undefined && v !== '';
const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const has = (item: string) => (v: string | undefined) => list(v).includes(item);
const atLeast = (n: number) => (v: string | undefined) => v !== undefined && Number(v) >= n;

function allFiles(
  pick: (f: ControlPlaneFacts) => readonly OwnedFile[],
  what: string,
  test: (x: OwnedFile) => string | undefined,
  optional = false,
): Judge {
  return (f) => {
    const files = pick(f).filter((x) => x.exists);
    if (files.length === 0) return [optional ? 'info' : 'fail', [`${what}: none found`]];
    const bad = files.flatMap((x) => {
      const why = test(x);
      return why ? [`${x.path}: ${why}`] : [];
    });
    return bad.length > 0
      ? ['fail', bad]
      : ['pass', [`${files.length} file(s) under ${what}: ${files.map((x) => x.path).join(', ')}`]];
  };
}

const maxMode = (max: number) => (x: OwnedFile) =>
  modeWithin(x.mode, max) ? undefined : `mode ${octal(x.mode)} (at most ${octal(max)})`;
const ownedBy = (who: string) => (x: OwnedFile) => (x.owner === who ? undefined : `owner ${x.owner} (want ${who})`);
const manifest = (c: Component) => (f: ControlPlaneFacts) => f.manifests[c].file;
const adminConfs = (f: ControlPlaneFacts) =>
  [f.files['/etc/kubernetes/admin.conf'], f.files['/etc/kubernetes/super-admin.conf']].filter(
    (x): x is OwnedFile => x !== undefined,
  );

const JUDGES: Readonly<Record<string, Judge>> = {
  '1.1.1': (f) => filePerms(manifest('kube-apiserver')(f), 'API server manifest', 0o600),
  '1.1.2': (f) => fileOwner(manifest('kube-apiserver')(f), 'API server manifest'),
  '1.1.3': (f) => filePerms(manifest('kube-controller-manager')(f), 'controller manager manifest', 0o600),
  '1.1.4': (f) => fileOwner(manifest('kube-controller-manager')(f), 'controller manager manifest'),
  '1.1.5': (f) => filePerms(manifest('kube-scheduler')(f), 'scheduler manifest', 0o600),
  '1.1.6': (f) => fileOwner(manifest('kube-scheduler')(f), 'scheduler manifest'),
  '1.1.7': (f) => filePerms(manifest('etcd')(f), 'etcd manifest', 0o600),
  '1.1.8': (f) => fileOwner(manifest('etcd')(f), 'etcd manifest'),
  '1.1.9': allFiles((f) => f.cni, '/etc/cni/net.d', maxMode(0o600), true),
  '1.1.10': allFiles((f) => f.cni, '/etc/cni/net.d', ownedBy('root:root'), true),
  '1.1.11': (f) => filePerms(f.etcdDataDir, 'etcd data directory', 0o700, true),
  '1.1.12': (f) => fileOwner(f.etcdDataDir, 'etcd data directory', 'etcd:etcd', true),
  '1.1.13': allFiles(adminConfs, '/etc/kubernetes/admin.conf, super-admin.conf', maxMode(0o600)),
  '1.1.14': allFiles(adminConfs, '/etc/kubernetes/admin.conf, super-admin.conf', ownedBy('root:root')),
  '1.1.15': (f) => filePerms(f.files['/etc/kubernetes/scheduler.conf'], 'scheduler.conf', 0o600),
  '1.1.16': (f) => fileOwner(f.files['/etc/kubernetes/scheduler.conf'], 'scheduler.conf'),
  '1.1.17': (f) => filePerms(f.files['/etc/kubernetes/controller-manager.conf'], 'controller-manager.conf', 0o600),
  '1.1.18': (f) => fileOwner(f.files['/etc/kubernetes/controller-manager.conf'], 'controller-manager.conf'),
  '1.1.19': allFiles((f) => f.pki, '/etc/kubernetes/pki', ownedBy('root:root')),
  '1.1.20': allFiles((f) => f.pki.filter((x) => x.path.endsWith('.crt')), '/etc/kubernetes/pki/*.crt', maxMode(0o644)),
  '1.1.21': allFiles((f) => f.pki.filter((x) => x.path.endsWith('.key')), '/etc/kubernetes/pki/*.key', maxMode(0o600)),
  '1.2.1': flag('kube-apiserver', 'anonymous-auth', (v) => v === 'false', 'warn', 'the default is true'),
  '1.2.2': flag('kube-apiserver', 'token-auth-file', (v) => v === undefined),
  '1.2.3': flag('kube-apiserver', 'enable-admission-plugins', has('DenyServiceExternalIPs'), 'warn'),
  '1.2.4': flagsSet('kube-apiserver', ['kubelet-client-certificate', 'kubelet-client-key']),
  '1.2.5': flag('kube-apiserver', 'kubelet-certificate-authority', set),
  '1.2.6': flag(
    'kube-apiserver',
    'authorization-mode',
    (v) => v !== undefined && !has('AlwaysAllow')(v),
    'fail',
    'the default is AlwaysAllow',
  ),
  '1.2.7': flag('kube-apiserver', 'authorization-mode', has('Node')),
  '1.2.8': flag('kube-apiserver', 'authorization-mode', has('RBAC')),
  '1.2.9': flag('kube-apiserver', 'enable-admission-plugins', has('EventRateLimit'), 'warn'),
  '1.2.10': flag('kube-apiserver', 'enable-admission-plugins', (v) => !has('AlwaysAdmit')(v)),
  '1.2.11': flag('kube-apiserver', 'enable-admission-plugins', has('AlwaysPullImages'), 'warn'),
  '1.2.12': flag('kube-apiserver', 'disable-admission-plugins', (v) => !has('ServiceAccount')(v)),
  '1.2.13': flag('kube-apiserver', 'disable-admission-plugins', (v) => !has('NamespaceLifecycle')(v)),
  '1.2.14': flag('kube-apiserver', 'enable-admission-plugins', has('NodeRestriction')),
  '1.2.15': flag('kube-apiserver', 'profiling', (v) => v === 'false', 'fail', 'the default is true'),
  '1.2.16': flag('kube-apiserver', 'audit-log-path', set),
  '1.2.17': flag('kube-apiserver', 'audit-log-maxage', atLeast(30)),
  '1.2.18': flag('kube-apiserver', 'audit-log-maxbackup', atLeast(10)),
  '1.2.19': flag('kube-apiserver', 'audit-log-maxsize', atLeast(100)),
  '1.2.20': flag('kube-apiserver', 'request-timeout', () => false, 'manual', 'the default is 60s'),
  '1.2.21': flag('kube-apiserver', 'service-account-lookup', (v) => v !== 'false'),
  '1.2.22': flag('kube-apiserver', 'service-account-key-file', set),
  '1.2.23': flagsSet('kube-apiserver', ['etcd-certfile', 'etcd-keyfile']),
  '1.2.24': flagsSet('kube-apiserver', ['tls-cert-file', 'tls-private-key-file']),
  '1.2.25': flag('kube-apiserver', 'client-ca-file', set),
  '1.2.26': flag('kube-apiserver', 'etcd-cafile', set),
  '1.2.27': flag('kube-apiserver', 'encryption-provider-config', set, 'warn'),
  '1.2.28': flag('kube-apiserver', 'encryption-provider-config', () => false, 'manual'),
  '1.2.29': flag(
    'kube-apiserver',
    'tls-cipher-suites',
    (v) => v !== undefined && list(v).every((c) => STRONG_CIPHERS.has(c)),
    'warn',
  ),
  '1.2.30': flag(
    'kube-apiserver',
    'service-account-extend-token-expiration',
    (v) => v === 'false',
    'fail',
    'the default is true',
  ),
  '1.3.1': flag('kube-controller-manager', 'terminated-pod-gc-threshold', set, 'warn'),
  '1.3.2': flag('kube-controller-manager', 'profiling', (v) => v === 'false', 'fail', 'the default is true'),
  '1.3.3': flag('kube-controller-manager', 'use-service-account-credentials', (v) => v === 'true'),
  '1.3.4': flag('kube-controller-manager', 'service-account-private-key-file', set),
  '1.3.5': flag('kube-controller-manager', 'root-ca-file', set),
  '1.3.6': flag(
    'kube-controller-manager',
    'feature-gates',
    (v) => !list(v).includes('RotateKubeletServerCertificate=false'),
    'fail',
    'enabled by default',
  ),
  '1.3.7': flag('kube-controller-manager', 'bind-address', (v) => v === '127.0.0.1', 'fail', 'the default is 0.0.0.0'),
  '1.4.1': flag('kube-scheduler', 'profiling', (v) => v === 'false', 'fail', 'the default is true'),
  '1.4.2': flag('kube-scheduler', 'bind-address', (v) => v === '127.0.0.1', 'fail', 'the default is 0.0.0.0'),
  '2.1': flagsSet('etcd', ['cert-file', 'key-file']),
  '2.2': flag('etcd', 'client-cert-auth', (v) => v === 'true'),
  '2.3': flag('etcd', 'auto-tls', (v) => v !== 'true'),
  '2.4': flagsSet('etcd', ['peer-cert-file', 'peer-key-file']),
  '2.5': flag('etcd', 'peer-client-cert-auth', (v) => v === 'true'),
  '2.6': flag('etcd', 'peer-auto-tls', (v) => v !== 'true'),
  '2.7': (f) => {
    const e = f.manifests.etcd.flags?.get('trusted-ca-file');
    const a = f.manifests['kube-apiserver'].flags?.get('client-ca-file');
    if (e === undefined || a === undefined)
      return [
        'manual',
        [`etcd --trusted-ca-file=${e ?? '(unset)'}, kube-apiserver --client-ca-file=${a ?? '(unset)'}`],
      ];
    return [e === a ? 'warn' : 'pass', [`etcd --trusted-ca-file=${e}; kube-apiserver --client-ca-file=${a}`]];
  },
};

export function evaluateControlPlane(f: ControlPlaneFacts): BenchResult[] {
  return K8S_CONTROL_PLANE_CONTROLS.map((c) => {
    const j = JUDGES[c.id];
    if (!j) return decide(c, 'manual', ['not automated by customs']);
    const [status, evidence] = j(f);
    return decide(c, status, evidence);
  });
}

export async function benchK8sControlPlane(root: string): Promise<BenchReport> {
  const facts = await collectControlPlaneFacts(root);
  return {
    schemaVersion: 1,
    benchmark: 'cis-k8s-control-plane',
    benchmarkVersion: K8S_BENCHMARK_VERSION,
    target: root,
    results: evaluateControlPlane(facts),
  };
}
