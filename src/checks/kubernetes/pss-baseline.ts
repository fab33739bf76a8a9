/**
 * Pod Security Standards, Baseline profile: every control, with the allowed
 * values of the spec (kubernetes.io/docs/concepts/security/pod-security-standards)
 * as the reference implementation enforces them at its latest policy version
 * (k8s.io/pod-security-admission/policy, check_*.go). Containers are visited
 * like PSA's visitContainers: initContainers, containers, ephemeralContainers.
 */
import type { Misconfiguration } from '../types.js';
import { type KubernetesCheck, onContainer, onPod, PSA_SOURCE, PSS } from './k8s-check.js';
import { asArray, get, isJson } from './manifests.js';
import type { Workload } from './workloads.js';

const isTrue = (v: unknown): boolean => v === true;
const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);

function each(input: { workloads: readonly Workload[] }, fn: (w: Workload) => Misconfiguration[]): Misconfiguration[] {
  return input.workloads.flatMap(fn);
}

/** PSA 1.35: pods in a user namespace (spec.hostUsers: false) are exempt from some controls. */
export function inUserNamespace(w: Workload): boolean {
  return w.spec.hostUsers === false;
}

export const pssHostProcess: KubernetesCheck = {
  id: 'CUS-K8S-001',
  severity: 'high',
  title: 'Windows HostProcess container',
  rationale: 'HostProcess containers run directly on the Windows host with full access to it.',
  remediation: 'Remove securityContext.windowsOptions.hostProcess or set it to false.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'baseline', control: 'HostProcess' },
  run: (input) =>
    each(input, (w) => [
      ...(isTrue(get(w.spec, ['securityContext', 'windowsOptions', 'hostProcess']))
        ? [
            onPod(
              pssHostProcess,
              w,
              ['securityContext', 'windowsOptions', 'hostProcess'],
              'pod sets securityContext.windowsOptions.hostProcess=true',
            ),
          ]
        : []),
      ...w.containers
        .filter((c) => isTrue(get(c.value, ['securityContext', 'windowsOptions', 'hostProcess'])))
        .map((c) =>
          onContainer(
            pssHostProcess,
            w,
            c,
            ['securityContext', 'windowsOptions', 'hostProcess'],
            'sets securityContext.windowsOptions.hostProcess=true',
          ),
        ),
    ]),
};

export const pssHostNamespaces: KubernetesCheck = {
  id: 'CUS-K8S-002',
  severity: 'high',
  title: 'Host namespaces shared',
  rationale:
    'hostNetwork, hostPID and hostIPC give the pod the node’s network stack, processes and IPC: it can sniff traffic and signal host processes.',
  remediation: 'Remove spec.hostNetwork, spec.hostPID and spec.hostIPC, or set them to false.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'baseline', control: 'Host Namespaces' },
  run: (input) =>
    each(input, (w) =>
      (['hostNetwork', 'hostPID', 'hostIPC'] as const)
        .filter((f) => isTrue(w.spec[f]))
        .map((f) =>
          onPod(
            pssHostNamespaces,
            w,
            [f],
            `${f}=true shares the node's ${f.slice(4).toLowerCase()} namespace`,
            `${f}: true`,
          ),
        ),
    ),
};

export const pssPrivileged: KubernetesCheck = {
  id: 'CUS-K8S-003',
  severity: 'critical',
  title: 'Privileged container',
  rationale: 'A privileged container has every capability and all host devices: it is root on the node.',
  remediation: 'Remove securityContext.privileged or set it to false; grant only the specific capability needed.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'baseline', control: 'Privileged Containers' },
  run: (input) =>
    each(input, (w) =>
      w.containers
        .filter((c) => isTrue(get(c.value, ['securityContext', 'privileged'])))
        .map((c) =>
          onContainer(
            pssPrivileged,
            w,
            c,
            ['securityContext', 'privileged'],
            'sets securityContext.privileged=true',
            'privileged: true',
          ),
        ),
    ),
};

/** The baseline's allowed `capabilities.add` (the container runtime's default set). */
export const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

export const pssCapabilitiesBaseline: KubernetesCheck = {
  id: 'CUS-K8S-004',
  severity: 'high',
  title: 'Capabilities added beyond the default set',
  rationale: 'Capabilities such as SYS_ADMIN, NET_ADMIN or SYS_PTRACE break container isolation.',
  remediation: `Add only capabilities from the default set (${[...BASELINE_CAPABILITIES].join(', ')}); better, drop ALL and add NET_BIND_SERVICE at most.`,
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'baseline', control: 'Capabilities' },
  run: (input) =>
    each(input, (w) =>
      w.containers.flatMap((c) => {
        const bad = asArray(get(c.value, ['securityContext', 'capabilities', 'add']))
          .map(str)
          .filter((cap) => !BASELINE_CAPABILITIES.has(cap));
        return bad.length === 0
          ? []
          : [
              onContainer(
                pssCapabilitiesBaseline,
                w,
                c,
                ['securityContext', 'capabilities', 'add'],
                `adds capabilities ${bad.join(', ')}`,
              ),
            ];
      }),
    ),
};

