import { parseReference } from '../../image/index.js';
import type { DockerfileCheck } from '../dockerfile/helpers.js';
import { historyInstructions, historyModel } from '../dockerfile/history-model.js';
import { pipeToShell } from '../dockerfile/run-checks.js';
import { addRemote } from '../dockerfile/add-checks.js';
import { isLiteralValue, isSecretName, redactAssignment, redactSecrets } from '../shared/secret-names.js';
import { sensitivePortsIn } from '../shared/sensitive-ports.js';
import { type Check, finding, type Misconfiguration } from '../types.js';
import { CACHE_PATTERNS, type ImageCheckInput } from './input.js';

export type ImageCheck = Check<ImageCheckInput>;

const CIS_DOCKER = 'https://www.cisecurity.org/benchmark/docker';
const OCI_ANNOTATIONS = 'https://github.com/opencontainers/image-spec/blob/main/annotations.md';

function at(check: ImageCheck, input: ImageCheckInput, message: string, evidence?: string): Misconfiguration {
  return finding(check, {
    message,
    target: input.target,
    ...(evidence !== undefined ? { evidence: redactSecrets(evidence) } : {}),
  });
}

export const imageRunsAsRoot: ImageCheck = {
  id: 'CUS-IMG-001',
  severity: 'high',
  title: 'Image runs as root',
  rationale: 'With no User, or User root/0, every container of the image starts as root (CIS Docker 4.1).',
  remediation:
    'Create an unprivileged user in the image and set it with USER (config User), preferably as a numeric UID.',
  references: [CIS_DOCKER, 'https://github.com/opencontainers/image-spec/blob/main/config.md'],
  standards: { cisDocker: '4.1' },
  run: (input) => {
    const user = (input.config.config?.User ?? '').trim();
    const name = user.split(':')[0]?.trim() ?? '';
    if (name !== '' && name !== 'root' && !/^0+$/.test(name)) return [];
    return [
      at(
        imageRunsAsRoot,
        input,
        user === ''
          ? 'the image config sets no User, so containers run as root'
          : `the image config sets User "${user}" (root)`,
        `User=${user}`,
      ),
    ];
  },
};

export const imageNoHealthcheck: ImageCheck = {
  id: 'CUS-IMG-002',
  severity: 'low',
  title: 'Image has no HEALTHCHECK',
  rationale: 'Without a health check the engine cannot detect a hung service (CIS Docker 4.6).',
  remediation: 'Add a HEALTHCHECK instruction that probes the service.',
  references: [CIS_DOCKER, 'https://docs.docker.com/reference/dockerfile/#healthcheck'],
  standards: { cisDocker: '4.6' },
  run: (input) => {
    const test = input.config.config?.Healthcheck?.Test;
    if (test && test.length > 0 && test[0] !== 'NONE') return [];
    return [
      at(
        imageNoHealthcheck,
        input,
        test?.[0] === 'NONE'
          ? 'the image disables its health check (HEALTHCHECK NONE)'
          : 'the image config has no Healthcheck',
      ),
    ];
  },
};

export const imageSensitivePorts: ImageCheck = {
  id: 'CUS-IMG-003',
  severity: 'medium',
  title: 'Image exposes a sensitive port',
  rationale:
    'SSH, Telnet, the Docker API, RDP, VNC … exposed by an image mean a management daemon ships in it (CIS Docker 5.8).',
  remediation: 'Remove the daemon and its EXPOSE; use docker exec / kubectl exec for administration.',
  references: [CIS_DOCKER],
  standards: { cisDocker: '5.8' },
  run: (input) =>
    Object.keys(input.config.config?.ExposedPorts ?? {})
      .sort()
      .flatMap((spec) =>
        sensitivePortsIn(spec).map((p) =>
          at(imageSensitivePorts, input, `the image exposes ${spec} (${p.service})`, `ExposedPorts ${spec}`),
        ),
      ),
};

/** Re-labels the findings of a history-safe Dockerfile check as this image check's. */
function historyFindings(check: ImageCheck, dfCheck: DockerfileCheck, input: ImageCheckInput): Misconfiguration[] {
  return dfCheck.run(historyModel(input.history, input.target)).map((f) =>
    finding(check, {
      message: f.message,
      target: input.target,
      ...(f.evidence !== undefined ? { evidence: f.evidence } : {}),
    }),
  );
}

