/**
 * The discovery endpoints of a Kubernetes API server (version, /api, /apis, the
 * networking.k8s.io/v1 resource list) on loopback, so `kubectl apply
 * --dry-run=client` can map a NetworkPolicy without a cluster. It serves no
 * OpenAPI document (kubectl fetches that as protobuf), so kubectl runs with
 * --validate=false and the caller checks the fields itself.
 */
import { createServer, type Server } from 'node:http';

export async function fakeKubeApi(): Promise<{ url: string; close(): Promise<void> }> {
  const docs: Record<string, unknown> = {
    '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' },
    '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
    '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [] },
    '/apis': {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [
        {
          name: 'networking.k8s.io',
          versions: [{ groupVersion: 'networking.k8s.io/v1', version: 'v1' }],
          preferredVersion: { groupVersion: 'networking.k8s.io/v1', version: 'v1' },
        },
      ],
    },
    '/apis/networking.k8s.io/v1': {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'networking.k8s.io/v1',
      resources: [
        {
          name: 'networkpolicies',
          singularName: 'networkpolicy',
          namespaced: true,
          kind: 'NetworkPolicy',
          verbs: ['create', 'get', 'patch'],
        },
      ],
    },
  };
  const server: Server = createServer((req, res) => {
    const doc = docs[(req.url ?? '').split('?')[0] ?? ''];
    res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(doc ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
