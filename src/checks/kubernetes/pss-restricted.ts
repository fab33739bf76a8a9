/**
 * Pod Security Standards, Restricted profile (in addition to Baseline), as the
 * spec and PSA's latest policy version define it: Linux-only controls are
 * skipped for spec.os.name=windows; pod-level runAsNonRoot and seccompProfile
 * cover containers that leave theirs unset; spec.hostUsers=false relaxes the
 * root-user controls (PSA 1.35).
 */
import type { Misconfiguration } from '../types.js';
import { type KubernetesCheck, onContainer, onPod, PSA_SOURCE, PSS } from './k8s-check.js';
import { asArray, get, isJson } from './manifests.js';
import { inUserNamespace, procMountFindings } from './pss-baseline.js';
import type { Workload } from './workloads.js';

const isWindows = (w: Workload): boolean => get(w.spec, ['os', 'name']) === 'windows';
const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Volume sources the restricted profile allows; anything else (hostPath, nfs, gitRepo …) is refused. */
export const RESTRICTED_VOLUME_TYPES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
] as const;

export const pssVolumeTypes: KubernetesCheck = {
  id: 'CUS-K8S-020',
  severity: 'medium',
  title: 'Volume type not allowed by the restricted profile',
  rationale: 'The restricted profile limits volumes to core types that do not reach node or network storage directly.',
  remediation: `Use only ${RESTRICTED_VOLUME_TYPES.join(', ')} volumes; reach other storage through a PersistentVolumeClaim.`,
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'restricted', control: 'Volume Types' },
  run: (input) =>
    input.workloads.flatMap((w) =>
      asArray(w.spec.volumes).flatMap((v, i) => {
        if (!isJson(v)) return [];
        if (RESTRICTED_VOLUME_TYPES.some((t) => v[t] !== undefined && v[t] !== null)) return [];
        const type = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
        return [
          onPod(pssVolumeTypes, w, ['volumes', i], `volume "${str(v.name)}" uses restricted volume type ${type}`),
        ];
      }),
    ),
};

export const pssAllowPrivilegeEscalation: KubernetesCheck = {
  id: 'CUS-K8S-021',
  severity: 'medium',
  title: 'allowPrivilegeEscalation not false',
  rationale:
    'Unless allowPrivilegeEscalation is false, setuid binaries and file capabilities let a process gain more privileges than its parent (no_new_privs is not set).',
  remediation: 'Set securityContext.allowPrivilegeEscalation: false in every container.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'restricted', control: 'Privilege Escalation' },
  run: (input) =>
    input.workloads.flatMap((w) =>
      isWindows(w)
        ? []
        : w.containers
            .filter((c) => get(c.value, ['securityContext', 'allowPrivilegeEscalation']) !== false)
            .map((c) => {
              const set = get(c.value, ['securityContext', 'allowPrivilegeEscalation']) !== undefined;
              return onContainer(
                pssAllowPrivilegeEscalation,
                w,
                c,
                set ? ['securityContext', 'allowPrivilegeEscalation'] : ['securityContext'],
                'must set securityContext.allowPrivilegeEscalation=false',
              );
            }),
    ),
};

export const pssRunAsNonRoot: KubernetesCheck = {
  id: 'CUS-K8S-022',
  severity: 'medium',
  title: 'runAsNonRoot not true',
  rationale:
    'runAsNonRoot: true makes the kubelet refuse to start a container whose user is root, whatever the image says.',
  remediation: 'Set securityContext.runAsNonRoot: true on the pod (or on every container).',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'restricted', control: 'Running as Non-root' },
  run: (input) =>
    input.workloads.flatMap((w) => {
      if (inUserNamespace(w)) return [];
      const out: Misconfiguration[] = [];
      const pod = get(w.spec, ['securityContext', 'runAsNonRoot']);
      if (pod === false)
        out.push(
          onPod(pssRunAsNonRoot, w, ['securityContext', 'runAsNonRoot'], 'pod sets securityContext.runAsNonRoot=false'),
        );
      for (const c of w.containers) {
        const v = get(c.value, ['securityContext', 'runAsNonRoot']);
        if (v === false)
          out.push(
            onContainer(
              pssRunAsNonRoot,
              w,
              c,
              ['securityContext', 'runAsNonRoot'],
              'sets securityContext.runAsNonRoot=false',
            ),
          );
        else if (v === undefined && pod !== true)
          out.push(
            onContainer(
              pssRunAsNonRoot,
              w,
              c,
              [],
              'neither the pod nor the container sets securityContext.runAsNonRoot=true',
            ),
          );
      }
      return out;
    }),
};

