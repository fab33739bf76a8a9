/**
 * Compliance reports (`customs report compliance`): the results customs has — image
 * and host scans, Dockerfile and Kubernetes check runs, bench reports — read
 * against a framework's list of controls. Each control is pass, fail or
 * not-assessed, with the evidence that decided it (docs/compliance.md).
 *
 * A control's status comes from its evidence sources: any failing source fails
 * it; otherwise any passing source passes it; with no deciding source it is
 * not-assessed. Bench controls with status warn, info or manual add evidence but
 * decide nothing (a person has to look). A check that ran and found nothing
 * passes its control only where it applies (image checks on image scans,
 * Dockerfile checks on Dockerfile runs, Kubernetes checks on manifest runs).
 */
import { type BenchReport, DOCKER_CONTROLS, K8S_CONTROL_PLANE_CONTROLS, K8S_NODE_CONTROLS } from '../bench/index.js';
import {
  type CheckStandards,
  DOCKERFILE_CHECKS,
  HISTORY_CHECKS,
  IMAGE_CHECKS,
  KUBERNETES_CHECKS,
  type Misconfiguration,
} from '../checks/index.js';
import { type Finding, findingsOf, type ScanResult } from '../result/index.js';

export const FRAMEWORKS = ['nist-800-190', 'cis-docker', 'cis-k8s'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export type ComplianceStatus = 'pass' | 'fail' | 'not-assessed';

/** One input file, recognised by its shape. */
export type ComplianceInput =
  | { readonly source: string; readonly kind: 'scan'; readonly scan: ScanResult }
  | {
      readonly source: string;
      readonly kind: 'config';
      readonly config: {
        readonly kind: string;
        readonly target: string;
        readonly misconfigurations: readonly Misconfiguration[];
      };
    }
  | { readonly source: string; readonly kind: 'bench'; readonly bench: BenchReport };

export interface ComplianceControl {
  readonly id: string;
  /** The group the framework puts it in: "Image countermeasures", "Container Runtime". */
  readonly group: string;
  readonly title: string;
  readonly status: ComplianceStatus;
  /** Every line of evidence, the deciding ones first; "(no evidence …)" when none. */
  readonly evidence: readonly string[];
}

export interface ComplianceReport {
  readonly schemaVersion: 1;
  readonly framework: Framework;
  readonly frameworkTitle: string;
  readonly inputs: readonly {
    readonly source: string;
    readonly kind: ComplianceInput['kind'];
    readonly what: string;
  }[];
  readonly controls: readonly ComplianceControl[];
}

/** One source's say on a control. */
interface Decision {
  readonly status: 'pass' | 'fail' | 'note';
  readonly evidence: string;
}

type Source = (inputs: readonly ComplianceInput[]) => Decision[];

function combine(
  id: string,
  group: string,
  title: string,
  inputs: readonly ComplianceInput[],
  sources: readonly Source[],
): ComplianceControl {
  const ds = sources.flatMap((s) => s(inputs));
  const fails = ds.filter((d) => d.status === 'fail');
  const passes = ds.filter((d) => d.status === 'pass');
  const notes = ds.filter((d) => d.status === 'note');
  const status: ComplianceStatus = fails.length > 0 ? 'fail' : passes.length > 0 ? 'pass' : 'not-assessed';
  const evidence = [...fails, ...passes, ...notes].map((d) => d.evidence);
  return {
    id,
    group,
    title,
    status,
    evidence: evidence.length > 0 ? [...new Set(evidence)] : ['(no evidence among the inputs)'],
  };
}

// ---- evidence sources ---------------------------------------------------------------

const scans = (inputs: readonly ComplianceInput[]) =>
  inputs.flatMap((i) => (i.kind === 'scan' ? [{ source: i.source, scan: i.scan }] : []));
const benches = (inputs: readonly ComplianceInput[]) =>
  inputs.flatMap((i) => (i.kind === 'bench' ? [{ source: i.source, bench: i.bench }] : []));

const targetOf = (s: ScanResult): string => s.inventory.target.name;
/** A scan of a host's filesystem (`customs scan host`, dir:). */
const isHostScan = (s: ScanResult): boolean => s.inventory.target.transport === 'dir' || targetOf(s).startsWith('dir:');

/** Bench controls of a benchmark, by number: pass/fail decide, warn/info/manual are notes. */
function bench(benchmark: BenchReport['benchmark'] | 'cis-k8s', ids: readonly string[]): Source {
  return (inputs) =>
    benches(inputs).flatMap(({ source, bench: b }) => {
      if (benchmark === 'cis-k8s' ? !b.benchmark.startsWith('cis-k8s') : b.benchmark !== benchmark) return [];
      return b.results
        .filter((r) => ids.includes(r.id))
        .map(
          (r): Decision => ({
            status: r.status === 'pass' ? 'pass' : r.status === 'fail' ? 'fail' : 'note',
            evidence: `${source}: ${b.benchmark} ${r.id} ${r.status}: ${r.evidence.join('; ')}`,
          }),
        );
    });
}

const countFindings = (fs: readonly Finding[]): string =>
  fs
    .slice(0, 5)
    .map((f) => f.summary)
    .join('; ') + (fs.length > 5 ? `; … ${fs.length - 5} more` : '');

/**
 * Findings of a scanner in scans (`which` picks the scans, `keep` the findings that
 * fail the control): fail naming them, or pass when the scanner ran and none is kept.
 */
function scanFindings(
  scanner: string,
  keep: (f: Finding) => boolean,
  what: string,
  which: (s: ScanResult) => boolean = () => true,
): Source {
  return (inputs) =>
    scans(inputs).flatMap(({ source, scan }) => {
      if (!which(scan) || !scan.scanners.includes(scanner)) return [];
      const bad = findingsOf(scan).filter((f) => f.scanner === scanner && keep(f));
      return [
        bad.length > 0
          ? { status: 'fail', evidence: `${source}: ${targetOf(scan)}: ${bad.length} ${what}: ${countFindings(bad)}` }
          : { status: 'pass', evidence: `${source}: ${targetOf(scan)}: no ${what} (${scanner} scanner ran)` },
      ];
    });
}

const highOrWorse = (f: Finding): boolean => f.severity === 'critical' || f.severity === 'high';
const OS_TYPES = new Set(['deb', 'rpm', 'apk']);
const purlType = (f: Finding): string => /^pkg:([^/]+)\//.exec(f.packages[0]?.purl ?? '')?.[1] ?? '';
const RUNTIME_PACKAGES = /^(runc|containerd|containerd\.io|docker|docker\.io|docker-ce|moby-.*|cri-o|kubelet|crun)$/;

/** Misconfiguration checks (by ID) in scans and config runs: fail naming them, pass where they ran and fired nowhere. */
function checks(ids: ReadonlySet<string>, what: string): Source {
  const applies = {
    image: [...IMAGE_CHECKS, ...HISTORY_CHECKS].some((c) => ids.has(c.id)),
    dockerfile: DOCKERFILE_CHECKS.some((c) => ids.has(c.id)),
    k8s: KUBERNETES_CHECKS.some((c) => ids.has(c.id)),
  };
  const judge = (source: string, target: string, ms: readonly Misconfiguration[]): Decision => {
    const bad = ms.filter((m) => ids.has(m.checkId));
    return bad.length > 0
      ? {
          status: 'fail',
          evidence: `${source}: ${target}: ${bad
            .slice(0, 5)
            .map((m) => `${m.checkId} ${m.message}`)
            .join('; ')}${bad.length > 5 ? `; … ${bad.length - 5} more` : ''}`,
        }
      : { status: 'pass', evidence: `${source}: ${target}: no ${what} (${[...ids].sort().join(', ')})` };
  };
  return (inputs) =>
    inputs.flatMap((i): Decision[] => {
      if (i.kind === 'scan') {
        if (!applies.image || !i.scan.scanners.includes('misconfig') || isHostScan(i.scan)) return [];
        return [judge(i.source, targetOf(i.scan), i.scan.misconfigurations ?? [])];
      }
      if (i.kind === 'config') {
        const ok = i.config.kind === 'dockerfile' ? applies.dockerfile : i.config.kind === 'k8s' ? applies.k8s : false;
        return ok ? [judge(i.source, i.config.target, i.config.misconfigurations)] : [];
      }
      return [];
    });
}

/** What every check has that these lookups read. */
interface CheckMeta {
  readonly id: string;
  readonly standards: CheckStandards;
}
const ALL_CHECKS: readonly CheckMeta[] = [
  ...IMAGE_CHECKS,
  ...HISTORY_CHECKS,
  ...DOCKERFILE_CHECKS,
  ...KUBERNETES_CHECKS,
];
const idsWhere = (pred: (c: CheckMeta) => boolean, list: readonly CheckMeta[] = ALL_CHECKS): Set<string> =>
  new Set(list.filter(pred).map((c) => c.id));
const checkIds = (...ids: string[]) => new Set(ids);

/** A countermeasure no input of customs can speak to: always not-assessed, saying why. */
const noEvidence =
  (why: string): Source =>
  () => [{ status: 'note', evidence: why }];

// ---- NIST SP 800-190 ------------------------------------------------------------------

interface Countermeasure {
  readonly id: string;
  readonly group: string;
  readonly title: string;
  readonly sources: readonly Source[];
}

const IMAGE = 'Image countermeasures (4.1)';
const REGISTRY = 'Registry countermeasures (4.2)';
const ORCH = 'Orchestrator countermeasures (4.3)';
const CONTAINER = 'Container countermeasures (4.4)';
const HOST = 'Host OS countermeasures (4.5)';

const PSS_PRIVILEGE = idsWhere(
  (c) =>
    c.standards.pss !== undefined &&
    !['Host Namespaces', 'Host Ports', 'HostPath Volumes', 'Volume Types'].includes(c.standards.control ?? ''),
  [...KUBERNETES_CHECKS],
);

/**
 * NIST SP 800-190 "Application Container Security Guide" (2017), section 4
 * "Countermeasures for Major Risks": one entry per countermeasure subsection,
 * in the publication's order.
 */
export const NIST_800_190: readonly Countermeasure[] = [
  {
    id: '4.1.1',
    group: IMAGE,
    title: 'Image vulnerabilities',
    sources: [
      scanFindings('vuln', highOrWorse, 'critical or high vulnerabilities', (s) => !isHostScan(s)),
      bench('cis-docker', ['4.4']),
    ],
  },
  {
    id: '4.1.2',
    group: IMAGE,
    title: 'Image configuration defects',
    sources: [
      checks(
        idsWhere(
          (c) =>
            c.standards.cisDocker !== undefined &&
            ['4.1', '4.6', '4.8', '4.9', '4.7', '4.3'].includes(c.standards.cisDocker),
        ),
        'image configuration defects',
      ),
      bench('cis-docker', ['4.1', '4.6', '4.7', '4.8', '4.9']),
    ],
  },
  {
    id: '4.1.3',
    group: IMAGE,
    title: 'Embedded malware',
    sources: [scanFindings('malware', () => true, 'malware indicators')],
  },
  {
    id: '4.1.4',
    group: IMAGE,
    title: 'Embedded clear text secrets',
    sources: [
      scanFindings('secret', () => true, 'secrets'),
      checks(
        idsWhere((c) => c.standards.cisDocker === '4.10'),
        'secrets in build instructions',
      ),
      bench('cis-docker', ['4.10']),
    ],
  },
  {
    id: '4.1.5',
    group: IMAGE,
    title: 'Use of untrusted images',
    sources: [
      bench('cis-docker', ['4.2', '4.5', '4.11', '4.12']),
      checks(
        checkIds('CUS-K8S-034', 'CUS-K8S-033', 'CUS-K8S-032'),
        'images from outside the allow-list, unpinned or latest',
      ),
    ],
  },
  {
    id: '4.2.1',
    group: REGISTRY,
    title: 'Insecure connections to registries',
    sources: [bench('cis-docker', ['2.5', '3.7', '3.8'])],
  },
  {
    id: '4.2.2',
    group: REGISTRY,
    title: 'Stale images in registries',
    sources: [
      noEvidence(
        'customs reads no registry inventory; prune registries by age and use immutable, digest-pinned references',
      ),
      checks(checkIds('CUS-K8S-032', 'CUS-K8S-033'), 'mutable image references'),
    ],
  },
  {
    id: '4.2.3',
    group: REGISTRY,
    title: 'Insufficient authentication and authorization restrictions',
    sources: [noEvidence('registry access control is configured in the registry; customs does not read it')],
  },
  {
    id: '4.3.1',
    group: ORCH,
    title: 'Unbounded administrative access',
    sources: [
      bench('cis-k8s', ['1.2.6', '1.2.7', '1.2.8', '4.2.2', '1.1.13', '1.1.14']),
      bench('cis-docker', ['2.12', '1.1.2']),
      checks(
        idsWhere((c) => ['5.1.3', '5.1.8'].includes(c.standards.cisKubernetes ?? ''), [...KUBERNETES_CHECKS]),
        'over-broad RBAC rules',
      ),
    ],
  },
  {
    id: '4.3.2',
    group: ORCH,
    title: 'Unauthorized access',
    sources: [
      bench('cis-k8s', ['1.2.1', '1.2.2', '1.2.25', '4.2.1', '4.2.3', '1.3.3']),
      bench('cis-docker', ['2.7', '3.15', '3.16']),
      checks(checkIds('CUS-K8S-035'), 'automatically mounted service account tokens'),
    ],
  },
  {
    id: '4.3.3',
    group: ORCH,
    title: 'Poorly separated inter-container network traffic',
    sources: [
      bench('cis-docker', ['2.2', '5.30']),
      checks(checkIds('CUS-K8S-042'), 'namespaces without a NetworkPolicy'),
    ],
  },
  {
    id: '4.3.4',
    group: ORCH,
    title: 'Mixing of workload sensitivity levels',
    sources: [
      noEvidence(
        'placing workloads of different sensitivity on separate hosts is a scheduling decision (node pools, taints); customs does not read it',
      ),
    ],
  },
  {
    id: '4.3.5',
    group: ORCH,
    title: 'Orchestrator node trust',
    sources: [bench('cis-k8s', ['1.2.4', '1.2.5', '1.2.14', '4.2.10', '4.2.11', '2.1', '2.2', '2.4', '2.5'])],
  },
  {
    id: '4.4.1',
    group: CONTAINER,
    title: 'Vulnerabilities within the runtime software',
    sources: [
      scanFindings(
        'vuln',
        (f) => RUNTIME_PACKAGES.test(f.packages[0]?.name ?? ''),
        'vulnerabilities in container runtime packages (runc, containerd, docker, kubelet …)',
        isHostScan,
      ),
      bench('cis-docker', ['1.2.2']),
    ],
  },
  {
    id: '4.4.2',
    group: CONTAINER,
    title: 'Unbounded network access from containers',
    sources: [
      bench('cis-docker', ['5.10', '5.8', '5.14']),
      checks(
        idsWhere((c) => ['Host Namespaces', 'Host Ports'].includes(c.standards.control ?? ''), [...KUBERNETES_CHECKS]),
        'host network or host ports in pods',
      ),
    ],
  },
  {
    id: '4.4.3',
    group: CONTAINER,
    title: 'Insecure container runtime configurations',
    sources: [
      bench('cis-docker', [
        '2.9',
        '2.14',
        '2.17',
        '5.4',
        '5.5',
        '5.11',
        '5.12',
        '5.16',
        '5.17',
        '5.21',
        '5.22',
        '5.26',
        '5.29',
        '5.31',
      ]),
      checks(PSS_PRIVILEGE, 'pod security violations'),
    ],
  },
  {
    id: '4.4.4',
    group: CONTAINER,
    title: 'App vulnerabilities',
    sources: [
      scanFindings(
        'vuln',
        (f) => highOrWorse(f) && !OS_TYPES.has(purlType(f)),
        'critical or high vulnerabilities in application packages',
        (s) => !isHostScan(s),
      ),
      bench('cis-docker', ['5.13']),
      checks(checkIds('CUS-K8S-031'), 'writable root filesystems'),
    ],
  },
  { id: '4.4.5', group: CONTAINER, title: 'Rogue containers', sources: [bench('cis-docker', ['4.5', '6.2'])] },
  {
    id: '4.5.1',
    group: HOST,
    title: 'Large attack surface',
    sources: [
      bench('cis-docker', ['1.2.1']),
      noEvidence(
        'use a container-specific host OS and keep its package set minimal; customs scan host lists what is installed',
      ),
    ],
  },
  {
    id: '4.5.2',
    group: HOST,
    title: 'Shared kernel',
    sources: [
      bench('cis-docker', ['2.9', '5.31']),
      checks(
        idsWhere((c) => c.standards.control === 'Host Namespaces', [...KUBERNETES_CHECKS]),
        'host namespaces shared with pods',
      ),
    ],
  },
  {
    id: '4.5.3',
    group: HOST,
    title: 'Host OS component vulnerabilities',
    sources: [scanFindings('vuln', highOrWorse, 'critical or high vulnerabilities in host packages', isHostScan)],
  },
  {
    id: '4.5.4',
    group: HOST,
    title: 'Improper user access rights',
    sources: [
      bench('cis-docker', [
        '1.1.2',
        '2.1',
        '3.1',
        '3.2',
        '3.3',
        '3.4',
        '3.5',
        '3.6',
        '3.9',
        '3.10',
        '3.11',
        '3.12',
        '3.13',
        '3.14',
        '3.17',
        '3.18',
        '3.19',
        '3.20',
        '3.21',
        '3.22',
        '3.23',
        '3.24',
      ]),
      bench('cis-k8s', [
        '4.1.1',
        '4.1.2',
        '4.1.5',
        '4.1.6',
        '4.1.9',
        '4.1.10',
        '1.1.1',
        '1.1.2',
        '1.1.3',
        '1.1.4',
        '1.1.5',
        '1.1.6',
        '1.1.7',
        '1.1.8',
        '1.1.15',
        '1.1.16',
        '1.1.17',
        '1.1.18',
        '1.1.19',
        '1.1.21',
      ]),
    ],
  },
  {
    id: '4.5.5',
    group: HOST,
    title: 'Host file system tampering',
    sources: [
      bench('cis-docker', ['5.6', '5.32', '1.1.3', '1.1.5', '1.1.6', '1.1.11']),
      checks(
        idsWhere((c) => c.standards.control === 'HostPath Volumes', [...KUBERNETES_CHECKS]),
        'hostPath volumes',
      ),
    ],
  },
];

// ---- CIS frameworks ---------------------------------------------------------------------

function cisDocker(inputs: readonly ComplianceInput[]): ComplianceControl[] {
  const all: readonly CheckMeta[] = [...IMAGE_CHECKS, ...HISTORY_CHECKS, ...DOCKERFILE_CHECKS];
  return DOCKER_CONTROLS.map((c) => {
    const byCheck = idsWhere((x) => x.standards.cisDocker === c.id, all);
    const sources: Source[] = [bench('cis-docker', [c.id])];
    if (byCheck.size > 0) sources.push(checks(byCheck, `findings of the checks for CIS Docker ${c.id}`));
    return combine(c.id, c.section, c.title, inputs, sources);
  });
}

function cisK8s(inputs: readonly ComplianceInput[]): ComplianceControl[] {
  const section5 = new Map<string, string>();
  for (const c of KUBERNETES_CHECKS) if (c.standards.cisKubernetes) section5.set(c.standards.cisKubernetes, c.title);
  const controls = [...K8S_CONTROL_PLANE_CONTROLS, ...K8S_NODE_CONTROLS].map((c) =>
    combine(c.id, c.section, c.title, inputs, [bench('cis-k8s', [c.id])]),
  );
  const policies = [...section5.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, title]) =>
      combine(id, 'Policies', title, inputs, [
        checks(
          idsWhere((x) => x.standards.cisKubernetes === id, [...KUBERNETES_CHECKS]),
          `findings for CIS Kubernetes ${id}`,
        ),
      ]),
    );
  return [...controls, ...policies];
}

