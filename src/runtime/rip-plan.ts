/**
 * `customs ir plan CVE-ID|IMAGE`: the "rip and replace" plan. Which workloads on
 * this node run an affected image, what fixes each image (package versions from
 * the findings; the base image named by the OCI annotation
 * org.opencontainers.image.base.name, to rebuild FROM its newest release), and
 * in which order to rebuild and redeploy: worst severity first, then the image
 * with the most running containers, then findings on packages in use.
 */
import { hostname } from 'node:os';
import { type Context, CustomsError, severityRank } from '../core/index.js';
import type { FindingRecord, Store } from '../store/index.js';
import type { DockerApi } from './docker-api.js';
import { packagesInUse } from './in-use.js';
import { obj, str } from './json-fields.js';
import type { ContainerInfo, NodeInventory } from './types.js';

export interface PlanFinding {
  readonly id: string;
  readonly severity: string;
  readonly package: string;
  readonly installedVersion: string;
  readonly fixedVersions: readonly string[];
  /** A running container exec'd or opened this package's files. */
  readonly inUse: boolean;
}

export interface PlanWorkload {
  readonly containerId: string;
  readonly name: string;
  readonly state: string;
  readonly kubernetes?: ContainerInfo['kubernetes'];
}

export interface PlanImage {
  readonly imageId: string;
  readonly refs: readonly string[];
  readonly worstSeverity: string;
  readonly findings: readonly PlanFinding[];
  /** Package upgrades that clear the findings (the highest fixed version listed per package). */
  readonly upgrades: readonly { readonly package: string; readonly from: string; readonly to: string }[];
  readonly unfixed: readonly string[];
  readonly baseImage?: string;
  readonly workloads: readonly PlanWorkload[];
}

export interface PlanStep {
  readonly order: number;
  readonly action: 'rebuild' | 'redeploy';
  readonly imageId: string;
  readonly detail: string;
}

export interface RipPlan {
  readonly schema: 'customs.ir.plan/v1';
  readonly query: { readonly kind: 'cve' | 'image'; readonly value: string };
  readonly host: string;
  readonly generatedAt: string;
  readonly images: readonly PlanImage[];
  readonly steps: readonly PlanStep[];
  readonly notes: readonly string[];
}

export const isVulnId = (q: string): boolean =>
  /^(CVE-\d{4}-\d{4,}|GHSA-[\w-]+|DSA-[\d-]+|DLA-[\d-]+|[A-Z]+-\d{4}-[\w.-]+)$/i.test(q);

interface VulnData {
  id?: string;
  severity?: string;
  installedVersion?: string;
  fixedVersions?: string[];
  package?: { name?: string };
}

export interface PlanInputs {
  readonly store: Store;
  readonly inventory: NodeInventory;
  readonly api?: DockerApi;
  /** Files exec'd or opened per image ID, with a running container's root to read dpkg's file lists from. */
  readonly inUse?: ReadonlyMap<string, readonly { readonly files: readonly string[]; readonly rootDir?: string }[]>;
}

/** The digests a stored scan of a node image may be recorded under: its ID and its registry manifest digests. */
function digestsOf(i: NodeInventory['images'][number]): string[] {
  return [i.id, ...i.repoDigests.map((d) => d.slice(d.indexOf('@') + 1))];
}

