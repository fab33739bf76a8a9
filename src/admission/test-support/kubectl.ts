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
import { promisify } from 'node:util';

const run = promisify(execFile);

let discovery: Promise<{ server: Server; url: string }> | undefined;

function discoveryStub(): Promise<{ server: Server; url: string }> {
  discovery ??= new Promise((resolve) => {
    const bodies: Record<string, unknown> = {
      '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
      '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
      '/api/v1': {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [{ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['create', 'get'] }],
      },
    };
    const server = createServer((req, res) => {
      const body = bodies[(req.url ?? '').split('?')[0] ?? ''];
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(body ? JSON.stringify(body) : '{}');
    });
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    });
  });
  return discovery;
}

const cache = new Map<string, Promise<Record<string, unknown>>>();

/** `kubectl ARGS --dry-run=client -o json`, parsed (memoized: kubectl takes ~100 ms a call). */
export function kubectlObject(args: readonly string[]): Promise<Record<string, unknown>> {
  const key = JSON.stringify(args);
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const extra = args[0] === 'run' ? ['--server', (await discoveryStub()).url] : [];
      const { stdout } = await run('kubectl', [...args, ...extra, '--dry-run=client', '-o', 'json'], {
        env: { ...process.env, KUBECONFIG: '/dev/null' },
      });
      return JSON.parse(stdout) as Record<string, unknown>;
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