export const pssRunAsUser: KubernetesCheck = {
  id: 'CUS-K8S-023',
  severity: 'medium',
  title: 'runAsUser is 0',
  rationale: 'UID 0 is root; the restricted profile forbids asking for it explicitly.',
  remediation: 'Set runAsUser to a non-zero UID (or leave it unset with runAsNonRoot: true).',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'restricted', control: 'Running as Non-root user' },
  run: (input) =>
    input.workloads.flatMap((w) => {
      if (inUserNamespace(w)) return [];
      const out: Misconfiguration[] = [];
      if (get(w.spec, ['securityContext', 'runAsUser']) === 0)
        out.push(onPod(pssRunAsUser, w, ['securityContext', 'runAsUser'], 'pod sets runAsUser=0'));
      for (const c of w.containers) {
        if (get(c.value, ['securityContext', 'runAsUser']) === 0)
          out.push(onContainer(pssRunAsUser, w, c, ['securityContext', 'runAsUser'], 'sets runAsUser=0'));
      }
      return out;
    }),
};

export const pssSeccompRestricted: KubernetesCheck = {
  id: 'CUS-K8S-024',
  severity: 'medium',
  title: 'Seccomp profile not set to RuntimeDefault or Localhost',
  rationale:
    'The restricted profile requires a seccomp filter: RuntimeDefault or Localhost at the pod, or on every container.',
  remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'restricted', control: 'Seccomp' },
  run: (input) =>
    input.workloads.flatMap((w) => {
      if (isWindows(w)) return [];
      const ok = (t: unknown): boolean => t === 'RuntimeDefault' || t === 'Localhost';
      const pod = get(w.spec, ['securityContext', 'seccompProfile']);
      // Explicit bad values are the baseline's finding (CUS-K8S-010); here: containers left without a profile.
      if (isJson(pod) && ok(pod.type)) return [];
      return w.containers
        .filter((c) => get(c.value, ['securityContext', 'seccompProfile']) === undefined)
        .map((c) =>
          onContainer(
            pssSeccompRestricted,
            w,
            c,
            [],
            'neither the pod nor the container sets seccompProfile.type to RuntimeDefault or Localhost',
          ),
        );
    }),
};

export const pssCapabilitiesRestricted: KubernetesCheck = {
  id: 'CUS-K8S-025',
  severity: 'medium',
  title: 'Capabilities not dropped to ALL (+ NET_BIND_SERVICE)',
  rationale:
    'The restricted profile requires every container to drop ALL capabilities and add back at most NET_BIND_SERVICE.',
  remediation: 'Set securityContext.capabilities: {drop: ["ALL"], add: ["NET_BIND_SERVICE"] (only if needed)}.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'restricted', control: 'Capabilities' },
  run: (input) =>
    input.workloads.flatMap((w) => {
      if (isWindows(w)) return [];
      return w.containers.flatMap((c) => {
        const out: Misconfiguration[] = [];
        const caps = get(c.value, ['securityContext', 'capabilities']);
        const drop = asArray(get(caps, ['drop']));
        if (!drop.includes('ALL')) {
          out.push(
            onContainer(
              pssCapabilitiesRestricted,
              w,
              c,
              isJson(caps) ? ['securityContext', 'capabilities'] : [],
              'must set securityContext.capabilities.drop=["ALL"]',
            ),
          );
        }
        const added = asArray(get(caps, ['add'])).filter((a) => a !== 'NET_BIND_SERVICE');
        if (added.length > 0) {
          out.push(
            onContainer(
              pssCapabilitiesRestricted,
              w,
              c,
              ['securityContext', 'capabilities', 'add'],
              `adds ${added.map(str).join(', ')}; only NET_BIND_SERVICE is allowed`,
            ),
          );
        }
        return out;
      });
    }),
};

export const pssProcMountRestricted: KubernetesCheck = {
  id: 'CUS-K8S-026',
  severity: 'medium',
  title: '/proc mount type not Default in a user-namespace pod',
  rationale:
    'PSA 1.35 relaxes the baseline /proc mount control for pods with hostUsers: false, but the restricted profile still requires Default.',
  remediation: 'Remove securityContext.procMount or set it to Default.',
  references: [PSS, PSA_SOURCE],
  standards: { pss: 'restricted', control: '/proc Mount Type' },
  // Pods in the host user namespace get this finding from CUS-K8S-009 already.
  run: (input) =>
    input.workloads.flatMap((w) => (inUserNamespace(w) ? procMountFindings(pssProcMountRestricted, w) : [])),
};
