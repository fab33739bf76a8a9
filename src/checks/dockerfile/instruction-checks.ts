import { sensitivePortsIn } from '../shared/sensitive-ports.js';
import { finding, type Misconfiguration } from '../types.js';
import { at, BEST_PRACTICES, CIS_DOCKER, type DockerfileCheck, DOCKERFILE_REFERENCE, hadolintRule } from './helpers.js';
import { type DfInstruction, type DfStage, finalStage, instructionsOf, parentStage } from './model.js';

export const relativeWorkdir: DockerfileCheck = {
  id: 'CUS-DF-013',
  severity: 'low',
  title: 'WORKDIR is relative',
  rationale:
    'A relative WORKDIR depends on every WORKDIR before it, including the base image’s; an absolute path says where commands run.',
  remediation: 'Use an absolute path: WORKDIR /app.',
  references: [`${DOCKERFILE_REFERENCE}#workdir`, `${BEST_PRACTICES}#workdir`, hadolintRule('DL3000')],
  standards: { hadolint: ['DL3000'] },
  run: (model) =>
    model.stages.flatMap((s) =>
      instructionsOf(s, 'WORKDIR')
        .filter((i) => {
          const dir = i.args.replace(/^["']|["']$/g, '');
          return dir !== '' && !dir.startsWith('/') && !dir.startsWith('$') && !/^[A-Za-z]:[\\/]/.test(dir);
        })
        .map((i) => at(relativeWorkdir, model, i, `WORKDIR "${i.args}" is relative`)),
    ),
};

export const sensitivePortExposed: DockerfileCheck = {
  id: 'CUS-DF-018',
  severity: 'medium',
  title: 'Sensitive port exposed',
  rationale:
    'Remote-administration and control-plane ports (SSH 22, Telnet 23, Docker API 2375/2376, RDP 3389, VNC 5900 …) in an application image mean a management daemon runs inside it (CIS Docker 5.8).',
  remediation: 'Remove the EXPOSE and the daemon; administer containers with `docker exec` / `kubectl exec`.',
  references: [`${DOCKERFILE_REFERENCE}#expose`, CIS_DOCKER],
  standards: { cisDocker: '5.8' },
  run: (model) =>
    model.stages.flatMap((s) =>
      instructionsOf(s, 'EXPOSE').flatMap((i) => {
        // History prints EXPOSE as `map[22/tcp:{}]`.
        const specs = i.args
          .replace(/^map\[|\]$/g, '')
          .replace(/:\{\}/g, ' ')
          .split(/\s+/)
          .filter(Boolean);
        return specs
          .flatMap((spec) => sensitivePortsIn(spec))
          .map((p) => at(sensitivePortExposed, model, i, `EXPOSE ${p.port} (${p.service})`));
      }),
    ),
};

function repeated(check: DockerfileCheck, keyword: string): DockerfileCheck['run'] {
  return (model) =>
    model.stages.flatMap((s) => {
      const list = s.instructions.filter((i) => i.keyword === keyword);
      const last = list.at(-1);
      return list
        .slice(0, -1)
        .map((i) =>
          at(
            check,
            model,
            i,
            `${keyword} at line ${i.startLine} is overridden by the ${keyword} at line ${last?.startLine ?? 0}; only the last one of a stage takes effect`,
          ),
        );
    });
}

export const multipleCmd: DockerfileCheck = {
  id: 'CUS-DF-019',
  severity: 'low',
  title: 'More than one CMD in a stage',
  rationale: 'Only the last CMD of a stage takes effect; earlier ones mislead readers about what the container runs.',
  remediation: 'Keep one CMD per stage.',
  references: [`${DOCKERFILE_REFERENCE}#cmd`, hadolintRule('DL4003')],
  standards: { hadolint: ['DL4003'] },
  run: (model) => repeated(multipleCmd, 'CMD')(model),
};

export const multipleEntrypoint: DockerfileCheck = {
  id: 'CUS-DF-020',
  severity: 'low',
  title: 'More than one ENTRYPOINT in a stage',
  rationale:
    'Only the last ENTRYPOINT of a stage takes effect; earlier ones mislead readers about what the container runs.',
  remediation: 'Keep one ENTRYPOINT per stage.',
  references: [`${DOCKERFILE_REFERENCE}#entrypoint`, hadolintRule('DL4004')],
  standards: { hadolint: ['DL4004'] },
  run: (model) => repeated(multipleEntrypoint, 'ENTRYPOINT')(model),
};

export const maintainerDeprecated: DockerfileCheck = {
  id: 'CUS-DF-021',
  severity: 'low',
  title: 'MAINTAINER is deprecated',
  rationale: 'MAINTAINER is deprecated in the Dockerfile reference; the author belongs in a label every tool reads.',
  remediation: 'Use LABEL org.opencontainers.image.authors="…".',
  references: [`${DOCKERFILE_REFERENCE}#maintainer-deprecated`, hadolintRule('DL4000')],
  standards: { hadolint: ['DL4000'] },
  run: (model) =>
    model.stages.flatMap((s) =>
      s.instructions
        .filter((i) => i.keyword === 'MAINTAINER')
        .map((i) => at(maintainerDeprecated, model, i, 'MAINTAINER is deprecated')),
    ),
};

/**
 * The command of `HEALTHCHECK [--option=value …] CMD command` as written
 * (undefined for HEALTHCHECK NONE), and whether it is exec form.
 */
function healthcheckCommand(ins: DfInstruction): { text: string; exec: boolean } | undefined {
  const m = /^(?:--[a-z-]+=\S*\s+)*CMD\s+([\s\S]*)$/i.exec(ins.args);
  const text = m?.[1]?.trim();
  if (text === undefined || text === '') return undefined;
  return { text, exec: isJsonArray(text) };
}

/** Exec form as the builder reads it: a JSON array of strings; anything else falls back to shell form. */
function isJsonArray(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => typeof x === 'string');
  } catch {
    return false;
  }
}

