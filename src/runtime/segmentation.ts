/**
 * Grouping by sensitivity (NIST SP 800-190 §4.5.5 "Mixing of workload
 * sensitivity levels": group containers on hosts by purpose, sensitivity and
 * threat posture) and network limits from what the sensor observed.
 *
 * Sensitivity comes from a container label (default `customs.io/sensitivity`);
 * a node hosting more than one level mixes them. A container has unbounded
 * network access when it shares the host's network namespace, or when it is on a
 * network and no NetworkPolicy is known for its Kubernetes namespace.
 *
 * NetworkPolicy proposals (networking.k8s.io/v1): per workload, egress allowed to
 * exactly the TCP destinations its image's baseline learned (ipBlock /32 or
 * /128 and port), plus DNS unless turned off (the sensor does not trace UDP,
 * and a workload cut off from DNS stops working).
 */
import { stringify } from 'yaml';
import type { BaselineJson } from './baseline.js';
import type { ContainerInfo, NodeInventory } from './types.js';

export const SENSITIVITY_LABEL = 'customs.io/sensitivity';

export interface SegmentationReport {
  readonly host: string;
  readonly label: string;
  readonly levels: Readonly<Record<string, readonly string[]>>;
  readonly unlabelled: readonly string[];
  /** More than one sensitivity level on this node. */
  readonly mixed: boolean;
  readonly unbounded: readonly { readonly container: string; readonly reason: string }[];
}

export interface NetworkPolicyNamespaces {
  /** Kubernetes namespaces that have at least one NetworkPolicy. */
  readonly covered: ReadonlySet<string>;
}

/** Namespaces with a NetworkPolicy, from `kubectl get networkpolicy -A -o json` or YAML documents. */
export function namespacesWithPolicies(objects: readonly unknown[]): Set<string> {
  const out = new Set<string>();
  const visit = (o: unknown): void => {
    if (typeof o !== 'object' || o === null) return;
    const r = o as { kind?: unknown; items?: unknown; metadata?: { namespace?: unknown } };
    if (r.kind === 'List' || Array.isArray(r.items)) for (const i of (r.items as unknown[]) ?? []) visit(i);
    else if (r.kind === 'NetworkPolicy')
      out.add(typeof r.metadata?.namespace === 'string' ? r.metadata.namespace : 'default');
  };
  for (const o of objects) visit(o);
  return out;
}

const display = (c: ContainerInfo): string =>
  c.kubernetes?.pod
    ? `${c.kubernetes.namespace ?? 'default'}/${c.kubernetes.pod}/${c.kubernetes.container ?? c.name}`
    : c.name;

export function segmentation(
  inv: NodeInventory,
  opts: { readonly label?: string; readonly policies?: NetworkPolicyNamespaces } = {},
): SegmentationReport {
  const label = opts.label ?? SENSITIVITY_LABEL;
  const levels: Record<string, string[]> = {};
  const unlabelled: string[] = [];
  const unbounded: { container: string; reason: string }[] = [];
  for (const c of inv.containers) {
    if (c.state !== 'running' && c.state !== 'paused') continue;
    const level = c.labels[label];
    if (level) levels[level] = [...(levels[level] ?? []), display(c)];
    else unlabelled.push(display(c));
    if (c.privileges.hostNetwork)
      unbounded.push({ container: display(c), reason: "shares the host's network namespace" });
    else if (c.networkMode !== 'none' && c.networks.length > 0) {
      const ns = c.kubernetes?.namespace;
      if (!ns)
        unbounded.push({
          container: display(c),
          reason: `on ${c.networks.map((n) => n.name).join(', ')}; no NetworkPolicy applies outside Kubernetes`,
        });
      else if (!opts.policies?.covered.has(ns))
        unbounded.push({ container: display(c), reason: `no NetworkPolicy in namespace ${ns}` });
    }
  }
  for (const k of Object.keys(levels)) levels[k]?.sort();
  return {
    host: inv.host,
    label,
    levels: Object.fromEntries(Object.entries(levels).sort(([a], [b]) => (a < b ? -1 : 1))),
    unlabelled: unlabelled.sort(),
    mixed: Object.keys(levels).length > 1,
    unbounded: unbounded.sort((a, b) => (a.container < b.container ? -1 : 1)),
  };
}

/** RFC 1123 label: lower case alphanumerics and '-', at most 63 characters (metadata.name of a NetworkPolicy). */
function dnsLabel(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
  return s || 'workload';
}

