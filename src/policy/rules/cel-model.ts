/**
 * The scan-result model CEL rules see (docs/policy.md lists every variable
 * and field). Built from the scan, not the internal types, so renames inside
 * customs do not break policies. Numbers are CEL ints except scores (cvss,
 * epss), which are doubles; CEL compares ints with doubles, so
 * `v.cvss >= 7` works. Optional facts are absent (test with has()).
 */
import { OS_ECOSYSTEMS } from '../../core/index.js';
import type { RuleContext } from '../input.js';
import { cvssScore } from './vulnerabilities-rule.js';
import { baseImageOf } from './image-rule.js';

/** A JSON-like value before conversion to CEL inputs. */
export type ModelValue =
  | string
  | number
  | boolean
  | null
  | readonly ModelValue[]
  | { readonly [k: string]: ModelValue | undefined };

const DOUBLE_FIELDS = new Set(['cvss', 'epss', 'epssPercentile']);

function compact(o: Record<string, ModelValue | undefined>): Record<string, ModelValue> {
  const out: Record<string, ModelValue> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

export function celModel(ctx: RuleContext): Record<string, ModelValue> {
  const { input, config, baseLayer } = ctx;
  const t = input.inventory.target;
  const cfg = config?.config;
  const isOs = (eco: string): boolean => (OS_ECOSYSTEMS as readonly string[]).includes(eco);
  const base = baseImageOf(t.labels);
  const image = compact({
    name: t.name,
    repoTags: [...t.repoTags],
    repoDigests: [...t.repoDigests],
    digest: t.manifestDigest,
    configDigest: t.configDigest,
    platform: t.platform,
    created: t.created,
    labels: { ...(t.labels ?? {}) },
    sizeBytes: t.layers.reduce<number>((a, l) => a + (l.size ?? 0), 0),
    layers: t.layers.map((l) =>
      compact({ diffID: l.diffID, size: l.size, createdBy: l.createdBy, base: l.diffID === baseLayer }),
    ),
    os: input.inventory.os
      ? compact({
          family: input.inventory.os.family,
          version: input.inventory.os.version,
          name: input.inventory.os.name,
          eol: input.inventory.os.eol,
        })
      : undefined,
    baseImage: base ? compact({ repository: base.repository, tag: base.tag, digest: base.digest }) : undefined,
    user: cfg !== undefined ? (cfg.User ?? '') : undefined,
    healthcheck:
      config !== undefined
        ? (cfg?.Healthcheck?.Test ?? []).length > 0 && cfg?.Healthcheck?.Test?.[0] !== 'NONE'
        : undefined,
    entrypoint: config !== undefined ? [...(cfg?.Entrypoint ?? [])] : undefined,
    cmd: config !== undefined ? [...(cfg?.Cmd ?? [])] : undefined,
    exposedPorts: config !== undefined ? Object.keys(cfg?.ExposedPorts ?? {}).sort() : undefined,
    env: config !== undefined ? [...(cfg?.Env ?? [])] : undefined,
  });
  const packages = input.inventory.packages.map((p) =>
    compact({
      id: p.id,
      name: p.name,
      version: p.version,
      ecosystem: p.ecosystem,
      type: isOs(p.ecosystem) ? 'os' : 'language',
      purl: p.purl,
      license: p.license,
      sourceName: p.source?.name,
      sourceVersion: p.source?.version,
      layer: p.layer,
      base: p.layer === baseLayer,
      paths: [...p.paths],
    }),
  );
  const vulnerabilities = input.vulnerabilities.map((v) =>
    compact({
      id: v.id,
      aliases: [...v.aliases],
      package: v.package.name,
      version: v.installedVersion,
      ecosystem: v.package.ecosystem,
      purl: v.package.purl,
      type: isOs(v.package.ecosystem) ? 'os' : 'language',
      severity: v.severity,
      cvss: cvssScore(v),
      epss: v.epss?.score,
      epssPercentile: v.epss?.percentile,
      kev: v.kev,
      fixedVersions: [...v.fixedVersions],
      fixable: v.fixedVersions.length > 0,
      state: v.state,
      published: v.published,
      layer: v.layer,
      base: v.layer === baseLayer,
      title: v.title,
    }),
  );
  const secrets = (input.secrets ?? []).map((s) =>
    compact({
      ruleId: s.ruleId,
      category: s.category,
      title: s.title,
      severity: s.severity,
      location: s.location,
      path: s.path,
      line: s.line,
      layer: s.layer,
    }),
  );
  const misconfigurations = (input.misconfigurations ?? []).map((m) =>
    compact({
      checkId: m.checkId,
      severity: m.severity,
      title: m.title,
      message: m.message,
      target: m.target,
      path: m.location?.path,
      line: m.location?.startLine,
    }),
  );
  const malware = (input.malware ?? []).map((m) =>
    compact({
      ruleId: m.ruleId,
      kind: m.kind,
      severity: m.severity,
      title: m.title,
      path: m.path,
      layer: m.layer,
      sha256: m.sha256,
    }),
  );
  return {
    image,
    packages,
    vulnerabilities,
    secrets,
    misconfigurations,
    malware,
    scanners: [...(input.scanners ?? [])],
    now: ctx.now.toISOString(),
  };
}

/** CEL inputs: objects become Maps, integers bigints (CEL int), score fields doubles. */
export function toCelInput(v: ModelValue, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x: ModelValue) => toCelInput(x));
  if (typeof v === 'number') return Number.isInteger(v) && !DOUBLE_FIELDS.has(key) ? BigInt(v) : v;
  if (v !== null && typeof v === 'object') {
    return new Map(
      Object.entries(v)
        .filter((e): e is [string, ModelValue] => e[1] !== undefined)
        .map(([k, x]) => [k, toCelInput(x, k)]),
    );
  }
  return v;
}
