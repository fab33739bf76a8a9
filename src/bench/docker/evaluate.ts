/**
 * The CIS Docker Benchmark v1.6.0 judged on collected facts: one pure function per
 * control, each returning a status and the evidence that decided it (the file, the
 * daemon flag or daemon.json key, or the containers). The audits follow the
 * benchmark's "Audit" sections; docs/bench.md says where customs decides
 * differently from docker-bench-security and why.
 */
import {
  checkHistory,
  HISTORY_CHECKS,
  type HistoryEntry,
  IMAGE_CHECKS,
  type ImageCheckInput,
} from '../../checks/index.js';
import type { ImageConfig } from '../../image/index.js';
import { type BenchResult, type BenchStatus, decide } from '../types.js';
import { DOCKER_CONTROLS, dockerControl } from './controls.js';
import { isFalse, isTrue, setting, unset } from './daemon-settings.js';
import type { ContainerInspect, DockerFacts, FileStat, ImageInspect } from './facts.js';

type Outcome = readonly [BenchStatus, readonly string[]];
type Judge = (f: DockerFacts) => Outcome;

const octal = (m: number): string => m.toString(8).padStart(3, '0');
const nameOf = (c: ContainerInspect): string => `container ${c.Name || c.Id.slice(0, 12)}`;

// ---- 1.1 auditing -------------------------------------------------------------