function describeInput(i: ComplianceInput): string {
  switch (i.kind) {
    case 'scan':
      return `${isHostScan(i.scan) ? 'host' : 'image'} scan of ${targetOf(i.scan)} (scanners: ${i.scan.scanners.join(', ')})`;
    case 'config':
      return `${i.config.kind} checks of ${i.config.target}`;
    case 'bench':
      return `${i.bench.benchmark} ${i.bench.benchmarkVersion} bench of ${i.bench.target}`;
  }
}

const TITLES: Record<Framework, string> = {
  'nist-800-190': 'NIST SP 800-190 Application Container Security Guide, section 4 countermeasures',
  'cis-docker': 'CIS Docker Benchmark v1.6.0',
  'cis-k8s': 'CIS Kubernetes Benchmark v1.12',
};

export function complianceReport(framework: Framework, inputs: readonly ComplianceInput[]): ComplianceReport {
  const controls =
    framework === 'nist-800-190'
      ? NIST_800_190.map((c) => combine(c.id, c.group, c.title, inputs, c.sources))
      : framework === 'cis-docker'
        ? cisDocker(inputs)
        : cisK8s(inputs);
  return {
    schemaVersion: 1,
    framework,
    frameworkTitle: TITLES[framework],
    inputs: inputs.map((i) => ({ source: i.source, kind: i.kind, what: describeInput(i) })),
    controls,
  };
}