/** A pod's workload name: the pod name less the ReplicaSet/Deployment hash suffixes Kubernetes appends. */
export function workloadOf(pod: string): string {
  return pod.replace(/-[a-z0-9]{8,10}-[a-z0-9]{5}$/, '').replace(/-[a-z0-9]{5}$/, '');
}

const APP_LABELS = ['app.kubernetes.io/name', 'app'];

export interface ProposalOptions {
  /** Allow DNS (UDP and TCP 53) to any destination (default true). */
  readonly dns?: boolean;
}

/** "ADDRESS:PORT" entries → ports per address (sorted by address); malformed entries are skipped. */
function peersByPort(entries: readonly string[]): Map<string, Set<number>> {
  const byAddr = new Map<string, Set<number>>();
  for (const d of [...entries].sort()) {
    const i = d.lastIndexOf(':');
    const addr = d.slice(0, i);
    const port = Number(d.slice(i + 1));
    if (!addr || addr === '?' || !Number.isInteger(port) || port <= 0 || port > 65535) continue;
    byAddr.set(addr, (byAddr.get(addr) ?? new Set()).add(port));
  }
  return byAddr;
}

/**
 * NetworkPolicy documents (YAML) for each workload: one allowing the egress its image's
 * baseline learned and, when its containers accepted connections while learning, one
 * allowing ingress from exactly those peers to those ports.
 */
export function proposeNetworkPolicies(
  inv: NodeInventory,
  baselines: BaselineJson,
  opts: ProposalOptions = {},
): string {
  const byImage = new Map(baselines.images.map((b) => [b.imageId, b]));
  const docs = new Map<string, unknown>();
  for (const c of inv.containers) {
    const b = byImage.get(c.imageId);
    if (!b) continue;
    const ns = c.kubernetes?.namespace ?? 'default';
    const workload = workloadOf(c.kubernetes?.pod ?? c.name);
    const appLabel = APP_LABELS.find((l) => c.labels[l]);
    const selector = appLabel
      ? { [appLabel]: c.labels[appLabel] as string }
      : { 'customs.io/workload': dnsLabel(workload) };
    const name = dnsLabel(`customs-egress-${workload}`);
    const egress: unknown[] = [];
    const byAddr = new Map<string, Set<number>>();
    for (const d of b.destinations) {
      const i = d.lastIndexOf(':');
      const addr = d.slice(0, i);
      const port = Number(d.slice(i + 1));
      if (!addr || !Number.isInteger(port) || port <= 0 || port > 65535) continue;
      byAddr.set(addr, (byAddr.get(addr) ?? new Set()).add(port));
    }
    for (const [addr, ports] of [...byAddr].sort(([a], [b]) => (a < b ? -1 : 1)))
      egress.push({
        to: [{ ipBlock: { cidr: addr.includes(':') ? `${addr}/128` : `${addr}/32` } }],
        ports: [...ports].sort((x, y) => x - y).map((port) => ({ protocol: 'TCP', port })),
      });
    if (opts.dns !== false)
      egress.push({
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      });
    // One policy object's metadata: the image and the start of the observation it came from.
    const metadata = (policyName: string) => ({
      name: policyName,
      namespace: ns,
      labels: { 'app.kubernetes.io/managed-by': 'customs' },
      annotations: {
        'customs.io/image': c.imageId,
        'customs.io/observed-since': new Date(b.since).toISOString(),
        ...(appLabel
          ? {}
          : { 'customs.io/note': `label the pods of ${workload} customs.io/workload=${dnsLabel(workload)}` }),
      },
    });
    // Ingress from the peers its containers accepted connections from, to the ports they
    // came to; a workload that accepted nothing while learning is left unrestricted.
    const sources = peersByPort(b.sources ?? []);
    if (sources.size > 0) {
      const ingressName = dnsLabel(`customs-ingress-${workload}`);
      docs.set(`${ns}/${ingressName}`, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: metadata(ingressName),
        spec: {
          podSelector: { matchLabels: selector },
          policyTypes: ['Ingress'],
          ingress: [...sources].map(([addr, ports]) => ({
            from: [{ ipBlock: { cidr: addr.includes(':') ? `${addr}/128` : `${addr}/32` } }],
            ports: [...ports].sort((x, y) => x - y).map((port) => ({ protocol: 'TCP', port })),
          })),
        },
      });
    }
    docs.set(`${ns}/${name}`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(name),
      spec: { podSelector: { matchLabels: selector }, policyTypes: ['Egress'], egress },
    });
  }
  return [...docs]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, d]) => `---\n${stringify(d)}`)
    .join('');
}
