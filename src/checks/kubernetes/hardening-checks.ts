import { parseNormalizedReference } from '../../image/index.js';
import type { Misconfiguration } from '../types.js';
import { type KubernetesCheck, onContainer, onPod } from './k8s-check.js';
import { get, isJson } from './manifests.js';

const K8S_SECURITY_CONTEXT = 'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/';
const K8S_RESOURCES = 'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/';
const K8S_IMAGES = 'https://kubernetes.io/docs/concepts/containers/images/';
const CIS_K8S = 'https://www.cisecurity.org/benchmark/kubernetes';

export const resourcesMissing: KubernetesCheck = {
  id: 'CUS-K8S-030',
  severity: 'medium',
  title: 'CPU or memory requests/limits missing',
  rationale:
    'Without memory limits one container can exhaust the node; without requests the scheduler overcommits and evicts unpredictably.',
  remediation:
    'Set resources.requests.cpu, resources.requests.memory and resources.limits.memory (and limits.cpu where your policy wants it).',
  references: [K8S_RESOURCES],
  standards: {},
  run: (input) =>
    input.workloads.flatMap((w) =>
      // Ephemeral containers may not set resources (API validation): not checked.
      w.containers
        .filter((c) => c.list !== 'ephemeralContainers')
        .flatMap((c) => {
          const missing = (['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'] as const).filter(
            (f) => get(c.value, ['resources', ...f.split('.')]) === undefined,
          );
          return missing.length === 0
            ? []
            : [
                onContainer(
                  resourcesMissing,
                  w,
                  c,
                  isJson(c.value.resources) ? ['resources'] : [],
                  `sets no resources.${missing.join(', resources.')}`,
                ),
              ];
        }),
    ),
};

export const rootFilesystemWritable: KubernetesCheck = {
  id: 'CUS-K8S-031',
  severity: 'low',
  title: 'Root filesystem is writable',
  rationale: 'A read-only root filesystem stops an intruder from dropping tools or changing binaries in the container.',
  remediation: 'Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the app writes.',
  references: [K8S_SECURITY_CONTEXT],
  standards: {},
  run: (input) =>
    input.workloads.flatMap((w) =>
      w.containers
        .filter((c) => get(c.value, ['securityContext', 'readOnlyRootFilesystem']) !== true)
        .map((c) => {
          const set = get(c.value, ['securityContext', 'readOnlyRootFilesystem']) !== undefined;
          return onContainer(
            rootFilesystemWritable,
            w,
            c,
            set ? ['securityContext', 'readOnlyRootFilesystem'] : [],
            'does not set securityContext.readOnlyRootFilesystem=true',
          );
        }),
    ),
};

function imageOf(c: { value: Record<string, unknown> }): string | undefined {
  return typeof c.value.image === 'string' && c.value.image !== '' ? c.value.image : undefined;
}

function parsedImage(image: string): { domain: string; path: string; tag?: string; digest?: string } | undefined {
  try {
    // Kubernetes names images like Docker: "nginx" is docker.io/library/nginx.
    return parseNormalizedReference(image);
  } catch {
    return undefined;
  }
}

export const imageLatest: KubernetesCheck = {
  id: 'CUS-K8S-032',
  severity: 'medium',
  title: 'Image uses latest or no tag',
  rationale: 'With no tag or `latest` every pull can run different code, and imagePullPolicy defaults to Always.',
  remediation: 'Use a versioned tag pinned by digest: image: nginx:1.27.1@sha256:…',
  references: [K8S_IMAGES],
  standards: {},
  run: (input) =>
    input.workloads.flatMap((w) =>
      w.containers.flatMap((c) => {
        const image = imageOf(c);
        const ref = image ? parsedImage(image) : undefined;
        if (!image || !ref || ref.digest !== undefined || (ref.tag !== undefined && ref.tag !== 'latest')) return [];
        return [
          onContainer(
            imageLatest,
            w,
            c,
            ['image'],
            `image "${image}" ${ref.tag === undefined ? 'has no tag' : 'uses latest'}`,
            `image: ${image}`,
          ),
        ];
      }),
    ),
};