export const shellFormCommand: DockerfileCheck = {
  id: 'CUS-DF-023',
  severity: 'low',
  title: 'CMD, ENTRYPOINT or HEALTHCHECK CMD in shell form',
  rationale:
    'Shell form runs the program under /bin/sh -c, so it is not PID 1 and does not receive SIGTERM: containers are killed after the grace period instead of shutting down cleanly; a shell-form HEALTHCHECK needs a shell in the image. Every stage is judged (a later stage can inherit the command); exec form is a JSON array of double-quoted strings, and a malformed array (single quotes, a trailing comma) is shell form to the builder.',
  remediation: 'Use exec form: CMD ["executable", "arg"], HEALTHCHECK CMD ["executable", "arg"].',
  references: [`${DOCKERFILE_REFERENCE}#shell-and-exec-form`, hadolintRule('DL3025')],
  standards: { hadolint: ['DL3025'] },
  run: (model) =>
    model.stages.flatMap((stage) =>
      stage.instructions.flatMap((i) => {
        if (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') {
          return i.json === undefined && i.args !== ''
            ? [at(shellFormCommand, model, i, `${i.keyword} "${i.args}" is in shell form`)]
            : [];
        }
        if (i.keyword !== 'HEALTHCHECK') return [];
        const cmd = healthcheckCommand(i);
        return cmd && !cmd.exec
          ? [at(shellFormCommand, model, i, `HEALTHCHECK CMD "${cmd.text}" is in shell form`)]
          : [];
      }),
    ),
};

export const healthcheckMissing: DockerfileCheck = {
  id: 'CUS-DF-025',
  severity: 'low',
  title: 'No HEALTHCHECK in the final stage',
  rationale: 'Without a HEALTHCHECK the engine cannot tell a hung container from a healthy one (CIS Docker 4.6).',
  remediation:
    'Add HEALTHCHECK CMD … that probes the service (or rely on Kubernetes probes and say so with HEALTHCHECK NONE).',
  references: [`${DOCKERFILE_REFERENCE}#healthcheck`, CIS_DOCKER, hadolintRule('DL3057')],
  standards: { cisDocker: '4.6', hadolint: ['DL3057'] },
  run: (model): Misconfiguration[] => {
    const stage = finalStage(model);
    if (!stage) return [];
    // A stage built on an earlier stage (`FROM build`) inherits its HEALTHCHECK, as it does its USER.
    for (let s: DfStage | undefined = stage; s !== undefined; s = parentStage(model, s))
      if (s.instructions.some((i) => i.keyword === 'HEALTHCHECK')) return [];
    return [
      finding(healthcheckMissing, {
        message: `line ${stage.from.startLine}: the final stage (FROM ${stage.imageText}) has no HEALTHCHECK`,
        target: model.path,
        location: { path: model.path, startLine: stage.from.startLine, endLine: stage.from.endLine },
        evidence: stage.from.text,
      }),
    ];
  },
};
