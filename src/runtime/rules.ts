/**
 * Behaviour rules: each a plain object with an ID, a severity and a pure test on
 * one event of a container (and the image's baseline, for deviations). The
 * list is the one table docs/runtime.md documents; enforcement is chosen per ID.
 */
import type { RatedSeverity } from '../core/index.js';
import { type KernelEvent, opensForWrite } from './events.js';

/** The container an event was attributed to. */
export interface ContainerRef {
  readonly id: string;
  readonly name: string;
  readonly imageId: string;
  readonly imageRef: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** What the baseline says about an event (baseline.ts): undefined while the image's window is still learning. */
export interface BaselineVerdict {
  readonly learning: boolean;
  readonly knownExec: boolean;
  readonly knownDestination: boolean;
}

export interface RuntimeRule {
  readonly id: string;
  /** A readable alias of the ID, accepted wherever an ID is (--enforce shell-in-container=kill). */
  readonly name: string;
  readonly severity: RatedSeverity;
  readonly title: string;
  /** Why it matters, for docs/runtime.md and the alert. */
  readonly description: string;
  /** A short detail when the event matches, else undefined. */
  readonly match: (e: KernelEvent, baseline: BaselineVerdict) => string | undefined;
}

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** Interactive and scripting shells (what `docker exec -it … sh` or a reverse shell starts). */
export const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'busybox']);

export const PACKAGE_MANAGERS = new Set([
  'apt',
  'apt-get',
  'dpkg',
  'aptitude',
  'apk',
  'yum',
  'dnf',
  'microdnf',
  'rpm',
  'zypper',
  'pip',
  'pip3',
  'npm',
  'yarn',
  'pnpm',
  'gem',
]);

/** Directories whose files belong to the image (FHS): a write there at run time is drift in the making. */
export const SYSTEM_DIRS = ['/etc/', '/bin/', '/sbin/', '/usr/', '/lib/', '/lib64/', '/lib32/'];

/** Files holding credentials (path prefixes and exact paths). */
export const CREDENTIAL_FILES: readonly RegExp[] = [
  /^\/etc\/(shadow|gshadow|sudoers)$/,
  /^\/etc\/sudoers\.d\//,
  /\/\.ssh\/(id_[a-z0-9]+|authorized_keys)$/,
  /^\/etc\/ssh\/ssh_host_[a-z0-9]+_key$/,
  /^\/(var\/)?run\/secrets\/kubernetes\.io\/serviceaccount\/token$/,
  /\/\.aws\/credentials$/,
  /\/\.docker\/config\.json$/,
  /\/\.kube\/config$/,
  /\/\.git-credentials$/,
  /\/\.netrc$/,
];

/** Stratum (the mining pool protocol): JSON-RPC with mining.* methods, or a stratum+tcp:// pool URL in argv. */
const STRATUM_METHOD = /"method"\s*:\s*"mining\.(subscribe|authorize|submit|extranonce)/;
const STRATUM_URL = /stratum\d?\+(tcp|ssl|tls):\/\//;

export const RULES: readonly RuntimeRule[] = [
  {
    id: 'CRT-001',
    name: 'shell-in-container',
    severity: 'medium',
    title: 'Shell spawned in a container',
    description: 'A shell ran inside a container: an operator (docker exec), a breakout attempt or a reverse shell.',
    match: (e) =>
      e.type === 'exec' && e.file && SHELLS.has(base(e.file))
        ? `${e.file} ${(e.args ?? []).join(' ')}`.trim()
        : undefined,
  },
  {
    id: 'CRT-002',
    name: 'package-manager',
    severity: 'medium',
    title: 'Package manager at run time',
    description: 'Software installed into a running container escapes the image scan; rebuild the image instead.',
    match: (e) =>
      e.type === 'exec' && e.file && PACKAGE_MANAGERS.has(base(e.file))
        ? `${e.file} ${(e.args ?? []).join(' ')}`.trim()
        : undefined,
  },
  {
    id: 'CRT-003',
    name: 'write-below-system-dir',
    severity: 'high',
    title: 'Write below a system directory',
    description:
      'A file under /etc, /bin, /sbin, /usr or /lib opened for writing at run time: the container departs from its image.',
    match: (e) =>
      e.type === 'open' &&
      e.file &&
      e.flags !== undefined &&
      opensForWrite(e.flags) &&
      SYSTEM_DIRS.some((d) => e.file?.startsWith(d))
        ? `${e.file} opened for writing by ${e.comm}`
        : undefined,
  },
  {
    id: 'CRT-004',
    name: 'outbound-not-in-baseline',
    severity: 'medium',
    title: 'Outbound connection not in the baseline',
    description:
      "A TCP connection to a destination this image's containers did not use while the baseline was learned.",
    match: (e, b) =>
      e.type === 'connect' && !b.learning && !b.knownDestination ? `${e.comm} → ${e.addr}:${e.port}` : undefined,
  },
  {
    id: 'CRT-005',
    name: 'crypto-miner',
    severity: 'critical',
    title: 'Crypto-miner pool protocol (Stratum)',
    description:
      'The container speaks Stratum (mining.subscribe/authorize/submit) or starts a miner with a stratum+tcp:// pool.',
    match: (e) => {
      if (e.type === 'send' && e.data && STRATUM_METHOD.test(e.data)) return `${e.comm} sent ${e.data.slice(0, 60)}`;
      if (e.type === 'exec' && (e.args ?? []).some((a) => STRATUM_URL.test(a)))
        return `${e.file} ${(e.args ?? []).join(' ')}`;
      return undefined;
    },
  },
  {
    id: 'CRT-006',
    name: 'privilege-escalation',
    severity: 'high',
    title: 'Privilege escalation',
    description:
      'A process gained root: a set-user-ID-root program ran for a non-root user, or a non-root process asked setuid(0).',
    match: (e) => {
      if (e.type === 'privesc') return `${e.file ?? e.comm} ran with effective uid 0 for uid ${e.uid}`;
      if (e.type === 'setuid' && e.target === 0 && e.uid !== 0) return `${e.comm} (uid ${e.uid}) called setuid(0)`;
      return undefined;
    },
  },
  {
    id: 'CRT-007',
    name: 'credentials-read',
    severity: 'high',
    title: 'Credentials file read',
    description:
      'A file holding credentials (shadow, SSH keys, service-account token, cloud or registry credentials) was opened.',
    match: (e) =>
      e.type === 'open' && e.file && CREDENTIAL_FILES.some((r) => r.test(e.file ?? ''))
        ? `${e.file} opened by ${e.comm}`
        : undefined,
  },
  {
    id: 'CRT-008',
    name: 'process-not-in-baseline',
    severity: 'low',
    title: 'Process not in the baseline',
    description: "A program ran that this image's containers did not run while the baseline was learned.",
    match: (e, b) => (e.type === 'exec' && !b.learning && !b.knownExec && e.file ? `${e.file}` : undefined),
  },
];

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);

/** A rule by ID or name. */
export function ruleByIdOrName(key: string): RuntimeRule | undefined {
  return RULES.find((r) => r.id === key || r.name === key);
}