export const imageAddUrl: ImageCheck = {
  id: 'CUS-IMG-004',
  severity: 'medium',
  title: 'Image history adds a file from a URL',
  rationale:
    'ADD of a URL fetches a file without verifying it; what entered the image cannot be traced to a checked source (CIS Docker 4.9).',
  remediation: 'Download in a RUN and verify a checksum or signature, or use ADD --checksum.',
  references: [CIS_DOCKER],
  standards: { cisDocker: '4.9' },
  run: (input) => historyFindings(imageAddUrl, addRemote, input),
};

export const imagePipeToShell: ImageCheck = {
  id: 'CUS-IMG-005',
  severity: 'high',
  title: 'Image history pipes a download into a shell',
  rationale: 'curl | sh ran an unverified remote script as part of the build.',
  remediation: 'Download, verify, then run; or install from a package repository.',
  references: ['https://docs.docker.com/build/building/best-practices/#using-pipes'],
  standards: {},
  run: (input) => historyFindings(imagePipeToShell, pipeToShell, input),
};

export const imagePackageCaches: ImageCheck = {
  id: 'CUS-IMG-006',
  severity: 'low',
  title: 'Package-manager cache left in the image',
  rationale:
    'Downloaded packages, package lists and pip/npm caches are not needed at run time; they enlarge every pull and keep stale package indexes in the image.',
  remediation:
    'Clean the cache in the same RUN that fills it (apt-get clean && rm -rf /var/lib/apt/lists/*, apk add --no-cache, pip install --no-cache-dir, npm cache clean --force).',
  references: ['https://docs.docker.com/build/building/best-practices/#apt-get'],
  standards: {},
  run: (input) =>
    CACHE_PATTERNS.flatMap((c) => {
      const hits = input.paths
        .filter((p) => c.pattern.test(p.path))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const first = hits[0];
      if (!first) return [];
      // Layers as the reports' LAYER column names them: L1 is the first (base) layer.
      const layers = [...new Set(hits.map((h) => h.layerIndex))].sort((a, b) => a - b).map((i) => `L${i + 1}`);
      return [
        at(
          imagePackageCaches,
          input,
          `${hits.length} file(s) of the ${c.name} left in layer(s) ${layers.join(', ')} (e.g. /${first.path}); fix: ${c.fix}`,
          `/${first.path}`,
        ),
      ];
    }),
};

const SETUID = 0o4000;
const SETGID = 0o2000;

