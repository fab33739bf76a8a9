import { ownValue } from '../../core/index.js';
import { canonicalDomain, splitDockerDomain } from '../../image/index.js';
import { parseImageReference } from '../../sbom/index.js';
import { globMatch } from '../glob.js';
import type { Hit, RuleContext } from '../input.js';
import type { BaseImageSpec, ImageSpec } from '../schema.js';

/** OCI image-spec annotations (annotations.md), which `docker buildx` also writes as labels. */
export const BASE_NAME_LABEL = 'org.opencontainers.image.base.name';
export const BASE_DIGEST_LABEL = 'org.opencontainers.image.base.digest';

const DAY_MS = 86_400_000;

function imageHit(id: string, summary: string): Hit {
  return { ref: { kind: 'image', id, summary }, advisories: [id], packages: [], paths: [] };
}

/** The base image the labels name: repository (normalised), tag, digest. */
export interface BaseImage {
  readonly text: string;
  readonly repository?: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function baseImageOf(labels: Readonly<Record<string, string>> | undefined): BaseImage | undefined {
  const name = labels?.[BASE_NAME_LABEL];
  const digest = labels?.[BASE_DIGEST_LABEL];
  if (name === undefined && digest === undefined) return undefined;
  const ref = name !== undefined ? parseImageReference(name) : undefined;
  const d = digest ?? ref?.digest;
  return {
    text: [name, digest].filter((x) => x !== undefined).join(' '),
    ...(ref !== undefined ? { repository: ref.repository } : {}),
    ...(ref?.tag !== undefined ? { tag: ref.tag } : {}),
    ...(d !== undefined ? { digest: d } : {}),
  };
}

/**
 * A matcher string is REPOSITORY[:TAG-GLOB][@DIGEST], normalised like a
 * docker reference ("debian" = docker.io/library/debian); the repository may
 * end in "/*" or "/**" to cover a namespace. Every part given must match.
 */
export function baseImageMatches(m: BaseImageSpec, base: BaseImage): boolean {
  let repository: string | undefined;
  let tag: string | undefined;
  let digest: string | undefined;
  if (typeof m === 'string') {
    const at = m.indexOf('@');
    digest = at >= 0 ? m.slice(at + 1) : undefined;
    const rest = at >= 0 ? m.slice(0, at) : m;
    const colon = rest.lastIndexOf(':');
    const slash = rest.lastIndexOf('/');
    const hasTag = colon > slash && !/^\d+(?:\/|$)/.test(rest.slice(colon + 1)); // host:port is not a tag
    repository = hasTag ? rest.slice(0, colon) : rest;
    tag = hasTag ? rest.slice(colon + 1) : undefined;
    if (repository === '') repository = undefined;
  } else {
    repository = m.repository;
    tag = m.tag;
    digest = m.digest;
  }
  if (repository !== undefined) {
    if (base.repository === undefined) return false;
    const wild = repository.includes('*');
    const norm = wild
      ? normaliseRepositoryGlob(repository)
      : (parseImageReference(repository)?.repository ?? repository);
    if (!globMatch(norm, base.repository, true)) return false;
  }
  if (tag !== undefined && (base.tag === undefined || !globMatch(tag, base.tag))) return false;
  if (digest !== undefined && base.digest !== digest) return false;
  return repository !== undefined || tag !== undefined || digest !== undefined;
}

/** A repository glob normalised like a reference (splitDockerDomain); a wildcard first component matches any registry. */
function normaliseRepositoryGlob(glob: string): string {
  if (glob === '*' || glob === '**') return '**';
  const first = glob.split('/')[0] ?? '';
  if (glob.includes('/') && (first === '*' || first === '**')) return glob;
  const { domain, remainder } = splitDockerDomain(glob);
  return `${domain}/${remainder}`;
}

function isRootUser(user: string | undefined): boolean {
  // docker run --user: "name|uid[:group|gid]"; empty means root.
  const u = (user ?? '').trim().split(':')[0] ?? '';
  return u === '' || u === 'root' || u === '0';
}

export function imageHits(spec: ImageSpec, ctx: RuleContext): Hit[] {
  const target = ctx.input.inventory.target;
  const name = target.name;
  const out: Hit[] = [];
  const hit = (id: string, summary: string): void => {
    out.push(imageHit(id, summary));
  };
  const cfg = ctx.config?.config;
  const misconf = new Set((ctx.input.misconfigurations ?? []).map((m) => m.checkId));

  if (spec.allowedBaseImages !== undefined || spec.blockedBaseImages !== undefined) {
    const base = baseImageOf(target.labels);
    if (base === undefined) {
      if (spec.allowedBaseImages !== undefined) {
        hit(
          'base-image-unknown',
          `${name}: no ${BASE_NAME_LABEL} / ${BASE_DIGEST_LABEL} label, so the base image cannot be checked against the allowed list`,
        );
      }
    } else {
      if (spec.allowedBaseImages !== undefined && !spec.allowedBaseImages.some((m) => baseImageMatches(m, base))) {
        hit(`base-image-not-allowed:${base.text}`, `${name}: base image ${base.text} is not in the allowed list`);
      }
      const blocked = spec.blockedBaseImages?.find((m) => baseImageMatches(m, base));
      if (blocked !== undefined) {
        hit(
          `base-image-blocked:${base.text}`,
          `${name}: base image ${base.text} is blocked (${typeof blocked === 'string' ? blocked : JSON.stringify(blocked)})`,
        );
      }
    }
  }

  if (spec.allowedRegistries !== undefined) {
    const names = [name, ...target.repoTags, ...target.repoDigests];
    const registries = [
      ...new Set(
        names.map((n) => parseImageReference(n)?.repository.split('/')[0]).filter((r): r is string => r !== undefined),
      ),
    ];
    if (registries.length === 0) {
      ctx.note(`allowedRegistries: ${name} has no registry name (a local archive with no RepoTags); not checked`);
    }
    for (const r of registries) {
      if (!spec.allowedRegistries.some((a) => globMatch(canonicalDomain(a), r))) {
        hit(
          `registry-not-allowed:${r}`,
          `${name}: registry ${r} is not allowed (allowed: ${spec.allowedRegistries.join(', ')})`,
        );
      }
    }
  }

  if (spec.requireNonRootUser === true) {
    if (ctx.config !== undefined) {
      if (isRootUser(cfg?.User))
        hit('root-user', `${name}: runs as ${cfg?.User ? `"${cfg.User}"` : 'root (no USER)'}; set a non-root USER`);
    } else if (misconf.has('CUS-IMG-001')) hit('root-user', `${name}: runs as root (CUS-IMG-001); set a non-root USER`);
  }
  if (spec.requireHealthcheck === true) {
    if (ctx.config !== undefined) {
      const test = cfg?.Healthcheck?.Test ?? [];
      if (test.length === 0 || test[0] === 'NONE') hit('no-healthcheck', `${name}: no HEALTHCHECK`);
    } else if (misconf.has('CUS-IMG-002')) hit('no-healthcheck', `${name}: no HEALTHCHECK (CUS-IMG-002)`);
  }
  if (spec.requiredLabels !== undefined) {
    const labels = target.labels ?? {};
    for (const l of spec.requiredLabels) {
      const label = typeof l === 'string' ? l : l.name;
      // Own labels only: a policy requiring "constructor" must not find Object.prototype's.
      const value = ownValue(labels, label);
      if (value === undefined) hit(`label-missing:${label}`, `${name}: label ${label} is missing`);
      else if (typeof l !== 'string' && l.pattern !== undefined && !globMatch(l.pattern, value)) {
        hit(`label-mismatch:${label}`, `${name}: label ${label}="${value}" does not match ${l.pattern}`);
      }
    }
  }
  if (spec.requireEntrypoint === true) {
    if (ctx.config === undefined) ctx.note('requireEntrypoint: the image config was not given; not checked');
    else if ((cfg?.Entrypoint ?? []).length === 0) hit('no-entrypoint', `${name}: no ENTRYPOINT`);
  }
  if (spec.forbiddenPorts !== undefined) {
    if (ctx.config === undefined) ctx.note('forbiddenPorts: the image config was not given; not checked');
    else {
      for (const exposed of Object.keys(cfg?.ExposedPorts ?? {}).sort()) {
        // image-spec: ExposedPorts keys are "port/tcp", "port/udp" or "port" (tcp).
        const [port = '', proto = 'tcp'] = exposed.split('/');
        const bad = spec.forbiddenPorts.some((f) => {
          if (typeof f === 'number') return String(f) === port;
          const [fp = '', fproto] = f.split('/');
          return fp === port && (fproto === undefined || fproto === proto);
        });
        if (bad) hit(`port-forbidden:${port}/${proto}`, `${name}: exposes forbidden port ${port}/${proto}`);
      }
    }
  }
  if (spec.maxSizeBytes !== undefined) {
    const sizes = target.layers.map((l) => l.size);
    if (sizes.some((s) => s === undefined))
      ctx.note('maxSizeBytes: some layer sizes are unknown; the size counts the known ones');
    const total = sizes.reduce<number>((a, s) => a + (s ?? 0), 0);
    if (total > spec.maxSizeBytes)
      hit('too-large', `${name}: ${total.toString()} bytes (layer sizes) exceeds ${spec.maxSizeBytes.toString()}`);
  }
  if (spec.maxAgeDays !== undefined) {
    const t = target.created === undefined ? Number.NaN : Date.parse(target.created);
    if (Number.isNaN(t)) ctx.note('maxAgeDays: the image config has no created date; not checked');
    else {
      const days = Math.floor((ctx.now.getTime() - t) / DAY_MS);
      if (days > spec.maxAgeDays)
        hit(
          'too-old',
          `${name}: built ${days.toString()} days ago (${target.created ?? ''}), more than ${spec.maxAgeDays.toString()}`,
        );
    }
  }
  return out;
}
