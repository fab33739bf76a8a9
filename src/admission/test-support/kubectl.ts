/**
 * Objects as kubectl makes them (`kubectl create … --dry-run=client -o json`,
 * `kubectl run … --dry-run=client -o json`) and AdmissionReviews around them
 * as the API server builds them. No API server can run here: `kubectl run`
 * asks the server's discovery API which resource "pods" is, so a loopback
 * stub answers just /api, /api/v1 and /apis; nothing else is served.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

let discovery: Promise<{ server: Server; url: string }> | undefined;

/** The resources the stub's discovery lists: what kubectl run and the webhook's manifests use. */
const DISCOVERY: Record<string, readonly (readonly [string, string, boolean])[]> = {
  v1: [
    ['pods', 'Pod', true],
    ['namespaces', 'Namespace', false],
    ['services', 'Service', true],
    ['serviceaccounts', 'ServiceAccount', true],
    ['secrets', 'Secret', true],
    ['configmaps', 'ConfigMap', true],
    ['replicationcontrollers', 'ReplicationController', true],
  ],
  'apps/v1': [
    ['deployments', 'Deployment', true],
    ['statefulsets', 'StatefulSet', true],
    ['daemonsets', 'DaemonSet', true],
    ['replicasets', 'ReplicaSet', true],
  ],
  'batch/v1': [
    ['jobs', 'Job', true],
    ['cronjobs', 'CronJob', true],
  ],
  'policy/v1': [['poddisruptionbudgets', 'PodDisruptionBudget', true]],
  'autoscaling/v2': [['horizontalpodautoscalers', 'HorizontalPodAutoscaler', true]],
  'networking.k8s.io/v1': [['networkpolicies', 'NetworkPolicy', true]],
  'rbac.authorization.k8s.io/v1': [
    ['roles', 'Role', true],
    ['rolebindings', 'RoleBinding', true],
  ],
  'admissionregistration.k8s.io/v1': [
    ['validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false],
    ['mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false],
  ],
  'cert-manager.io/v1': [
    ['issuers', 'Issuer', true],
    ['certificates', 'Certificate', true],
  ],
};

function discoveryBodies(): Map<string, unknown> {
  const bodies = new Map<string, unknown>();
  const groups = Object.keys(DISCOVERY).filter((gv) => gv.includes('/'));
  bodies.set('/version', { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
  bodies.set('/api', { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
  bodies.set('/apis', {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((gv) => {
      const [name, version] = gv.split('/') as [string, string];
      const v = { groupVersion: gv, version };
      return { name, versions: [v], preferredVersion: v };
    }),
  });
  for (const [gv, resources] of Object.entries(DISCOVERY)) {
    bodies.set(gv === 'v1' ? '/api/v1' : `/apis/${gv}`, {
      kind: 'APIResourceList',
      groupVersion: gv,
      resources: resources.map(([name, kind, namespaced]) => ({
        name,
        singularName: kind.toLowerCase(),
        namespaced,
        kind,
        verbs: ['create', 'get', 'list', 'patch', 'update'],
      })),
    });
  }
  return bodies;
}

/**
 * A loopback stand-in for the API server's discovery endpoints only: every
 * object lookup is 404 NotFound (so `kubectl apply --dry-run=client` sees
 * new objects), OpenAPI is absent (so schema validation is off: --validate=false).
 */
export function discoveryStub(): Promise<{ server: Server; url: string }> {
  discovery ??= new Promise((resolve) => {
    const bodies = discoveryBodies();
    const server = createServer((req, res) => {
      const body = bodies.get((req.url ?? '').split('?')[0] ?? '');
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          body ?? {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'NotFound',
            code: 404,
            message: 'not found',
          },
        ),
      );
    });
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    });
  });
  return discovery;
}

/** Run kubectl against the discovery stub with `input` on stdin; stdout, stderr and the status. */
export async function kubectl(
  args: readonly string[],
  input?: string,
): Promise<{ stdout: string; stderr: string; status: number }> {
  const { url } = await discoveryStub();
  return new Promise((resolve, reject) => {
    const child = execFile(
      'kubectl',
      [...args, '--server', url],
      { env: { ...process.env, KUBECONFIG: '/dev/null' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ stdout, stderr, status: error ? Number(error.code) : 0 });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

const cache = new Map<string, Promise<Record<string, unknown>>>();

/** `kubectl ARGS --dry-run=client -o json`, parsed (memoized: kubectl takes ~100 ms a call). */
export function kubectlObject(args: readonly string[]): Promise<Record<string, unknown>> {
  const key = JSON.stringify(args);
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const r = await kubectl([...args, '--dry-run=client', '-o', 'json']);
      if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    })();
    cache.set(key, p);
  }
  return p.then((o) => structuredClone(o));
}

const RESOURCES: Record<string, string> = {
  Pod: 'pods',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  ReplicaSet: 'replicasets',
  ReplicationController: 'replicationcontrollers',
  Job: 'jobs',
  CronJob: 'cronjobs',
  ConfigMap: 'configmaps',
};

let uids = 0;

/** An AdmissionReview request as the API server sends it for `object` in `namespace`. */
export function admissionReview(
  object: Record<string, unknown>,
  opts: { namespace?: string; operation?: string; uid?: string; subResource?: string } = {},
): Record<string, unknown> {
  const namespace = opts.namespace ?? 'default';
  const apiVersion = String(object.apiVersion);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const kind = String(object.kind);
  const meta: Record<string, unknown> = { ...(object.metadata as Record<string, unknown>), namespace };
  const uid = opts.uid ?? `0000${++uids}-aaaa-bbbb-cccc-${String(uids).padStart(12, '0')}`;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group, version, kind },
      resource: { group, version, resource: RESOURCES[kind] ?? `${kind.toLowerCase()}s` },
      requestKind: { group, version, kind },
      requestResource: { group, version, resource: RESOURCES[kind] ?? `${kind.toLowerCase()}s` },
      ...(opts.subResource ? { subResource: opts.subResource } : {}),
      name: String(meta.name ?? ''),
      namespace,
      operation: opts.operation ?? 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      object: { ...object, metadata: meta },
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

/** A Pod of `n` containers as `kubectl run` makes it, with more containers added. */
export async function podOf(n: number, image = 'nginx:1.25'): Promise<Record<string, unknown>> {
  const pod = await kubectlObject(['run', 'app', `--image=${image}`, '--restart=Never']);
  const spec = pod.spec as { containers: Record<string, unknown>[] };
  const first = spec.containers[0] as Record<string, unknown>;
  spec.containers = Array.from({ length: n }, (_, i) => ({ ...first, name: `c${i}`, image }));
  return pod;
}
