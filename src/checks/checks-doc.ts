import { DOCKERFILE_CHECKS, HISTORY_CHECKS } from './dockerfile/registry.js';
import { IMAGE_CHECKS } from './image/registry.js';
import { KUBERNETES_CHECKS } from './kubernetes/registry.js';
import type { Check, CheckStandards } from './types.js';

function standards(s: CheckStandards): string {
  const parts: string[] = [];
  if (s.cisDocker) parts.push(`CIS Docker ${s.cisDocker}`);
  if (s.pss) parts.push(`PSS ${s.pss}: ${s.control ?? ''}`.trim());
  if (s.cisKubernetes) parts.push(`CIS Kubernetes ${s.cisKubernetes}`);
  if (s.hadolint && s.hadolint.length > 0) parts.push(`hadolint ${s.hadolint.join(', ')}`);
  return parts.join('; ') || '—';
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(checks: readonly Check<never>[], extra?: (c: Check<never>) => string): string[] {
  const lines = [
    `| id | severity | title | standard |${extra ? ' history |' : ''}`,
    `|---|---|---|---|${extra ? '---|' : ''}`,
  ];
  for (const c of checks)
    lines.push(
      `| ${c.id} | ${c.severity} | ${cell(c.title)} | ${cell(standards(c.standards))} |${extra ? ` ${extra(c)} |` : ''}`,
    );
  lines.push('');
  for (const c of checks) {
    lines.push(
      `### ${c.id} — ${c.title}`,
      '',
      `${c.rationale}`,
      '',
      `**Fix:** ${c.remediation}`,
      '',
      `References: ${c.references.map((r) => `<${r}>`).join(', ')}`,
      '',
    );
  }
  return lines;
}

/** docs/checks.md, generated from the registries so the two cannot disagree. */
export function renderChecksDoc(): string {
  const history = new Set(HISTORY_CHECKS.map((c) => c.id));
  const lines = [
    '# Misconfiguration checks',
    '',
    '<!-- generated from the registries in src/checks by `UPDATE_GOLDEN=1 node --test dist/checks/checks-doc.test.js`; do not edit -->',
    '',
    'Every finding names its check id, severity, a message naming the offending',
    'instruction, container, port or user, the target, and (for files) the 1-based',
    'lines. Standards: CIS Docker Benchmark v1.6.0 §4/§5, Kubernetes Pod Security',
    'Standards (latest PSA policy version), CIS Kubernetes Benchmark §5.',
    '',
    `## Image config (${IMAGE_CHECKS.length})`,
    '',
    'Input: `ImageCheckInput` (src/checks/image/input.ts): the image config, its history,',
    'cache paths (`isImageCheckPath`) and file facts with their layer index, the number of',
    'base layers, and the inventory’s packages. An image does not record which layers its',
    'base image gave it: `customs scan` counts the first layer as the base when there are',
    'others, so setuid/setgid files of the base rootfs are not reported (CUS-IMG-007).',
    '',
    ...table(IMAGE_CHECKS as readonly Check<never>[]),
    `## Dockerfile (${DOCKERFILE_CHECKS.length})`,
    '',
    '`checkDockerfile(text, path)`. The "history" column marks the checks `checkHistory`',
    'also runs on a Dockerfile reconstructed from image history (see',
    'src/checks/dockerfile/registry.ts for why the others are left out).',
    '',
    'A text that is not a Dockerfile is an input error (`CONFIG_INPUT_INVALID`, exit 3) naming',
    'the file, the line and what was expected: an instruction the Dockerfile reference does not',
    'define (`RUNN`, or `apiVersion:` in a YAML file), a FROM without an image, an instruction',
    'other than ARG before the first FROM, no FROM at all. Instructions wrapped in ONBUILD are',
    'checked by the checks that judge what an instruction does (RUN, ADD, ARG/ENV, EXPOSE,',
    'WORKDIR), at the ONBUILD line.',
    '',
    'The standard column names the hadolint rule a check corresponds to: the check catches what',
    'the rule catches and lets pass what the rule’s documentation lets pass, except where its',
    'text below says otherwise. Where hadolint judges every stage, customs judges the final',
    'stage and the stages it is built on for USER (CUS-DF-005: a builder stage never runs as the',
    'container).',
    '',
    ...table(DOCKERFILE_CHECKS as readonly Check<never>[], (c) => (history.has(c.id) ? 'yes' : 'no')),
    `## Kubernetes (${KUBERNETES_CHECKS.length})`,
    '',
    '`checkKubernetes(text, path, {allowedRegistries})`: YAML (multi-document, Helm output,',
    'List kinds) or JSON; Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,',
    'ReplicationController, PodTemplate; initContainers, containers and ephemeralContainers.',
    '',
    'Every document must be a Kubernetes object, a mapping with apiVersion and kind (what',
    '`kubectl apply` requires); empty documents are fine. Invalid YAML, any other document, or',
    'an input with no object is an input error (`CONFIG_INPUT_INVALID`, exit 3) naming the file',
    'and line. `checkKubernetesInput` also returns `skipped`: the objects no check covers',
    '(ConfigMap, Service, custom resources …, and workloads without a pod template), with kind,',
    'name and reason, so a report can show them instead of passing them silently. Besides',
    'workloads, the checks read Role, ClusterRole, NetworkPolicy, Namespace and ServiceAccount.',
    '',
    ...table(KUBERNETES_CHECKS as readonly Check<never>[]),
  ];
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