/** A rule watching the path: "-w PATH …" or a syscall rule "-F path=PATH" / "-F dir=PATH". */
function auditRuleFor(f: DockerFacts, path: string): { source: string; rule: string } | undefined {
  const esc = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|\\s)(-w\\s+|-F\\s+(path|dir)=)${esc}/?(\\s|$)`);
  return f.auditRules.find((r) => re.test(r.rule));
}

function audited(path: string | undefined, what: string, mustExist: boolean): Judge {
  return (f) => {
    if (path === undefined) return ['info', [`${what}: not found on this host`]];
    const st = f.files.find((x) => x.path === path);
    if (!mustExist && st && !st.exists) return ['info', [`${path}: not present, nothing to audit`]];
    const rule = auditRuleFor(f, path);
    if (rule) return ['pass', [`audit rule "${rule.rule}" (${rule.source})`]];
    const sources = [...new Set(f.auditRules.map((r) => r.source))];
    return [
      'fail',
      [
        `no audit rule watches ${path} (${sources.length > 0 ? `read ${sources.join(', ')}` : 'no audit rules found: /etc/audit/audit.rules, /etc/audit/rules.d/*.rules'})`,
      ],
    ];
  };
}

const pathOf =
  (pick: (f: DockerFacts) => string | undefined, what: string, mustExist: boolean): Judge =>
  (f) =>
    audited(pick(f), what, mustExist)(f);

// ---- 3 file ownership and permissions -------------------------------------------

function stat(f: DockerFacts, path: string | undefined): FileStat | undefined {
  return path === undefined ? undefined : f.files.find((x) => x.path === path);
}

function ownedBy(paths: (f: DockerFacts) => readonly (string | undefined)[], what: string, group = 'root'): Judge {
  return (f) => {
    const stats = paths(f)
      .map((p) => stat(f, p))
      .filter((s): s is FileStat => s?.exists === true);
    if (stats.length === 0) return ['info', [`${what}: not present on this host`]];
    const bad = stats.filter((s) => s.uid !== 0 || (f.groups[s.gid ?? -1] ?? String(s.gid)) !== group);
    const ev = stats.map((s) => `${s.path}: owner ${s.uid}:${f.groups[s.gid ?? -1] ?? s.gid}`);
    return [bad.length > 0 ? 'fail' : 'pass', ev];
  };
}

function modeAtMost(paths: (f: DockerFacts) => readonly (string | undefined)[], what: string, max: number): Judge {
  return (f) => {
    const stats = paths(f)
      .map((p) => stat(f, p))
      .filter((s): s is FileStat => s?.exists === true);
    if (stats.length === 0) return ['info', [`${what}: not present on this host`]];
    // "X or more restrictive": no permission bit outside X (setuid/setgid/sticky count as more).
    const bad = stats.filter((s) => ((s.mode ?? 0o7777) & ~max) !== 0);
    const ev = stats.map((s) => `${s.path}: mode ${octal(s.mode ?? 0)} (at most ${octal(max)})`);
    return [bad.length > 0 ? 'fail' : 'pass', ev];
  };
}

const one = (p: (f: DockerFacts) => string | undefined) => (f: DockerFacts) => [p(f)];
const fixed = (path: string) => () => [path];
const tlsFile = (key: string) => (f: DockerFacts) => setting(f, key, [`--${key}`])?.values.at(-1);
const daemonJsonPath = (f: DockerFacts) => f.daemonJson.path;

// ---- 2 daemon configuration ----------------------------------------------------------

function securityOption(f: DockerFacts, name: string): string | undefined {
  return f.info.SecurityOptions?.find((o) => o.split(',').includes(`name=${name}`));
}

const requireTrue =
  (key: string, flag: string): Judge =>
  (f) => {
    const s = setting(f, key, [flag], true);
    if (isTrue(s)) return ['pass', [s?.evidence ?? '']];
    return ['fail', [s ? s.evidence : unset(f, key, flag)]];
  };

const requireFalse =
  (key: string, flag: string): Judge =>
  (f) => {
    const s = setting(f, key, [flag], true);
    if (isFalse(s)) return ['pass', [s?.evidence ?? '']];
    return ['fail', [s ? s.evidence : unset(f, key, flag)]];
  };

/** Hosts the daemon listens on: -H/--host flags or daemon.json "hosts". */
function hosts(f: DockerFacts): { values: readonly string[]; evidence: string } {
  const s = setting(f, 'hosts', ['--host', '-H']);
  return s ?? { values: [], evidence: unset(f, 'hosts', '-H/--host') };
}

const judgeTls: Judge = (f) => {
  const h = hosts(f);
  const tcp = h.values.filter((v) => /^(tcp|http):\/\//.test(v) || /^[^/:]*:\d+$/.test(v));
  if (tcp.length === 0) return ['info', [`the daemon listens on no TCP address (${h.evidence})`]];
  const verify = setting(f, 'tlsverify', ['--tlsverify'], true);
  if (isTrue(verify)) return ['pass', [h.evidence, verify?.evidence ?? '']];
  const tls = setting(f, 'tls', ['--tls'], true);
  if (isTrue(tls))
    return ['warn', [h.evidence, `${tls?.evidence}: TLS without client verification (--tlsverify not set)`]];
  return ['fail', [h.evidence, `no --tlsverify/--tls: ${tcp.join(', ')} is plain TCP`]];
};

// ---- 5 container runtime -------------------------------------------------------------

/** Judge every container: the ones `bad` names fail (or warn), with a line each. */
function perContainer(
  bad: (c: ContainerInspect, f: DockerFacts) => string | undefined,
  status: BenchStatus = 'fail',
): Judge {
  return (f) => {
    if (f.containers.length === 0) return ['info', ['no containers on this daemon']];
    const lines = f.containers.flatMap((c) => {
      const why = bad(c, f);
      return why === undefined ? [] : [`${nameOf(c)}: ${why}`];
    });
    if (lines.length > 0) return [status, lines];
    return ['pass', [`${f.containers.length} container(s) checked: ${f.containers.map(nameOf).join(', ')}`]];
  };
}

const hostNs = (field: 'NetworkMode' | 'PidMode' | 'IpcMode' | 'UTSMode' | 'UsernsMode') =>
  perContainer((c) => (c.HostConfig?.[field] === 'host' ? `HostConfig.${field}=host` : undefined));

const SENSITIVE_DIRS = ['/', '/boot', '/dev', '/etc', '/lib', '/proc', '/sys', '/usr'];
const strip = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);

function securityOpts(c: ContainerInspect): readonly string[] {
  return c.HostConfig?.SecurityOpt ?? [];
}

/** The daemon socket paths a container could reach the daemon through. */
function socketPaths(f: DockerFacts): string[] {
  const out = new Set(['/var/run/docker.sock', '/run/docker.sock']);
  if (f.paths.socket) out.add(f.paths.socket);
  return [...out];
}

function publishedPorts(c: ContainerInspect): { port: string; hostIp: string; hostPort: number }[] {
  const out: { port: string; hostIp: string; hostPort: number }[] = [];
  for (const [port, binds] of Object.entries(c.HostConfig?.PortBindings ?? {}))
    for (const b of binds ?? []) out.push({ port, hostIp: b.HostIp ?? '', hostPort: Number(b.HostPort || 0) });
  return out;
}

/**
 * The image and history checks (checks/image, checks/dockerfile HISTORY_CHECKS) whose
 * CIS Docker item is `cis`, run on a config and its history; their findings, one line.
 */
function imageCheckFires(
  cis: string,
  target: string,
  config: ImageConfig['config'],
  history: readonly HistoryEntry[] = [],
): string | undefined {
  const input: ImageCheckInput = {
    target,
    // Only config and history are read from an Engine API inspect: no layers here.
    config: { os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, ...(config ? { config } : {}), history },
    history,
    paths: [],
    fileFacts: [],
    baseLayerCount: 0,
    packages: [],
  };
  const historyIds = new Set(HISTORY_CHECKS.filter((c) => c.standards.cisDocker === cis).map((c) => c.id));
  const fired = [
    ...IMAGE_CHECKS.filter((c) => c.standards.cisDocker === cis).flatMap((c) => c.run(input)),
    ...(historyIds.size > 0 ? checkHistory(history, target).filter((m) => historyIds.has(m.checkId)) : []),
  ];
  const lines = [...new Set(fired.map((m) => `${m.checkId} ${m.message}`))];
  return lines.length > 0 ? lines.join('; ') : undefined;
}

/** An Engine API image Config as the image-spec config block (Env null becomes absent). */
function imageConfigOf(c: ImageInspect['Config']): ImageConfig['config'] {
  if (!c) return {};
  const { Env, ...rest } = c;
  return Env ? { ...rest, Env } : rest;
}

/** Run image checks of a CIS item over every image: warn (or `status`) naming the images they fire on. */
function perImage(cis: string, status: BenchStatus): Judge {
  return (f) => {
    if (f.images.length === 0) return ['info', ['no images on this daemon']];
    const lines = f.images.flatMap((i) => {
      const name = `image ${i.RepoTags?.[0] ?? i.Id.slice(7, 19)}`;
      const why = imageCheckFires(cis, name, imageConfigOf(i.Config), i.history ?? []);
      return why === undefined ? [] : [`${name}: ${why}`];
    });
    if (lines.length > 0) return [status, lines];
    return [
      'pass',
      [`${f.images.length} image(s) checked: ${f.images.map((i) => i.RepoTags?.[0] ?? i.Id.slice(7, 19)).join(', ')}`],
    ];
  };
}

const hasHealthcheck = (t: readonly string[] | undefined): boolean =>
  t !== undefined && t.length > 0 && t[0] !== 'NONE';

// ---- the controls -----------------------------------------------------------------------

const manual =
  (what: string): Judge =>
  () => ['manual', [what]];

const JUDGES: Readonly<Record<string, Judge>> = {
  '1.1.1': (f) => {
    const root = f.info.DockerRootDir ?? '/var/lib/docker';
    if (f.dataRootMount === undefined)
      return ['warn', [`mount point of ${root} unknown (/proc/self/mountinfo unreadable)`]];
    return strip(f.dataRootMount) === strip(root)
      ? ['pass', [`${root} is a mount point (/proc/self/mountinfo)`]]
      : ['fail', [`${root} (DockerRootDir) is on the filesystem mounted at ${f.dataRootMount} (/proc/self/mountinfo)`]];
  },
  '1.1.2': (f) => [
    'info',
    [
      f.dockerGroupMembers === undefined
        ? 'no docker group in /etc/group'
        : `docker group members (/etc/group): ${f.dockerGroupMembers.join(', ') || '(none)'}`,
    ],
  ],
  '1.1.3': audited('/usr/bin/dockerd', 'dockerd', true),
  '1.1.4': audited('/run/containerd', '/run/containerd', false),
  '1.1.5': audited('/var/lib/docker', '/var/lib/docker', false),
  '1.1.6': audited('/etc/docker', '/etc/docker', false),
  '1.1.7': pathOf((f) => f.paths.dockerService, 'docker.service unit file', true),
  // The socket the daemon talks to (--containerd, or the one it starts under /run/docker/containerd).
  '1.1.8': pathOf((f) => f.paths.containerdSocket, 'containerd.sock', false),
  '1.1.9': pathOf((f) => f.paths.dockerSocketUnit, 'docker.socket unit file', true),
  '1.1.10': audited('/etc/default/docker', '/etc/default/docker', false),
  '1.1.11': audited('/etc/docker/daemon.json', '/etc/docker/daemon.json', false),
  '1.1.12': audited('/etc/containerd/config.toml', '/etc/containerd/config.toml', false),
  '1.1.13': audited('/etc/sysconfig/docker', '/etc/sysconfig/docker', false),
  '1.1.14': audited('/usr/bin/containerd', '/usr/bin/containerd', false),
  '1.1.15': audited('/usr/bin/containerd-shim', '/usr/bin/containerd-shim', false),
  '1.1.16': audited('/usr/bin/containerd-shim-runc-v1', '/usr/bin/containerd-shim-runc-v1', false),
  '1.1.17': audited('/usr/bin/containerd-shim-runc-v2', '/usr/bin/containerd-shim-runc-v2', false),
  '1.1.18': audited('/usr/bin/runc', '/usr/bin/runc', false),
  '1.2.1': manual('host hardening is judged by the host OS benchmark; customs scan host lists vulnerable packages'),
  '1.2.2': (f) => [
    'manual',
    [`Docker Engine ${f.info.ServerVersion ?? '(version unknown)'} (GET /info): compare with the supported releases`],
  ],
  '2.1': (f) =>
    securityOption(f, 'rootless')
      ? ['pass', [`the daemon runs rootless (GET /info SecurityOptions: ${securityOption(f, 'rootless')})`]]
      : [
          'manual',
          [
            'the daemon runs as root (GET /info SecurityOptions has no name=rootless); decide whether rootless mode fits',
          ],
        ],
  '2.2': requireFalse('icc', '--icc'),
  '2.3': (f) => {
    const s = setting(f, 'log-level', ['--log-level', '-l']);
    if (s === undefined) return ['pass', [`${unset(f, 'log-level', '--log-level')}: the default is info`]];
    return [s.values.at(-1) === 'info' ? 'pass' : 'fail', [s.evidence]];
  },
  '2.4': (f) => {
    const s = setting(f, 'iptables', ['--iptables'], true);
    return isFalse(s) ? ['fail', [s?.evidence ?? '']] : ['pass', [s ? s.evidence : unset(f, 'iptables', '--iptables')]];
  },
  '2.5': (f) => {
    const s = setting(f, 'insecure-registries', ['--insecure-registry']);
    return s ? ['fail', [s.evidence]] : ['pass', [unset(f, 'insecure-registries', '--insecure-registry')]];
  },
  '2.6': (f) => [
    f.info.Driver === 'aufs' ? 'fail' : 'pass',
    [`storage driver ${f.info.Driver ?? '(unknown)'} (GET /info Driver)`],
  ],
  '2.7': judgeTls,
  '2.8': (f) => {
    const s = setting(f, 'default-ulimits', ['--default-ulimit']);
    return s ? ['pass', [s.evidence]] : ['info', [unset(f, 'default-ulimits', '--default-ulimit')]];
  },
  '2.9': (f) => {
    const s = setting(f, 'userns-remap', ['--userns-remap']);
    if (s && s.values.at(-1) !== '') return ['pass', [s.evidence]];
    const opt = securityOption(f, 'userns');
    return opt
      ? ['pass', [`GET /info SecurityOptions: ${opt}`]]
      : ['fail', [unset(f, 'userns-remap', '--userns-remap')]];
  },
  '2.10': (f) => {
    const s = setting(f, 'cgroup-parent', ['--cgroup-parent']);
    return s
      ? ['info', [`${s.evidence}: confirm the cgroup is intended`]]
      : ['pass', [unset(f, 'cgroup-parent', '--cgroup-parent')]];
  },
  '2.11': (f) => {
    const s = setting(f, 'storage-opts', ['--storage-opt']);
    const base = s?.values.find((v) => v.includes('dm.basesize'));
    return base
      ? ['info', [`${s?.evidence}: dm.basesize changed; confirm it is needed`]]
      : ['pass', [s ? s.evidence : unset(f, 'storage-opts', '--storage-opt')]];
  },
  '2.12': (f) => {
    const s = setting(f, 'authorization-plugins', ['--authorization-plugin']);
    return s ? ['pass', [s.evidence]] : ['fail', [unset(f, 'authorization-plugins', '--authorization-plugin')]];
  },
  '2.13': (f) => {
    const d = f.info.LoggingDriver ?? '(unknown)';
    // json-file, local and none keep logs on this host only (or nowhere).
    const local = ['json-file', 'local', 'none'].includes(d);
    return [
      local ? 'fail' : 'pass',
      [`log driver ${d} (GET /info LoggingDriver)${local ? ': logs stay on this host' : ''}`],
    ];
  },
  '2.14': requireTrue('no-new-privileges', '--no-new-privileges'),
  '2.15': (f) => {
    if (f.info.LiveRestoreEnabled === true) return ['pass', ['GET /info LiveRestoreEnabled=true']];
    if (f.info.Swarm?.LocalNodeState === 'active')
      return ['info', ['Swarm mode is active (GET /info Swarm): live restore does not apply to Swarm managers']];
    return ['fail', ['GET /info LiveRestoreEnabled=false']];
  },
  '2.16': requireFalse('userland-proxy', '--userland-proxy'),
  '2.17': (f) => {
    const s = setting(f, 'seccomp-profile', ['--seccomp-profile']);
    if (s?.values.at(-1) === 'unconfined') return ['fail', [`${s.evidence}: seccomp disabled daemon-wide`]];
    const opt = securityOption(f, 'seccomp');
    if (opt === undefined)
      return ['fail', ['GET /info SecurityOptions has no name=seccomp: the daemon applies no seccomp profile']];
    if (s) return ['pass', [s.evidence, `GET /info SecurityOptions: ${opt}`]];
    return ['info', [`GET /info SecurityOptions: ${opt}: the default profile; a custom one is a site decision`]];
  },
  '2.18': (f) => [
    f.info.ExperimentalBuild ? 'fail' : 'pass',
    [`GET /info ExperimentalBuild=${f.info.ExperimentalBuild === true}`],
  ],
  '3.1': ownedBy(
    one((f) => f.paths.dockerService),
    'docker.service',
  ),
  '3.2': modeAtMost(
    one((f) => f.paths.dockerService),
    'docker.service',
    0o644,
  ),
  '3.3': ownedBy(
    one((f) => f.paths.dockerSocketUnit),
    'docker.socket',
  ),
  '3.4': modeAtMost(
    one((f) => f.paths.dockerSocketUnit),
    'docker.socket',
    0o644,
  ),
  '3.5': ownedBy(fixed('/etc/docker'), '/etc/docker'),
  '3.6': modeAtMost(fixed('/etc/docker'), '/etc/docker', 0o755),
  '3.7': ownedBy((f) => f.paths.registryCerts, 'registry certificates (/etc/docker/certs.d)'),
  '3.8': modeAtMost((f) => f.paths.registryCerts, 'registry certificates (/etc/docker/certs.d)', 0o444),
  '3.9': ownedBy(one(tlsFile('tlscacert')), 'TLS CA certificate (--tlscacert)'),
  '3.10': modeAtMost(one(tlsFile('tlscacert')), 'TLS CA certificate (--tlscacert)', 0o444),
  '3.11': ownedBy(one(tlsFile('tlscert')), 'server certificate (--tlscert)'),
  '3.12': modeAtMost(one(tlsFile('tlscert')), 'server certificate (--tlscert)', 0o444),
  '3.13': ownedBy(one(tlsFile('tlskey')), 'server key (--tlskey)'),
  '3.14': modeAtMost(one(tlsFile('tlskey')), 'server key (--tlskey)', 0o400),
  '3.15': ownedBy(
    one((f) => f.paths.socket),
    'the Docker socket',
    'docker',
  ),
  '3.16': modeAtMost(
    one((f) => f.paths.socket),
    'the Docker socket',
    0o660,
  ),
  '3.17': ownedBy(one(daemonJsonPath), 'daemon.json'),
  '3.18': modeAtMost(one(daemonJsonPath), 'daemon.json', 0o644),
  '3.19': ownedBy(fixed('/etc/default/docker'), '/etc/default/docker'),
  '3.20': modeAtMost(fixed('/etc/default/docker'), '/etc/default/docker', 0o644),
  '3.21': modeAtMost(fixed('/etc/sysconfig/docker'), '/etc/sysconfig/docker', 0o644),
  '3.22': ownedBy(fixed('/etc/sysconfig/docker'), '/etc/sysconfig/docker'),
  '3.23': ownedBy(
    one((f) => f.paths.containerdSocket),
    'the containerd socket',
  ),
  '3.24': modeAtMost(
    one((f) => f.paths.containerdSocket),
    'the containerd socket',
    0o660,
  ),
  // 4.1 and 4.6 are the image checks (checks/image) run on what each container or image runs with.
  '4.1': perContainer((c) => imageCheckFires('4.1', nameOf(c), c.Config ?? {})),
  '4.2': manual('which base images are trusted is a site decision; customs verify checks signatures'),
  '4.3': manual('customs sbom IMAGE lists what each image installs'),
  '4.4': manual('customs scan IMAGE finds the vulnerable packages of each image'),
  '4.5': (f) =>
    f.env.DOCKER_CONTENT_TRUST === '1'
      ? ['pass', ['DOCKER_CONTENT_TRUST=1 in the environment']]
      : ['fail', [`DOCKER_CONTENT_TRUST=${f.env.DOCKER_CONTENT_TRUST ?? '(unset)'} in the environment`]],
  '4.6': perImage('4.6', 'fail'),
  // The update-alone check is not a history check: a base image's own entries sit in the same
  // history, so it would blame every image built on one (checks/dockerfile/registry.ts).
  '4.7': manual('customs scan dockerfile checks update instructions in each Dockerfile (CUS-DF-024)'),
  // Manual in the benchmark: what the image and history checks find is for a person to review (warn).
  '4.8': manual('customs scan IMAGE reports setuid/setgid files of each image'),
  '4.9': perImage('4.9', 'warn'),
  '4.10': perImage('4.10', 'warn'),
  '4.11': manual('check package sources of each image'),
  '4.12': manual('customs verify checks image signatures'),
  '5.1': (f) => {
    const s = f.info.Swarm?.LocalNodeState ?? 'inactive';
    return [s === 'active' ? 'fail' : 'pass', [`GET /info Swarm.LocalNodeState=${s}`]];
  },
  '5.2': perContainer((c) => {
    const p = c.AppArmorProfile ?? '';
    return p === '' || p === 'unconfined' ? `AppArmorProfile="${p}"` : undefined;
  }),
  '5.3': perContainer((c) =>
    securityOpts(c).some((o) => /^label[=:]/.test(o))
      ? undefined
      : `no SELinux label option (HostConfig.SecurityOpt=${JSON.stringify(securityOpts(c))})`,
  ),
  '5.4': perContainer((c) => {
    const add = c.HostConfig?.CapAdd ?? [];
    return add.length > 0 ? `HostConfig.CapAdd=${add.join(',')}` : undefined;
  }),
  '5.5': perContainer((c) =>
    c.HostConfig?.Privileged ? `HostConfig.Privileged=true (state ${c.State?.Status ?? '?'})` : undefined,
  ),
  '5.6': (f) => {
    const rw: string[] = [];
    const ro: string[] = [];
    for (const c of f.containers)
      for (const m of c.Mounts ?? [])
        if (m.Type === 'bind' && SENSITIVE_DIRS.includes(strip(m.Source ?? '')))
          (m.RW ? rw : ro).push(
            `${nameOf(c)}: ${m.Source} mounted at ${m.Destination}${m.RW ? ' read-write' : ' read-only'}`,
          );
    if (f.containers.length === 0) return ['info', ['no containers on this daemon']];
    if (rw.length > 0) return ['fail', [...rw, ...ro]];
    if (ro.length > 0) return ['warn', ro];
    return ['pass', [`no bind mount of ${SENSITIVE_DIRS.join(' ')} in ${f.containers.length} container(s)`]];
  },
  '5.7': perContainer((c) => {
    const ssh = (c.processes ?? []).find((p) => /(^|\/)sshd(\s|$|:)/.test(p));
    return ssh ? `runs "${ssh}" (GET /containers/{id}/top)` : undefined;
  }),
  '5.8': perContainer((c) => {
    const low = publishedPorts(c).filter((p) => p.hostPort > 0 && p.hostPort < 1024);
    return low.length > 0 ? `host port(s) ${low.map((p) => `${p.hostPort}->${p.port}`).join(', ')}` : undefined;
  }),
  '5.9': (f) => {
    const lines = f.containers.flatMap((c) => {
      const p = publishedPorts(c);
      return p.length > 0
        ? [`${nameOf(c)}: publishes ${p.map((x) => `${x.hostIp || '0.0.0.0'}:${x.hostPort}->${x.port}`).join(', ')}`]
        : [];
    });
    return ['manual', lines.length > 0 ? lines : ['no container publishes ports']];
  },
  '5.10': hostNs('NetworkMode'),
  '5.11': perContainer((c) => ((c.HostConfig?.Memory ?? 0) > 0 ? undefined : 'HostConfig.Memory=0 (no limit)')),
  '5.12': perContainer((c) => {
    const h = c.HostConfig ?? {};
    const shares = h.CpuShares ?? 0;
    if ((shares !== 0 && shares !== 1024) || (h.NanoCpus ?? 0) > 0 || (h.CpuQuota ?? 0) > 0) return undefined;
    return `HostConfig.CpuShares=${shares}, NanoCpus=${h.NanoCpus ?? 0}, CpuQuota=${h.CpuQuota ?? 0} (no CPU limit or priority)`;
  }),
  '5.13': perContainer((c) => (c.HostConfig?.ReadonlyRootfs ? undefined : 'HostConfig.ReadonlyRootfs=false')),
  '5.14': perContainer((c) => {
    const any = publishedPorts(c).filter((p) => p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::');
    return any.length > 0 ? `port(s) ${any.map((p) => p.port).join(', ')} bound to every host interface` : undefined;
  }),
  '5.15': perContainer((c) => {
    const p = c.HostConfig?.RestartPolicy ?? {};
    const name = p.Name ?? '';
    if (name === 'always' || name === 'unless-stopped') return `RestartPolicy.Name=${name} (restarts without bound)`;
    if (name === 'on-failure' && ((p.MaximumRetryCount ?? 0) === 0 || (p.MaximumRetryCount ?? 0) > 5))
      return `RestartPolicy=on-failure:${p.MaximumRetryCount ?? 0} (more than 5 retries)`;
    return undefined;
  }),
  '5.16': hostNs('PidMode'),
  '5.17': hostNs('IpcMode'),
  '5.18': (f) => {
    const lines = f.containers.flatMap((c) => {
      const d = c.HostConfig?.Devices ?? [];
      return d.length > 0 ? [`${nameOf(c)}: devices ${d.map((x) => x.PathOnHost).join(', ')}`] : [];
    });
    return lines.length > 0 ? ['warn', lines] : ['pass', [`no host devices in ${f.containers.length} container(s)`]];
  },
  '5.19': (f) => {
    const lines = f.containers.flatMap((c) => {
      const u = c.HostConfig?.Ulimits ?? [];
      return u.length > 0 ? [`${nameOf(c)}: ulimits ${u.map((x) => x.Name).join(', ')}`] : [];
    });
    return ['manual', lines.length > 0 ? lines : ['no container overrides the default ulimits']];
  },
  '5.20': perContainer((c) => {
    const shared = (c.Mounts ?? []).filter((m) => m.Propagation === 'shared' || m.Propagation === 'rshared');
    return shared.length > 0
      ? `${shared.map((m) => `${m.Destination} propagation ${m.Propagation}`).join(', ')}`
      : undefined;
  }),
  '5.21': hostNs('UTSMode'),
  '5.22': perContainer((c) => {
    const o = securityOpts(c).find((x) => /^seccomp[=:]unconfined$/.test(x));
    return o ? `HostConfig.SecurityOpt ${o}` : undefined;
  }),
  '5.23': manual('exec sessions leave no record in the Engine API; read the daemon audit log (ausearch -k docker)'),
  '5.24': manual('exec sessions leave no record in the Engine API; read the daemon audit log (ausearch -k docker)'),
  '5.25': perContainer(
    (c) => (c.HostConfig?.CgroupParent ? `HostConfig.CgroupParent=${c.HostConfig.CgroupParent}` : undefined),
    'warn',
  ),
  '5.26': (f) => {
    const daemonWide = setting(f, 'no-new-privileges', ['--no-new-privileges'], true);
    if (isTrue(daemonWide) && f.containers.length > 0) return ['pass', [daemonWide?.evidence ?? '']];
    return perContainer((c) =>
      securityOpts(c).some((o) => /^no-new-privileges(?:[=:]true)?$/.test(o))
        ? undefined
        : `no no-new-privileges in HostConfig.SecurityOpt=${JSON.stringify(securityOpts(c))}`,
    )(f);
  },
  '5.27': perContainer((c) =>
    hasHealthcheck(c.Config?.Healthcheck?.Test) ? undefined : 'no health check (Config.Healthcheck)',
  ),
  '5.28': manual('how images are pulled is a deployment decision; pin them by digest'),
  '5.29': perContainer((c) => {
    const l = c.HostConfig?.PidsLimit ?? 0;
    return l > 0 ? undefined : `HostConfig.PidsLimit=${c.HostConfig?.PidsLimit ?? 'null'} (no limit)`;
  }),
  '5.30': perContainer((c) => {
    const m = c.HostConfig?.NetworkMode ?? '';
    return m === 'default' || m === 'bridge' ? `HostConfig.NetworkMode=${m}` : undefined;
  }, 'warn'),
  '5.31': hostNs('UsernsMode'),
  '5.32': (f) => {
    const socks = socketPaths(f);
    return perContainer((c) => {
      const m = (c.Mounts ?? []).find((x) => socks.includes(x.Source ?? '') || /\/docker\.sock$/.test(x.Source ?? ''));
      return m ? `the Docker socket ${m.Source} mounted at ${m.Destination}` : undefined;
    })(f);
  },
  '6.1': (f) => {
    const used = new Set(f.containers.map((c) => c.Config?.Image ?? ''));
    const usedIds = f.images.filter((i) => used.has(i.Id) || (i.RepoTags ?? []).some((t) => used.has(t)));
    return ['manual', [`${f.images.length} image(s), ${f.images.length - usedIds.length} used by no container`]];
  },
  '6.2': (f) => {
    const running = f.containers.filter((c) => c.State?.Status === 'running').length;
    return ['manual', [`${f.containers.length} container(s), ${running} running`]];
  },
};

/**
 * What only the daemon's own host shows: its files (1.1, 3) and the settings read from
 * its command line or daemon.json, which GET /info does not report.
 */
const NEEDS_THE_HOST = /^(1\.1\.\d+|3\.\d+|2\.(2|3|4|5|7|8|10|11|12|14|16))$/;

/** Every control judged on the facts, in the benchmark's order. */
export function evaluateDocker(facts: DockerFacts): BenchResult[] {
  return DOCKER_CONTROLS.map((c) => {
    if (facts.remote && NEEDS_THE_HOST.test(c.id))
      return decide(c, 'info', [
        `the daemon at ${facts.endpoint} is reached over TCP: its host's files and flags are not on this machine; run customs bench docker there`,
      ]);
    const judge = JUDGES[c.id];
    if (judge === undefined) return decide(c, 'manual', ['not automated by customs']);
    const [status, evidence] = judge(facts);
    return decide(c, status, evidence);
  });
}

/** The controls customs automates (for docs and tests). */
export const AUTOMATED_DOCKER_CONTROLS: readonly string[] = Object.keys(JUDGES).filter(
  (id) => dockerControl(id).scored,
);
