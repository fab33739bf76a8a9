/**
 * `customs bench k8s-node`: CIS Kubernetes Benchmark section 4 on a worker node's
 * files under a root directory. The kubelet's settings are its flags (from the
 * systemd unit, its drop-ins and the environment files they name, as kubeadm
 * lays them out) over its config file (KubeletConfiguration, --config or
 * /var/lib/kubelet/config.yaml): a flag given on the command line wins over the
 * file (kubelet's documented precedence). Defaults are the KubeletConfiguration
 * v1beta1 defaults when a config file is used, and the flag defaults otherwise.
 */
import { parse as parseYaml } from 'yaml';
import type { FileStat } from '../docker/facts.js';
import { type BenchReport, type BenchResult, type BenchStatus, decide } from '../types.js';
import { K8S_BENCHMARK_VERSION, K8S_NODE_CONTROLS } from './controls.js';
import { modeWithin, type NodeTree, octal, openNodeTree } from './node-files.js';

/** A file with its owner as the tree names it. */
export type OwnedFile = FileStat & { readonly owner?: string };

export interface Setting {
  readonly value: unknown;
  readonly evidence: string;
}

export interface NodeFacts {
  readonly root: string;
  readonly serviceFile?: OwnedFile;
  /** kubelet flags with the file each came from. */
  readonly flags: ReadonlyMap<string, { readonly value: string; readonly source: string }>;
  readonly configFile: OwnedFile;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly configError?: string;
  readonly kubeconfig: OwnedFile;
  readonly caFile?: OwnedFile;
  readonly proxyKubeconfig?: OwnedFile;
  readonly proxyConfig?: { readonly path: string; readonly config: Readonly<Record<string, unknown>> };
}

// kube-bench's cfg/config.yaml lists these for kubeadm and the common distributions.
const SERVICE_FILES = [
  '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
  '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
  '/etc/systemd/system/kubelet.service',
  '/lib/systemd/system/kubelet.service',
  '/usr/lib/systemd/system/kubelet.service',
];
const PROXY_KUBECONFIGS = [
  '/etc/kubernetes/proxy.conf',
  '/var/lib/kube-proxy/kubeconfig.conf',
  '/etc/kubernetes/kubelet/config',
];
const PROXY_CONFIGS = ['/var/lib/kube-proxy/config.conf', '/etc/kubernetes/kube-proxy-config.yaml'];

/** Strong cipher suites (the benchmark's list: ECDHE with AEAD). */
export const STRONG_CIPHERS = new Set([
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
]);

const unquote = (s: string): string =>
  s
    .trim()
    .replace(/^"(.*)"$/s, '$1')
    .replace(/^'(.*)'$/s, '$1');

/** "--a=b" / "--a b" tokens of a command-line text, with their source. */
function addFlags(text: string, source: string, out: Map<string, { value: string; source: string }>): void {
  const tokens = text.split(/\s+/).map(unquote).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    if (!t.startsWith('--')) continue;
    const eq = t.indexOf('=');
    if (eq > 0) out.set(t.slice(2, eq), { value: t.slice(eq + 1), source });
    else if (
      i + 1 < tokens.length &&
      !(tokens[i + 1] as string).startsWith('-') &&
      !(tokens[i + 1] as string).startsWith('$')
    )
      out.set(t.slice(2), { value: tokens[++i] as string, source });
    else out.set(t.slice(2), { value: 'true', source });
  }
}

async function owned(tree: NodeTree, path: string): Promise<OwnedFile> {
  const st = await tree.stat(path);
  return st.exists ? { ...st, owner: tree.owner(st) } : st;
}

async function firstOwned(tree: NodeTree, paths: readonly string[]): Promise<OwnedFile | undefined> {
  for (const p of paths) {
    const f = await owned(tree, p);
    if (f.exists) return f;
  }
  return undefined;
}

