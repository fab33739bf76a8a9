import type { Misconfiguration } from '../types.js';
import { type KubernetesCheck, onObject } from './k8s-check.js';
import { asArray, isJson } from './manifests.js';
import { objectRef } from './workloads.js';

const RBAC_GOOD = 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/';
const CIS_K8S = 'https://www.cisecurity.org/benchmark/kubernetes';

function rbacRules(input: { objects: readonly import('./manifests.js').K8sObject[] }) {
  return input.objects
    .filter(
      (o) => (o.kind === 'Role' || o.kind === 'ClusterRole') && o.apiVersion.startsWith('rbac.authorization.k8s.io/'),
    )
    .flatMap((o) =>
      asArray(o.value.rules).flatMap((r, i) =>
        isJson(r)
          ? [
              {
                o,
                i,
                // ClusterRoles have no namespace: name them Kind/name.
                ref: o.kind === 'ClusterRole' ? `ClusterRole/${o.name}` : objectRef(o),
                verbs: asArray(r.verbs).map(String),
                resources: asArray(r.resources).map(String),
                apiGroups: asArray(r.apiGroups).map(String),
              },
            ]
          : [],
      ),
    );
}

export const rbacWildcard: KubernetesCheck = {
  id: 'CUS-K8S-040',
  severity: 'high',
  title: 'RBAC rule uses a wildcard',
  rationale:
    '`*` in verbs, resources or apiGroups grants everything, including resources and verbs added later (CIS Kubernetes 5.1.3).',
  remediation: 'List the exact apiGroups, resources and verbs the subject needs.',
  references: [RBAC_GOOD, CIS_K8S],
  standards: { cisKubernetes: '5.1.3' },
  run: (input) =>
    rbacRules(input).flatMap((r) => {
      const fields = (['verbs', 'resources', 'apiGroups'] as const).filter((f) => r[f].includes('*'));
      return fields.length === 0
        ? []
        : [
            onObject(
              rbacWildcard,
              r.o,
              r.ref,
              ['rules', r.i, fields[0] as string],
              `rule ${r.i} uses "*" in ${fields.join(', ')}`,
            ),
          ];
    }),
};

/** Verbs that grant privilege escalation on any resource (RBAC good practices, "Escalate verb", "Bind verb", "Impersonate verb"). */
const ESCALATION_VERBS = ['escalate', 'bind', 'impersonate'];

export const rbacEscalation: KubernetesCheck = {
  id: 'CUS-K8S-041',
  severity: 'high',
  title: 'RBAC rule grants privilege escalation',
  rationale:
    'escalate, bind and impersonate let a subject grant itself more rights; reading secrets reveals every service account token; pods/exec runs commands in any pod (CIS Kubernetes 5.1.2, 5.1.8).',
  remediation: 'Remove the verbs; give secret access by resourceNames only; grant pods/exec to break-glass roles only.',
  references: [RBAC_GOOD, CIS_K8S],
  standards: { cisKubernetes: '5.1.8' },
  run: (input) =>
    rbacRules(input).flatMap((r) => {
      const out: Misconfiguration[] = [];
      const esc = r.verbs.filter((v) => ESCALATION_VERBS.includes(v));
      if (esc.length > 0)
        out.push(
          onObject(
            rbacEscalation,
            r.o,
            r.ref,
            ['rules', r.i, 'verbs'],
            `rule ${r.i} grants ${esc.join(', ')} on ${r.resources.join(', ') || '(no resources)'}`,
          ),
        );
      const readSecrets = r.verbs.filter((v) => v === 'get' || v === 'list' || v === 'watch');
      if (r.resources.includes('secrets') && readSecrets.length > 0) {
        out.push(
          onObject(
            rbacEscalation,
            r.o,
            r.ref,
            ['rules', r.i, 'resources'],
            `rule ${r.i} can ${readSecrets.join('/')} secrets`,
          ),
        );
      }
      if (r.resources.includes('pods/exec') && r.verbs.includes('create')) {
        out.push(
          onObject(
            rbacEscalation,
            r.o,
            r.ref,
            ['rules', r.i, 'resources'],
            `rule ${r.i} can create pods/exec (run commands in pods)`,
          ),
        );
      }
      return out;
    }),
};

/** Kinds that live in a namespace and run pods or are the namespace itself. */
const NAMESPACED_WORKLOADS = new Set([
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
]);

export const namespaceWithoutNetworkPolicy: KubernetesCheck = {
  id: 'CUS-K8S-042',
  severity: 'medium',
  title: 'Namespace without a NetworkPolicy',
  rationale:
    'Without a NetworkPolicy every pod accepts traffic from every other pod in the cluster (CIS Kubernetes 5.3.2).',
  remediation: 'Add a default-deny NetworkPolicy to the namespace and allow the flows the workloads need.',
  references: ['https://kubernetes.io/docs/concepts/services-networking/network-policies/', CIS_K8S],
  standards: { cisKubernetes: '5.3.2' },
  run: (input) => {
    const covered = new Set(input.objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.namespace));
    const firstSeen = new Map<string, { o: (typeof input.objects)[number]; isNamespace: boolean }>();
    for (const o of input.objects) {
      if (o.kind === 'Namespace') firstSeen.set(o.name, { o, isNamespace: true });
      else if (NAMESPACED_WORKLOADS.has(o.kind) && !firstSeen.has(o.namespace))
        firstSeen.set(o.namespace, { o, isNamespace: false });
    }
    return [...firstSeen.entries()]
      .filter(([ns]) => !covered.has(ns))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([ns, { o, isNamespace }]) =>
        onObject(
          namespaceWithoutNetworkPolicy,
          o,
          `Namespace/${ns}`,
          isNamespace ? ['metadata', 'name'] : ['metadata'],
          `namespace "${ns}" has workloads${isNamespace ? '' : ` (first: ${objectRef(o)})`} but no NetworkPolicy in this input`,
        ),
      );
  },
};
