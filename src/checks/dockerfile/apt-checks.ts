import { programs } from '../shared/shell-commands.js';
import { packageInstallOf, subcommandOf } from '../shared/package-installs.js';
import { at, CIS_DOCKER, type DockerfileCheck, hadolintRule, runs, runScript } from './helpers.js';
import { type DfInstruction, type DfStage, finalStage, instructionsOf, parentStage } from './model.js';

const APT_BEST = 'https://docs.docker.com/build/building/best-practices/#apt-get';

function aptCalls(script: string): { verb: string; program: string; args: readonly string[] }[] {
  return programs(script).flatMap((p) => {
    const sub = subcommandOf(p.program, p.args);
    return sub?.manager === 'apt' ? [{ verb: sub.verb, program: p.program, args: p.args }] : [];
  });
}

/** `-o APT::Install-Recommends=false` (or 0), as one word or after `-o` (apt.conf(5)). */
const NO_RECOMMENDS_OPTION = /^(-o)?APT::Install-Recommends=["']?(false|0|no)["']?$/i;

export const aptNoInstallRecommends: DockerfileCheck = {
  id: 'CUS-DF-006',
  severity: 'low',
  title: 'apt-get install without --no-install-recommends',
  rationale:
    'Recommended packages are not needed to run the software; they enlarge the image and its attack surface (CIS 4.3: do not install unnecessary packages). Every `apt-get install` or `apt install` of a RUN is judged on its own, in any `&&`/`;` chain, `set -e` prefix or line continuation; `-o APT::Install-Recommends=false` counts as the switch.',
  remediation: 'Add --no-install-recommends to apt-get install.',
  references: [APT_BEST, CIS_DOCKER, hadolintRule('DL3015')],
  standards: { cisDocker: '4.3', hadolint: ['DL3015'] },
  run: (model) =>
    runs(model).flatMap((ins) => {
      const bad = programs(runScript(ins)).some((p) => {
        // aptitude spells the switch differently (-R); DL3015 judges apt-get (and customs apt too).
        if (p.program === 'aptitude') return false;
        const inst = packageInstallOf(p.program, p.args);
        if (inst?.manager !== 'apt' || inst.packages.length === 0) return false;
        return !p.args.some((a) => a === '--no-install-recommends' || NO_RECOMMENDS_OPTION.test(a));
      });
      if (!bad) return [];
      return [
        at(
          aptNoInstallRecommends,
          model,
          ins,
          'apt-get install without --no-install-recommends pulls in recommended packages',
        ),
      ];
    }),
};

const APT_LISTS = /^\/?var\/lib\/apt\/lists(\/\*?)?$/;

/** Targets of `--mount=type=cache|tmpfs,target=…` on a RUN (Dockerfile reference, RUN --mount). */
function cacheMounts(ins: DfInstruction): string[] {
  return ins.flags
    .filter((f) => f.name === 'mount' && f.value !== null)
    .flatMap((f) => {
      const fields = new Map(
        (f.value ?? '').split(',').map((kv) => {
          const eq = kv.indexOf('=');
          return [
            kv
              .slice(0, eq < 0 ? kv.length : eq)
              .trim()
              .toLowerCase(),
            eq < 0 ? '' : kv.slice(eq + 1).trim(),
          ];
        }),
      );
      const type = fields.get('type') ?? 'bind';
      const target = fields.get('target') ?? fields.get('dst') ?? fields.get('destination');
      return (type === 'cache' || type === 'tmpfs') && target ? [target.replace(/\/+$/, '')] : [];
    });
}

/** A RUN that fetches apt lists (`apt-get|apt|aptitude update`) and leaves them in its layer. */
function leavesAptLists(ins: DfInstruction): boolean {
  const ps = programs(runScript(ins));
  const updates = ps.some((p) => {
    const sub = subcommandOf(p.program, p.args);
    return sub?.manager === 'apt' && sub.verb === 'update';
  });
  if (!updates) return false;
  if (ps.some((p) => p.program === 'rm' && p.args.some((a) => APT_LISTS.test(a)))) return false;
  // A cache or tmpfs mount keeps the lists out of the layer: on the lists, or on both apt directories.
  const mounts = cacheMounts(ins);
  if (mounts.includes('/var/lib/apt/lists')) return false;
  return !(mounts.includes('/var/lib/apt') && mounts.includes('/var/cache/apt'));
}

export const aptListsNotRemoved: DockerfileCheck = {
  id: 'CUS-DF-007',
  severity: 'low',
  title: 'apt lists not removed in the RUN that downloads them',
  rationale:
    'Package lists fetched by `apt-get update` and left in /var/lib/apt/lists add megabytes to the layer; removing them in a later RUN does not shrink the earlier layer. Only layers that reach the image count: the final stage, the stages it is built on, and ONBUILD RUNs (they run in every image built on this one); a builder stage whose files are copied out is not judged.',
  remediation:
    'End the same RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache or tmpfs on /var/lib/apt/lists (or on both /var/lib/apt and /var/cache/apt).',
  references: [APT_BEST, hadolintRule('DL3009')],
  standards: { hadolint: ['DL3009'] },
  run: (model) => {
    const final = finalStage(model);
    const kept = new Set<DfStage>();
    for (let s = final; s !== undefined; s = parentStage(model, s)) kept.add(s);
    // History: one pseudo-stage of entries that all reach the image.
    return model.stages.flatMap((stage) =>
      instructionsOf(stage, 'RUN')
        .filter((ins) => (ins.onbuild || kept.has(stage)) && leavesAptLists(ins))
        .map((ins) =>
          at(
            aptListsNotRemoved,
            model,
            ins,
            'apt-get update downloads package lists and the same RUN does not remove /var/lib/apt/lists/*',
          ),
        ),
    );
  },
};

export const aptUpgrade: DockerfileCheck = {
  id: 'CUS-DF-008',
  severity: 'low',
  title: 'apt-get upgrade or dist-upgrade in the build',
  rationale:
    'Upgrading every package makes the image depend on the day it was built and can pull packages the base image maintainers did not test; update the base image instead.',
  remediation:
    'Rebuild on a newer base image, or upgrade only the packages that need it with apt-get install --only-upgrade PKG.',
  references: [APT_BEST],
  standards: {},
  run: (model) =>
    runs(model).flatMap((ins) => {
      const verbs = aptCalls(runScript(ins)).filter(
        (c) => c.verb === 'upgrade' || c.verb === 'dist-upgrade' || c.verb === 'full-upgrade',
      );
      return verbs.length === 0
        ? []
        : [at(aptUpgrade, model, ins, `RUN calls apt ${verbs.map((v) => v.verb).join(', ')}`)];
    }),
};

export const updateAlone: DockerfileCheck = {
  id: 'CUS-DF-024',
  severity: 'medium',
  title: 'Package index update alone in a RUN',
  rationale:
    'An `apt-get update` (or `apk update`, `yum makecache`) cached in its own layer is reused by later builds, so a later install gets stale package versions (CIS Docker 4.7).',
  remediation:
    'Update and install in the same RUN: `apt-get update && apt-get install -y --no-install-recommends PKG`.',
  references: [APT_BEST, CIS_DOCKER],
  standards: { cisDocker: '4.7' },
  run: (model) =>
    runs(model).flatMap((ins) => {
      const ps = programs(runScript(ins));
      const subs = ps.map((p) => subcommandOf(p.program, p.args)).filter((s) => s !== undefined);
      const updates = subs.filter((s) => (s.manager === 'apt' || s.manager === 'apk') && s.verb === 'update');
      if (updates.length === 0) return [];
      const installs =
        ps.some((p) => packageInstallOf(p.program, p.args) !== undefined) || subs.some((s) => /upgrade/.test(s.verb));
      return installs
        ? []
        : [at(updateAlone, model, ins, 'the package index is updated in a RUN that installs nothing')];
    }),
};