export const pssHostPath: KubernetesCheck = {
  id: 'CUS-K8S-005',
  severity: 'high',
  title: 'hostPath volume',
  rationale:
    'A hostPath volume mounts a node directory into the pod; with / or the container runtime socket it is a node takeover.',
  remediation: 'Use emptyDir, configMap, secret, or a PersistentVolumeClaim instead of hostPath.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'baseline', control: 'HostPath Volumes' },
  run: (input) =>
    each(input, (w) =>
      asArray(w.spec.volumes).flatMap((v, i) =>
        isJson(v) && v.hostPath !== undefined && v.hostPath !== null
          ? [
              onPod(
                pssHostPath,
                w,
                ['volumes', i, 'hostPath'],
                `volume "${str(v.name)}" mounts host path ${str(get(v, ['hostPath', 'path']))}`,
              ),
            ]
          : [],
      ),
    ),
};

export const pssHostPorts: KubernetesCheck = {
  id: 'CUS-K8S-006',
  severity: 'medium',
  title: 'Host port used',
  rationale: 'hostPort binds the node’s port, bypassing network policy and limiting scheduling.',
  remediation: 'Remove ports[*].hostPort (or set 0); expose the pod with a Service.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'baseline', control: 'Host Ports' },
  run: (input) =>
    each(input, (w) =>
      w.containers.flatMap((c) =>
        asArray(c.value.ports).flatMap((p, i) => {
          const hp = isJson(p) ? p.hostPort : undefined;
          return hp !== undefined && hp !== null && hp !== 0
            ? [
                onContainer(
                  pssHostPorts,
                  w,
                  c,
                  ['ports', i, 'hostPort'],
                  `uses hostPort ${str(hp)}`,
                  `hostPort: ${str(hp)}`,
                ),
              ]
            : [];
        }),
      ),
    ),
};

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

export const pssAppArmor: KubernetesCheck = {
  id: 'CUS-K8S-007',
  severity: 'high',
  title: 'AppArmor profile overridden',
  rationale:
    'The runtime’s default AppArmor profile confines the container; Unconfined (or an unknown profile type) removes that.',
  remediation:
    'Leave appArmorProfile unset, or use type RuntimeDefault or Localhost (annotation: runtime/default or localhost/NAME).',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'baseline', control: 'AppArmor' },
  run: (input) =>
    each(input, (w) => {
      const ok = (t: unknown): boolean => t === 'RuntimeDefault' || t === 'Localhost';
      const out: Misconfiguration[] = [];
      const podProfile = get(w.spec, ['securityContext', 'appArmorProfile']);
      if (isJson(podProfile) && !ok(podProfile.type)) {
        out.push(
          onPod(
            pssAppArmor,
            w,
            ['securityContext', 'appArmorProfile', 'type'],
            `pod sets appArmorProfile.type "${str(podProfile.type)}"`,
          ),
        );
      }
      for (const c of w.containers) {
        const prof = get(c.value, ['securityContext', 'appArmorProfile']);
        if (isJson(prof) && !ok(prof.type))
          out.push(
            onContainer(
              pssAppArmor,
              w,
              c,
              ['securityContext', 'appArmorProfile', 'type'],
              `sets appArmorProfile.type "${str(prof.type)}"`,
            ),
          );
      }
      const annotations = isJson(w.meta.annotations) ? w.meta.annotations : {};
      for (const [k, v] of Object.entries(annotations).sort()) {
        const value = str(v);
        if (!k.startsWith(APPARMOR_ANNOTATION)) continue;
        if (value === '' || value === 'runtime/default' || value.startsWith('localhost/')) continue;
        out.push(
          onPod(pssAppArmor, w, [], `annotation ${k}="${value}" overrides the AppArmor profile`, `${k}: ${value}`),
        );
        // Point at the annotation itself rather than the spec.
        const last = out.pop() as Misconfiguration;
        out.push({ ...last, location: w.object.locate([...w.metaPath, 'annotations', k]) });
      }
      return out;
    }),
};

/** SELinux types the baseline allows (PSA 1.31+: container_engine_t added). */
export const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

export const pssSelinux: KubernetesCheck = {
  id: 'CUS-K8S-008',
  severity: 'high',
  title: 'Custom SELinux options',
  rationale:
    'Setting an SELinux user or role, or a type outside the container types, escapes the container’s SELinux confinement.',
  remediation:
    'Remove seLinuxOptions.user and .role; use type container_t, container_init_t, container_kvm_t or container_engine_t, or leave it unset.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'baseline', control: 'SELinux' },
  run: (input) =>
    each(input, (w) => {
      const problems = (o: unknown): string[] => {
        if (!isJson(o)) return [];
        const p: string[] = [];
        if (!SELINUX_TYPES.has(str(o.type))) p.push(`type "${str(o.type)}"`);
        if (str(o.user) !== '') p.push('user set');
        if (str(o.role) !== '') p.push('role set');
        return p;
      };
      const out: Misconfiguration[] = [];
      const pod = problems(get(w.spec, ['securityContext', 'seLinuxOptions']));
      if (pod.length > 0)
        out.push(onPod(pssSelinux, w, ['securityContext', 'seLinuxOptions'], `pod seLinuxOptions: ${pod.join(', ')}`));
      for (const c of w.containers) {
        const p = problems(get(c.value, ['securityContext', 'seLinuxOptions']));
        if (p.length > 0)
          out.push(
            onContainer(pssSelinux, w, c, ['securityContext', 'seLinuxOptions'], `seLinuxOptions: ${p.join(', ')}`),
          );
      }
      return out;
    }),
};

