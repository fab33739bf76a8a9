/**
 * `customs admit manifests`: everything a cluster needs to run the webhook —
 * Namespace, ServiceAccount (RBAC: no role, see below), NetworkPolicy, ConfigMap (admission.yaml), the TLS
 * setup (a self-signed CA in a Secret and the caBundle, or cert-manager's
 * Issuer + Certificate with CA injection), Deployment, Service,
 * PodDisruptionBudget and the Validating (and, when asked, Mutating)
 * WebhookConfiguration. Field names follow the Kubernetes API reference
 * (admissionregistration.k8s.io/v1, apps/v1, cert-manager.io/v1).
 */
import { stringify } from 'yaml';
import type { FailurePolicy } from './config.js';
import { webhookCertificates } from './certificates.js';

export interface ManifestOptions {
  readonly namespace: string;
  readonly image: string;
  readonly certManager: boolean;
  readonly mutating: boolean;
  readonly failurePolicy: FailurePolicy;
  readonly timeoutSeconds: number;
  /** admission.yaml text put in the ConfigMap. */
  readonly configText: string;
  readonly replicas?: number;
}

const NAME = 'customs-admission';
const PORT = 8443;

/** The resources the webhook judges (docs/admission.md "Objects"). */
export const WEBHOOK_RULES = [
  { apiGroups: [''], apiVersions: ['v1'], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'] },
  { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
  { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs', 'cronjobs'] },
].map((r) => ({ ...r, operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' }));

type Obj = Record<string, unknown>;

export async function admissionManifests(opts: ManifestOptions): Promise<Obj[]> {
  const ns = opts.namespace;
  const labels = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'customs' };
  const meta = (name: string, extra: Obj = {}): Obj => ({ name, namespace: ns, labels, ...extra });
  const serviceHost = `${NAME}.${ns}.svc`;
  const dnsNames = [NAME, `${NAME}.${ns}`, serviceHost, `${serviceHost}.cluster.local`];
  const secretName = `${NAME}-tls`;
  const out: Obj[] = [];
  out.push({
    apiVersion: 'v1',
    kind: 'Namespace',
    // The webhook's own pods satisfy the restricted profile; PSA enforces it here.
    metadata: { name: ns, labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'restricted' } },
  });
  out.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(NAME), automountServiceAccountToken: false });
  // RBAC: the webhook calls no Kubernetes API (namespace labels come from its config, the
  // certificate and config are mounted files), so its ServiceAccount has no Role and mounts no token.
  // Only ingress to the webhook port is allowed; egress stays open (registries, the store, the server).
  out.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(NAME),
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: PORT, protocol: 'TCP' }] }],
    },
  });
  out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(NAME), data: { 'admission.yaml': opts.configText } });
  let caBundle: string | undefined;
  if (opts.certManager) {
    out.push({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: meta(`${NAME}-selfsigned`),
      spec: { selfSigned: {} },
    });
    out.push({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(NAME),
      spec: {
        secretName,
        dnsNames,
        duration: '2160h',
        renewBefore: '360h',
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['server auth', 'digital signature'],
        issuerRef: { name: `${NAME}-selfsigned`, kind: 'Issuer', group: 'cert-manager.io' },
      },
    });
  } else {
    const certs = await webhookCertificates(dnsNames);
    caBundle = Buffer.from(certs.caPem).toString('base64');
    out.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(secretName),
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': Buffer.from(certs.certPem).toString('base64'),
        'tls.key': Buffer.from(certs.keyPem).toString('base64'),
        'ca.crt': caBundle,
      },
    });
  }
  const probe = (path: string): Obj => ({
    httpGet: { path, port: 'https', scheme: 'HTTPS' },
    periodSeconds: 10,
    timeoutSeconds: 2,
  });
  out.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(NAME),
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: NAME,
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          // SIGTERM lets requests in flight finish; the endpoint is removed first.
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'admit',
              image: opts.image,
              args: [
                'admit',
                '--listen',
                `0.0.0.0:${PORT}`,
                '--tls-cert',
                '/tls/tls.crt',
                '--tls-key',
                '/tls/tls.key',
                '--config',
                '/config/admission.yaml',
              ],
              ports: [{ name: 'https', containerPort: PORT, protocol: 'TCP' }],
              readinessProbe: probe('/readyz'),
              livenessProbe: probe('/healthz'),
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: 65532,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'tls', mountPath: '/tls', readOnly: true },
                { name: 'config', mountPath: '/config', readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'tls', secret: { secretName } },
            { name: 'config', configMap: { name: NAME } },
          ],
        },
      },
    },
  });
  out.push({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(NAME),
    spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': NAME } } },
  });
  out.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(NAME),
    spec: {
      selector: { 'app.kubernetes.io/name': NAME },
      ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }],
    },
  });
  const webhookMeta = (name: string): Obj => ({
    name,
    labels,
    ...(opts.certManager ? { annotations: { 'cert-manager.io/inject-ca-from': `${ns}/${NAME}` } } : {}),
  });
  const webhook = (name: string, path: string): Obj => ({
    name,
    admissionReviewVersions: ['v1'],
    clientConfig: {
      service: { name: NAME, namespace: ns, path, port: 443 },
      ...(caBundle !== undefined ? { caBundle } : {}),
    },
    rules: WEBHOOK_RULES,
    failurePolicy: opts.failurePolicy,
    matchPolicy: 'Equivalent',
    // Queued scans and decision events are side effects; none happen for dry-run requests.
    sideEffects: 'NoneOnDryRun',
    timeoutSeconds: opts.timeoutSeconds,
    // Never judge the webhook's own namespace or the control plane's: a webhook that cannot start
    // because it must admit itself would lock the cluster under failurePolicy Fail.
    namespaceSelector: {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [ns, 'kube-system'] }],
    },
  });
  if (opts.mutating)
    out.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: webhookMeta(NAME),
      webhooks: [{ ...webhook('mutate.admission.customs.dev', '/mutate'), reinvocationPolicy: 'IfNeeded' }],
    });
  out.push({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: webhookMeta(NAME),
    webhooks: [webhook('validate.admission.customs.dev', '/validate')],
  });
  return out;
}

/** Multi-document YAML, as kubectl apply -f - reads it. */
export function manifestsYaml(objects: readonly Obj[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