export const imageNoDigest: KubernetesCheck = {
  id: 'CUS-K8S-033',
  severity: 'low',
  title: 'Image not pinned by digest',
  rationale: 'A tag can be re-pushed; a digest guarantees every node runs the image that was scanned and approved.',
  remediation: 'Reference images by digest: image: REPO:TAG@sha256:…',
  references: [K8S_IMAGES],
  standards: {},
  run: (input) =>
    input.workloads.flatMap((w) =>
      w.containers.flatMap((c) => {
        const image = imageOf(c);
        const ref = image ? parsedImage(image) : undefined;
        if (!image || !ref || ref.digest !== undefined || ref.tag === undefined || ref.tag === 'latest') return [];
        return [
          onContainer(imageNoDigest, w, c, ['image'], `image "${image}" is pinned by tag only`, `image: ${image}`),
        ];
      }),
    ),
};

/** `registry[/path]` allows an image whose `domain/path` equals it or starts with it plus "/". */
function allowed(ref: { domain: string; path: string }, allowList: readonly string[]): boolean {
  const full = `${ref.domain}/${ref.path}`;
  return allowList.some((a) => {
    const prefix = a.replace(/\/+$/, '');
    return full === prefix || full.startsWith(`${prefix}/`);
  });
}

export const imageRegistryNotAllowed: KubernetesCheck = {
  id: 'CUS-K8S-034',
  severity: 'high',
  title: 'Image from a registry outside the allow-list',
  rationale: 'Images from unvetted registries bypass the organisation’s scanning and signing.',
  remediation:
    'Mirror the image into an allowed registry and reference it there, or add the registry to the allow-list (allowedRegistries).',
  references: [K8S_IMAGES, CIS_K8S],
  standards: {},
  run: (input) => {
    const allowList = input.options.allowedRegistries ?? [];
    if (allowList.length === 0) return [];
    return input.workloads.flatMap((w) =>
      w.containers.flatMap((c) => {
        const image = imageOf(c);
        const ref = image ? parsedImage(image) : undefined;
        if (!image || !ref || allowed(ref, allowList)) return [];
        return [
          onContainer(
            imageRegistryNotAllowed,
            w,
            c,
            ['image'],
            `image "${image}" comes from ${ref.domain}, which is not in the allowed registries (${allowList.join(', ')})`,
            `image: ${image}`,
          ),
        ];
      }),
    );
  },
};

export const serviceAccountTokenMounted: KubernetesCheck = {
  id: 'CUS-K8S-035',
  severity: 'low',
  title: 'Service account token mounted automatically',
  rationale:
    'Most pods never call the API server; an automatically mounted token is a credential an intruder can use (CIS Kubernetes 5.1.6).',
  remediation: 'Set automountServiceAccountToken: false on the pod (or its ServiceAccount) unless it needs the API.',
  references: [
    'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting',
    CIS_K8S,
  ],
  standards: { cisKubernetes: '5.1.6' },
  run: (input) => {
    // A ServiceAccount in the same input with automountServiceAccountToken: false covers pods that leave it unset.
    const optedOut = new Set(
      input.objects
        .filter((o) => o.kind === 'ServiceAccount' && o.value.automountServiceAccountToken === false)
        .map((o) => `${o.namespace}/${o.name}`),
    );
    const out: Misconfiguration[] = [];
    for (const w of input.workloads) {
      const v = w.spec.automountServiceAccountToken;
      if (v === false) continue;
      const sa = typeof w.spec.serviceAccountName === 'string' ? w.spec.serviceAccountName : 'default';
      if (v === undefined && optedOut.has(`${w.object.namespace}/${sa}`)) continue;
      out.push(
        onPod(
          serviceAccountTokenMounted,
          w,
          v === undefined ? [] : ['automountServiceAccountToken'],
          `mounts the token of service account "${sa}" (automountServiceAccountToken is not false)`,
        ),
      );
    }
    return out;
  },
};