export function procMountFindings(check: KubernetesCheck, w: Workload): Misconfiguration[] {
  return w.containers.flatMap((c) => {
    const pm = get(c.value, ['securityContext', 'procMount']);
    return pm !== undefined && pm !== null && pm !== 'Default'
      ? [onContainer(check, w, c, ['securityContext', 'procMount'], `sets procMount "${str(pm)}"`)]
      : [];
  });
}

export const pssProcMount: KubernetesCheck = {
  id: 'CUS-K8S-009',
  severity: 'high',
  title: '/proc mount type not Default',
  rationale: 'procMount Unmasked exposes /proc paths the runtime masks (kcore, sysrq-trigger …).',
  remediation: 'Remove securityContext.procMount or set it to Default.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'baseline', control: '/proc Mount Type' },
  // PSA 1.35: relaxed for pods in a user namespace; the restricted profile keeps it (CUS-K8S-026).
  run: (input) => each(input, (w) => (inUserNamespace(w) ? [] : procMountFindings(pssProcMount, w))),
};

export const pssSeccompBaseline: KubernetesCheck = {
  id: 'CUS-K8S-010',
  severity: 'high',
  title: 'Seccomp profile Unconfined',
  rationale: 'seccomp filters the system calls a container can make; Unconfined turns that off.',
  remediation: 'Set seccompProfile.type to RuntimeDefault or Localhost, or leave it unset.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'baseline', control: 'Seccomp' },
  run: (input) =>
    each(input, (w) => {
      const ok = (t: unknown): boolean => t === 'RuntimeDefault' || t === 'Localhost';
      const out: Misconfiguration[] = [];
      const pod = get(w.spec, ['securityContext', 'seccompProfile']);
      if (isJson(pod) && !ok(pod.type))
        out.push(
          onPod(
            pssSeccompBaseline,
            w,
            ['securityContext', 'seccompProfile', 'type'],
            `pod sets seccompProfile.type "${str(pod.type)}"`,
          ),
        );
      for (const c of w.containers) {
        const p = get(c.value, ['securityContext', 'seccompProfile']);
        if (isJson(p) && !ok(p.type))
          out.push(
            onContainer(
              pssSeccompBaseline,
              w,
              c,
              ['securityContext', 'seccompProfile', 'type'],
              `sets seccompProfile.type "${str(p.type)}"`,
            ),
          );
      }
      return out;
    }),
};

/** The safe sysctl set (PSA latest policy version). */
export const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_notsent_lowat',
]);

export const pssSysctls: KubernetesCheck = {
  id: 'CUS-K8S-011',
  severity: 'high',
  title: 'Unsafe sysctl',
  rationale: 'Sysctls outside the safe, namespaced set can affect the whole node or other pods.',
  remediation: `Use only the safe sysctls (${[...SAFE_SYSCTLS].join(', ')}).`,
  references: [PSS, PSA_SOURCE, 'https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/'],
  standards: { pss: 'baseline', control: 'Sysctls' },
  run: (input) =>
    each(input, (w) =>
      asArray(get(w.spec, ['securityContext', 'sysctls'])).flatMap((s, i) => {
        const name = isJson(s) ? str(s.name) : '';
        return SAFE_SYSCTLS.has(name)
          ? []
          : [onPod(pssSysctls, w, ['securityContext', 'sysctls', i, 'name'], `sets unsafe sysctl ${name}`)];
      }),
    ),
};

export const pssHostProbes: KubernetesCheck = {
  id: 'CUS-K8S-012',
  severity: 'medium',
  title: 'Probe or lifecycle hook targets another host',
  rationale:
    'A probe or lifecycle handler with httpGet.host / tcpSocket.host makes the kubelet connect to any host (PSA 1.34 control "Host Probes / Lifecycle Hooks").',
  remediation: 'Remove the host field so the probe targets the pod’s own IP.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'baseline', control: 'Host Probes / Lifecycle Hooks' },
  run: (input) =>
    each(input, (w) =>
      w.containers.flatMap((c) => {
        const handlers: (readonly string[])[] = [
          ['livenessProbe'],
          ['readinessProbe'],
          ['startupProbe'],
          ['lifecycle', 'postStart'],
          ['lifecycle', 'preStop'],
        ];
        return handlers.flatMap((h) =>
          (['httpGet', 'tcpSocket'] as const).flatMap((kind) => {
            const host = get(c.value, [...h, kind, 'host']);
            return typeof host === 'string' && host !== ''
              ? [
                  onContainer(
                    pssHostProbes,
                    w,
                    c,
                    [...h, kind, 'host'],
                    `${h.join('.')} ${kind} targets host "${host}"`,
                  ),
                ]
              : [];
          }),
        );
      }),
    ),
};