export async function ripPlan(query: string, ctx: Context, inputs: PlanInputs): Promise<RipPlan> {
  const kind = isVulnId(query) ? 'cve' : 'image';
  const notes: string[] = [];
  const records: FindingRecord[] = [];
  let images = inputs.inventory.images;
  if (kind === 'cve') {
    records.push(...(await inputs.store.findings.withId(query.toUpperCase())));
  } else {
    images = images.filter(
      (i) =>
        i.id === query ||
        i.id.replace(/^sha256:/, '').startsWith(query) ||
        i.repoTags.includes(query) ||
        i.repoTags.includes(`${query}:latest`),
    );
    if (images.length === 0)
      throw new CustomsError(
        'IMAGE_NOT_FOUND',
        `no image "${query}" on this node (customs sensor inventory lists them)`,
      );
    for (const i of images)
      for (const d of digestsOf(i))
        records.push(...(await inputs.store.findings.forImage(d)).filter((f) => f.kind === 'vuln'));
  }
  const planImages: PlanImage[] = [];
  for (const image of images) {
    const digests = new Set(digestsOf(image));
    const mine = records.filter((r) => digests.has(r.imageDigest));
    if (mine.length === 0) continue;
    const used = new Set<string>();
    const pkgs = mine.map((r) => {
      const d = r.data as VulnData & { package?: { ecosystem?: string }; paths?: string[] };
      return { ecosystem: d.package?.ecosystem ?? '', name: d.package?.name ?? '', paths: d.paths ?? [] };
    });
    for (const u of inputs.inUse?.get(image.id) ?? [])
      for (const n of await packagesInUse(pkgs, u.files, u.rootDir)) used.add(n);
    const seen = new Set<string>();
    const findings: PlanFinding[] = [];
    for (const r of mine) {
      const d = r.data as VulnData;
      const key = `${r.findingId}\u0000${d.package?.name ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const pkg = d.package?.name ?? r.packagePurl ?? '?';
      findings.push({
        id: r.findingId,
        severity: r.severity,
        package: pkg,
        installedVersion: d.installedVersion ?? '',
        fixedVersions: d.fixedVersions ?? [],
        inUse: used.has(pkg),
      });
    }
    findings.sort(
      (a, b) =>
        Number(b.inUse) - Number(a.inUse) ||
        severityRank(a.severity) - severityRank(b.severity) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : a.package < b.package ? -1 : 1),
    );
    const upgrades = new Map<string, { package: string; from: string; to: string }>();
    const unfixed: string[] = [];
    for (const f of findings) {
      const to = [...f.fixedVersions].sort().at(-1);
      if (!to) unfixed.push(`${f.id} in ${f.package}`);
      else {
        const prev = upgrades.get(f.package);
        if (!prev || prev.to < to) upgrades.set(f.package, { package: f.package, from: f.installedVersion, to });
      }
    }
    let baseImage: string | undefined;
    if (inputs.api) {
      const doc = obj(await inputs.api.getJson(`/images/${encodeURIComponent(image.id)}/json`));
      baseImage = str(obj(obj(doc.Config).Labels)['org.opencontainers.image.base.name']);
    }
    const workloads = inputs.inventory.containers
      .filter((c) => c.imageId === image.id)
      .map((c) => ({
        containerId: c.id,
        name: c.name,
        state: c.state,
        ...(c.kubernetes ? { kubernetes: c.kubernetes } : {}),
      }))
      .sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running') || (a.name < b.name ? -1 : 1));
    const worst = findings.map((f) => f.severity).sort((a, b) => severityRank(a) - severityRank(b))[0] ?? 'unknown';
    planImages.push({
      imageId: image.id,
      refs: image.repoTags,
      worstSeverity: worst,
      findings,
      upgrades: [...upgrades.values()].sort((a, b) => (a.package < b.package ? -1 : 1)),
      unfixed,
      ...(baseImage ? { baseImage } : {}),
      workloads,
    });
  }
  const running = (i: PlanImage): number => i.workloads.filter((w) => w.state === 'running').length;
  planImages.sort(
    (a, b) =>
      severityRank(a.worstSeverity) - severityRank(b.worstSeverity) ||
      running(b) - running(a) ||
      b.findings.filter((f) => f.inUse).length - a.findings.filter((f) => f.inUse).length ||
      (a.imageId < b.imageId ? -1 : 1),
  );
  const steps: PlanStep[] = [];
  for (const i of planImages) {
    const name = i.refs[0] ?? i.imageId.slice(0, 19);
    const how = [
      i.baseImage ? `FROM the newest ${i.baseImage}` : undefined,
      i.upgrades.length > 0 ? `upgrade ${i.upgrades.map((u) => `${u.package} → ${u.to}`).join(', ')}` : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    steps.push({
      order: steps.length + 1,
      action: 'rebuild',
      imageId: i.imageId,
      detail: `rebuild ${name}${how ? `: ${how}` : ''}`,
    });
    if (i.workloads.length > 0)
      steps.push({
        order: steps.length + 1,
        action: 'redeploy',
        imageId: i.imageId,
        detail: `redeploy ${i.workloads.map((w) => (w.kubernetes?.pod ? `${w.kubernetes.namespace ?? 'default'}/${w.kubernetes.pod}` : w.name)).join(', ')}`,
      });
  }
  if (planImages.length === 0) notes.push(`no image on this node has an open finding for ${query} in the store`);
  return {
    schema: 'customs.ir.plan/v1',
    query: { kind, value: query },
    host: hostname(),
    generatedAt: ctx.now().toISOString(),
    images: planImages,
    steps,
    notes,
  };
}

export function planMarkdown(p: RipPlan): string {
  const out: string[] = [`# Rip and replace: ${p.query.value}`, '', `Node \`${p.host}\`, ${p.generatedAt}.`, ''];
  if (p.images.length === 0) out.push(...p.notes.map((n) => `- ${n}`), '');
  out.push('## Order', '');
  for (const s of p.steps) out.push(`${s.order}. **${s.action}** ${s.detail}`);
  for (const i of p.images) {
    out.push(
      '',
      `## ${i.refs[0] ?? i.imageId} (${i.worstSeverity})`,
      '',
      `Image \`${i.imageId}\`${i.baseImage ? `, base \`${i.baseImage}\`` : ''}.`,
      '',
    );
    out.push('| finding | severity | package | installed | fixed in | in use |', '|---|---|---|---|---|---|');
    for (const f of i.findings)
      out.push(
        `| ${f.id} | ${f.severity} | ${f.package} | ${f.installedVersion} | ${f.fixedVersions.join(', ') || 'no fix'} | ${f.inUse ? 'yes' : ''} |`,
      );
    out.push('', `Workloads: ${i.workloads.map((w) => `\`${w.name}\` (${w.state})`).join(', ') || 'none'}.`);
    if (i.unfixed.length > 0) out.push('', `No fix yet: ${i.unfixed.join(', ')}.`);
  }
  return `${out.join('\n')}\n`;
}

/** The latest in-use files per container from the store, grouped by image, with each running container's root. */
export async function inUseFromStore(
  store: Store,
  inventory: NodeInventory,
  proc = '/proc',
): Promise<Map<string, { files: string[]; rootDir?: string }[]>> {
  const latest = new Map<string, { imageId: string; files: string[] }>();
  for (const e of await store.events.list({ type: 'runtime.in-use', limit: 1_000_000 })) {
    const d = e.data as { imageId?: unknown; files?: unknown };
    if (typeof d.imageId !== 'string' || !Array.isArray(d.files)) continue;
    latest.set(e.subject, { imageId: d.imageId, files: d.files.filter((f): f is string => typeof f === 'string') });
  }
  const out = new Map<string, { files: string[]; rootDir?: string }[]>();
  for (const [containerId, u] of latest) {
    const c = inventory.containers.find((x) => x.id === containerId);
    const entry = { files: u.files, ...(c?.pid ? { rootDir: `${proc}/${c.pid}/root` } : {}) };
    out.set(u.imageId, [...(out.get(u.imageId) ?? []), entry]);
  }
  return out;
}