export const imageSetuidFiles: ImageCheck = {
  id: 'CUS-IMG-007',
  severity: 'medium',
  title: 'Image layers add setuid/setgid files',
  rationale:
    'A setuid or setgid executable runs with its owner’s privileges; ones the image adds on top of its base widen the ways to escalate to root (CIS Docker 4.8).',
  remediation:
    'Remove the bits in the Dockerfile (chmod u-s,g-s FILE) unless the program needs them, and document those that stay.',
  references: [CIS_DOCKER],
  standards: { cisDocker: '4.8' },
  run: (input) => {
    const seen = new Set<string>();
    const out: Misconfiguration[] = [];
    for (const f of [...input.fileFacts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      if (f.layerIndex < input.baseLayerCount || seen.has(f.path)) continue;
      const bits = [
        (f.fact.mode & SETUID) !== 0 || f.fact.kind === 'setuid' ? 'setuid' : '',
        (f.fact.mode & SETGID) !== 0 || f.fact.kind === 'setgid' ? 'setgid' : '',
      ].filter(Boolean);
      if (bits.length === 0) continue;
      seen.add(f.path);
      out.push(
        at(
          imageSetuidFiles,
          input,
          `/${f.path} is ${bits.join(' and ')} (mode ${(f.fact.mode & 0o7777).toString(8).padStart(4, '0')}), added by layer L${f.layerIndex + 1}`,
          `/${f.path}`,
        ),
      );
    }
    return out;
  },
};

export const imageSudoInstalled: ImageCheck = {
  id: 'CUS-IMG-008',
  severity: 'medium',
  title: 'sudo is installed',
  rationale:
    'sudo in a container is an escalation path and a sign that the image mixes root and user work; containers should start as the user they need (CIS Docker 4.3: no unnecessary packages).',
  remediation: 'Remove the sudo package; run root steps at build time before USER.',
  references: [CIS_DOCKER],
  standards: { cisDocker: '4.3' },
  run: (input) =>
    input.packages
      .filter(
        (p) =>
          (p.ecosystem === 'deb' || p.ecosystem === 'rpm' || p.ecosystem === 'apk') &&
          (p.name === 'sudo' || p.name === 'sudo-ldap' || p.name === 'doas'),
      )
      .map((p) => at(imageSudoInstalled, input, `${p.ecosystem} package ${p.name} ${p.version} is installed`)),
};

export const imageEnvSecrets: ImageCheck = {
  id: 'CUS-IMG-009',
  severity: 'high',
  title: 'Secret in the image environment',
  rationale: 'Env values are in the image config: anyone who can pull the image reads them (CIS Docker 4.10).',
  remediation:
    'Remove the variable from the image; inject the secret at run time (orchestrator secrets, mounted files).',
  references: [CIS_DOCKER],
  standards: { cisDocker: '4.10' },
  run: (input) =>
    (input.config.config?.Env ?? []).flatMap((kv) => {
      const eq = kv.indexOf('=');
      const name = eq < 0 ? kv : kv.slice(0, eq);
      const value = eq < 0 ? '' : kv.slice(eq + 1);
      return isSecretName(name) && isLiteralValue(value)
        ? [at(imageEnvSecrets, input, `Env ${name} holds a literal value`, redactAssignment(name))]
        : [];
    }),
};

export const imageLatestBase: ImageCheck = {
  id: 'CUS-IMG-010',
  severity: 'medium',
  title: 'Image built on a latest or untagged base',
  rationale: 'The base image label says the image was built FROM a moving tag: rebuilding it gives a different image.',
  remediation: 'Build FROM a versioned tag pinned by digest.',
  references: [OCI_ANNOTATIONS],
  standards: {},
  run: (input) => {
    const base = input.config.config?.Labels?.['org.opencontainers.image.base.name'];
    if (!base) return [];
    try {
      const ref = parseReference(base);
      if (ref.digest !== undefined || (ref.tag !== undefined && ref.tag !== 'latest')) return [];
      return [
        at(
          imageLatestBase,
          input,
          `org.opencontainers.image.base.name is "${base}" (${ref.tag === undefined ? 'no tag' : 'latest'})`,
        ),
      ];
    } catch {
      return [];
    }
  },
};

const OCI_LABELS = [
  'org.opencontainers.image.source',
  'org.opencontainers.image.version',
  'org.opencontainers.image.created',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.licenses',
] as const;

export const imageMissingLabels: ImageCheck = {
  id: 'CUS-IMG-011',
  severity: 'low',
  title: 'OCI labels missing',
  rationale:
    'Without source, version, created, revision and licenses labels an image cannot be traced back to the code and licence it was built from.',
  remediation:
    'Set the labels at build time (LABEL org.opencontainers.image.source=… or docker buildx --label / metadata-action).',
  references: [OCI_ANNOTATIONS],
  standards: {},
  run: (input) => {
    const labels = input.config.config?.Labels ?? {};
    const missing = OCI_LABELS.filter((l) => !labels[l]);
    return missing.length === 0 ? [] : [at(imageMissingLabels, input, `the image lacks ${missing.join(', ')}`)];
  },
};

export const imageBuildArgSecrets: ImageCheck = {
  id: 'CUS-IMG-012',
  severity: 'high',
  title: 'Secret build argument recorded in history',
  rationale:
    'Builders record the build arguments a RUN saw (`|2 TOKEN=… /bin/sh -c …`) in the image history, readable by anyone who pulls it (CIS Docker 4.10).',
  remediation: 'Use RUN --mount=type=secret for build secrets; rotate the leaked one.',
  references: ['https://docs.docker.com/build/building/secrets/', CIS_DOCKER],
  standards: { cisDocker: '4.10' },
  run: (input) =>
    input.history.flatMap((h, i) =>
      (h.created_by ? historyInstructions(h.created_by, i + 1) : [])
        .filter((x) => x.keyword === 'ARG')
        .flatMap((x) => (x.properties ?? []).filter((p) => isSecretName(p.name) && isLiteralValue(p.value)))
        .map((p) =>
          at(
            imageBuildArgSecrets,
            input,
            `history entry ${i + 1} records build argument ${p.name} with its value`,
            redactAssignment(p.name),
          ),
        ),
    ),
};