function yamlObject(text: string): Record<string, unknown> | string {
  try {
    const v: unknown = parseYaml(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : 'is not a mapping';
  } catch (e) {
    return `is not YAML (${(e as Error).message.split('\n')[0]})`;
  }
}

/** Read a node's kubelet and kube-proxy files under `root`. */
export async function collectNodeFacts(root: string): Promise<NodeFacts> {
  const tree = await openNodeTree(root);
  const flags = new Map<string, { value: string; source: string }>();
  const units: string[] = [];
  for (const p of SERVICE_FILES) {
    if ((await tree.stat(p)).exists) units.push(p);
    const dropins = p.endsWith('.service') ? await tree.list(`${p}.d`) : [];
    for (const d of dropins) if (d.endsWith('.conf') && !units.includes(d)) units.push(d);
  }
  const serviceFile = await firstOwned(tree, SERVICE_FILES);
  const envFiles: string[] = [];
  for (const u of units) {
    for (const line of ((await tree.text(u)) ?? '').split('\n')) {
      const m = /^\s*(ExecStart|Environment|EnvironmentFile)\s*=\s*(.*)$/.exec(line);
      if (!m) continue;
      if (m[1] === 'EnvironmentFile') envFiles.push(unquote(m[2] as string).replace(/^-/, ''));
      else if (m[1] === 'Environment') addFlags(unquote(m[2] as string).replace(/^[A-Z_]+=/, ''), u, flags);
      else addFlags(m[2] as string, u, flags);
    }
  }
  for (const f of envFiles)
    for (const line of ((await tree.text(f)) ?? '').split('\n')) {
      const m = /^\s*[A-Z_]+=(.*)$/.exec(line);
      if (m) addFlags(unquote(m[1] as string), f, flags);
    }
  const configPath = flags.get('config')?.value ?? '/var/lib/kubelet/config.yaml';
  const configFile = await owned(tree, configPath);
  const text = await tree.text(configPath);
  const parsed = text === undefined ? undefined : yamlObject(text);
  const kubeconfig = await owned(tree, flags.get('kubeconfig')?.value ?? '/etc/kubernetes/kubelet.conf');
  const config = typeof parsed === 'object' ? parsed : undefined;
  const caPath =
    flags.get('client-ca-file')?.value ??
    (get(config, 'authentication.x509.clientCAFile') as string | undefined) ??
    '/etc/kubernetes/pki/ca.crt';
  const caFile = await owned(tree, caPath);
  const proxyKubeconfig = await firstOwned(tree, PROXY_KUBECONFIGS);
  let proxyConfig: NodeFacts['proxyConfig'];
  for (const p of PROXY_CONFIGS) {
    const t = await tree.text(p);
    const y = t === undefined ? undefined : yamlObject(t);
    if (typeof y === 'object') {
      proxyConfig = { path: p, config: y };
      break;
    }
  }
  return {
    root,
    ...(serviceFile ? { serviceFile } : {}),
    flags,
    configFile,
    ...(config ? { config } : {}),
    ...(typeof parsed === 'string' ? { configError: parsed } : {}),
    kubeconfig,
    ...(caFile.exists ? { caFile } : {}),
    ...(proxyKubeconfig ? { proxyKubeconfig } : {}),
    ...(proxyConfig ? { proxyConfig } : {}),
  };
}

/** A dotted path in a parsed YAML object. */
export function get(obj: Readonly<Record<string, unknown>> | undefined, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

type Outcome = readonly [BenchStatus, readonly string[]];

/** The kubelet setting: its flag, else its config-file field; undefined when neither sets it. */
function setting(f: NodeFacts, flag: string, field: string): Setting | undefined {
  const fl = f.flags.get(flag);
  if (fl) return { value: fl.value, evidence: `kubelet flag --${flag}=${fl.value} (${fl.source})` };
  const v = get(f.config, field);
  if (v !== undefined) return { value: v, evidence: `${f.configFile.path}: ${field}: ${JSON.stringify(v)}` };
  return undefined;
}

function unsetText(f: NodeFacts, flag: string, field: string): string {
  const cfg = f.config
    ? `${field} not in ${f.configFile.path}`
    : `config file ${f.configFile.path} ${f.configError ?? 'absent'}`;
  return `no --${flag} flag; ${cfg}`;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const isTrue = (v: unknown): boolean => v === true || str(v).toLowerCase() === 'true';
const isFalse = (v: unknown): boolean => v === false || str(v).toLowerCase() === 'false';

export function filePerms(file: OwnedFile | undefined, what: string, max: number, optional = false): Outcome {
  if (!file?.exists) return [optional ? 'info' : 'fail', [`${file?.path ?? what}: not found`]];
  const ok = modeWithin(file.mode, max);
  return [ok ? 'pass' : 'fail', [`${file.path}: mode ${octal(file.mode)} (at most ${octal(max)})`]];
}

export function fileOwner(file: OwnedFile | undefined, what: string, want = 'root:root', optional = false): Outcome {
  if (!file?.exists) return [optional ? 'info' : 'fail', [`${file?.path ?? what}: not found`]];
  return [file.owner === want ? 'pass' : 'fail', [`${file.path}: owner ${file.owner} (want ${want})`]];
}

type Judge = (f: NodeFacts) => Outcome;

/** A setting judged by `ok`; `dflt` is the outcome when nothing sets it. */
function judgeSetting(
  flag: string,
  field: string,
  ok: (v: unknown) => boolean,
  dflt: (f: NodeFacts) => Outcome,
  bad: BenchStatus = 'fail',
): Judge {
  return (f) => {
    const s = setting(f, flag, field);
    if (s === undefined) {
      const [st, ev] = dflt(f);
      return [st, [`${unsetText(f, flag, field)}: ${ev.join('; ')}`]];
    }
    return [ok(s.value) ? 'pass' : bad, [s.evidence]];
  };
}

/** With a config file the v1beta1 default applies; with flags only, the flag default. */
const byDefault =
  (withConfig: Outcome, flagsOnly: Outcome) =>
  (f: NodeFacts): Outcome =>
    f.config ? withConfig : flagsOnly;

const JUDGES: Readonly<Record<string, Judge>> = {
  '4.1.1': (f) => filePerms(f.serviceFile, 'kubelet service file', 0o600),
  '4.1.2': (f) => fileOwner(f.serviceFile, 'kubelet service file'),
  '4.1.3': (f) => filePerms(f.proxyKubeconfig, 'proxy kubeconfig', 0o600, true),
  '4.1.4': (f) => fileOwner(f.proxyKubeconfig, 'proxy kubeconfig', 'root:root', true),
  '4.1.5': (f) => filePerms(f.kubeconfig, 'kubelet kubeconfig', 0o600),
  '4.1.6': (f) => fileOwner(f.kubeconfig, 'kubelet kubeconfig'),
  '4.1.7': (f) => filePerms(f.caFile, 'client CA file', 0o644, true),
  '4.1.8': (f) => fileOwner(f.caFile, 'client CA file', 'root:root', true),
  '4.1.9': (f) => filePerms(f.configFile, 'kubelet config file', 0o600, true),
  '4.1.10': (f) => fileOwner(f.configFile, 'kubelet config file', 'root:root', true),
  '4.2.1': judgeSetting('anonymous-auth', 'authentication.anonymous.enabled', isFalse, () => [
    'fail',
    ['the default is true'],
  ]),
  '4.2.2': judgeSetting(
    'authorization-mode',
    'authorization.mode',
    (v) => !str(v).split(',').includes('AlwaysAllow'),
    byDefault(['pass', ['the config-file default is Webhook']], ['fail', ['the flag default is AlwaysAllow']]),
  ),
  '4.2.3': judgeSetting(
    'client-ca-file',
    'authentication.x509.clientCAFile',
    (v) => str(v) !== '',
    () => ['fail', ['not set']],
  ),
  '4.2.4': judgeSetting(
    'read-only-port',
    'readOnlyPort',
    (v) => Number(v) === 0,
    byDefault(['pass', ['the config-file default is 0']], ['fail', ['the flag default is 10255']]),
    'warn',
  ),
  '4.2.5': judgeSetting(
    'streaming-connection-idle-timeout',
    'streamingConnectionIdleTimeout',
    (v) => !/^0+(s|m|h)?$/.test(str(v)),
    () => ['pass', ['the default is 4h']],
    'warn',
  ),
  '4.2.6': judgeSetting(
    'make-iptables-util-chains',
    'makeIPTablesUtilChains',
    (v) => !isFalse(v),
    () => ['pass', ['the default is true']],
  ),
  '4.2.7': (f) => {
    const h = f.flags.get('hostname-override');
    return h
      ? ['warn', [`kubelet flag --hostname-override=${h.value} (${h.source})`]]
      : ['pass', ['no --hostname-override flag']];
  },
  '4.2.8': judgeSetting(
    'event-qps',
    'eventRecordQPS',
    (v) => Number(v) >= 0,
    () => ['manual', ['the default is 50; judge whether it captures the events needed']],
    'warn',
  ),
  '4.2.9': (f) => {
    const cert = setting(f, 'tls-cert-file', 'tlsCertFile');
    const key = setting(f, 'tls-private-key-file', 'tlsPrivateKeyFile');
    if (cert && key) return ['pass', [cert.evidence, key.evidence]];
    const boot = setting(f, 'rotate-server-certificates', 'serverTLSBootstrap');
    if (boot && isTrue(boot.value)) return ['pass', [`${boot.evidence}: serving certificate from the cluster CA`]];
    return [
      'warn',
      [
        `tlsCertFile/tlsPrivateKeyFile not both set and no serverTLSBootstrap: the kubelet serves a self-signed certificate (${f.configFile.path})`,
      ],
    ];
  },
  '4.2.10': judgeSetting(
    'rotate-certificates',
    'rotateCertificates',
    (v) => !isFalse(v),
    () => ['pass', ['not set to false']],
  ),
  '4.2.11': (f) => {
    const fg = f.flags.get('feature-gates');
    const fromFlag = fg?.value.split(',').find((x) => x.startsWith('RotateKubeletServerCertificate='));
    if (fromFlag)
      return [
        fromFlag.endsWith('=false') ? 'fail' : 'pass',
        [`kubelet flag --feature-gates=${fg?.value} (${fg?.source})`],
      ];
    const v = get(f.config, 'featureGates.RotateKubeletServerCertificate');
    if (v !== undefined)
      return [
        isFalse(v) ? 'fail' : 'pass',
        [`${f.configFile.path}: featureGates.RotateKubeletServerCertificate: ${str(v)}`],
      ];
    return ['pass', ['RotateKubeletServerCertificate not set: enabled by default since Kubernetes 1.12']];
  },
  '4.2.12': (f) => {
    const s = setting(f, 'tls-cipher-suites', 'tlsCipherSuites');
    if (s === undefined)
      return [
        'warn',
        [`${unsetText(f, 'tls-cipher-suites', 'tlsCipherSuites')}: Go's defaults apply, CBC suites included`],
      ];
    const list = Array.isArray(s.value) ? s.value.map(str) : str(s.value).split(',');
    const weak = list.filter((c) => !STRONG_CIPHERS.has(c.trim()));
    return weak.length > 0 ? ['fail', [s.evidence, `not strong: ${weak.join(', ')}`]] : ['pass', [s.evidence]];
  },
  '4.2.13': judgeSetting(
    'pod-max-pids',
    'podPidsLimit',
    (v) => Number(v) > 0,
    () => ['warn', ['no limit (the default -1)']],
    'warn',
  ),
  '4.2.14': judgeSetting('seccomp-default', 'seccompDefault', isTrue, () => ['warn', ['the default is false']], 'warn'),
  '4.3.1': (f) => {
    if (!f.proxyConfig) return ['info', [`no kube-proxy configuration file found (${PROXY_CONFIGS.join(', ')})`]];
    const addr = get(f.proxyConfig.config, 'metricsBindAddress');
    const ev = `${f.proxyConfig.path}: metricsBindAddress: ${addr === undefined ? '(unset: 127.0.0.1:10249)' : str(addr)}`;
    if (addr === undefined || addr === '') return ['pass', [ev]];
    return [/^(127\.0\.0\.1|localhost|\[::1\]):/.test(str(addr)) ? 'pass' : 'fail', [ev]];
  },
};

export function evaluateNode(f: NodeFacts): BenchResult[] {
  return K8S_NODE_CONTROLS.map((c) => {
    const j = JUDGES[c.id];
    if (!j) return decide(c, 'manual', ['not automated by customs']);
    const [status, evidence] = j(f);
    return decide(c, status, evidence);
  });
}

export async function benchK8sNode(root: string): Promise<BenchReport> {
  const facts = await collectNodeFacts(root);
  return {
    schemaVersion: 1,
    benchmark: 'cis-k8s-node',
    benchmarkVersion: K8S_BENCHMARK_VERSION,
    target: root,
    results: evaluateNode(facts),
  };
}
