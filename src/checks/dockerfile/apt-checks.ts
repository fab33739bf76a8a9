import { programs } from '../shared/shell-commands.js';
import { packageInstallOf, subcommandOf } from '../shared/package-installs.js';
import { at, CIS_DOCKER, type DockerfileCheck, runs, runScript } from './helpers.js';

const APT_BEST = 'https://docs.docker.com/build/building/best-practices/#apt-get';

function aptCalls(script: string): { verb: string; program: string; args: readonly string[] }[] {
  return programs(script).flatMap((p) => {
    const sub = subcommandOf(p.program, p.args);
    return sub?.manager === 'apt' ? [{ verb: sub.verb, program: p.program, args: p.args }] : [];
  });
}

export const aptNoInstallRecommends: DockerfileCheck = {
  id: 'CUS-DF-006',
  severity: 'low',
  title: 'apt-get install without --no-install-recommends',
  rationale:
    'Recommended packages are not needed to run the software; they enlarge the image and its attack surface (CIS 4.3: do not install unnecessary packages).',
  remediation: 'Add --no-install-recommends to apt-get install.',
  references: [APT_BEST, CIS_DOCKER],
  standards: { cisDocker: '4.3' },
  run: (model) =>
    runs(model).flatMap((ins) => {
      const script = runScript(ins);
      const bad = programs(script).some((p) => {
        const inst = packageInstallOf(p.program, p.args);
        if (inst?.manager !== 'apt' || inst.packages.length === 0) return false;
        return !inst.options.some(
          (o) => o === '--no-install-recommends' || /APT::Install-Recommends=(false|0)/i.test(o),
        );
      });
      // `-o APT::Install-Recommends=false` is split across two words.
      if (!bad || /APT::Install-Recommends=["']?(false|0)/i.test(script)) return [];
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

export const aptListsNotRemoved: DockerfileCheck = {
  id: 'CUS-DF-007',
  severity: 'low',
  title: 'apt lists not removed in the RUN that installs',
  rationale:
    'Package lists left in /var/lib/apt/lists add megabytes to the layer; removing them in a later RUN does not shrink the earlier layer.',
  remediation: 'End the same RUN with `&& rm -rf /var/lib/apt/lists/*` (or use a cache mount).',
  references: [APT_BEST],
  standards: {},
  run: (model) =>
    runs(model).flatMap((ins) => {
      const script = runScript(ins);
      const installs = programs(script).some((p) => packageInstallOf(p.program, p.args)?.manager === 'apt');
      if (!installs) return [];
      // A cache mount keeps the lists out of the layer.
      if (ins.flags.some((f) => f.name === 'mount' && /\/var\/lib\/apt/.test(f.value ?? ''))) return [];
      const cleaned = programs(script).some(
        (p) => p.program === 'rm' && p.args.some((a) => /^\/?var\/lib\/apt\/lists(\/\*?)?$/.test(a)),
      );
      if (cleaned) return [];
      return [
        at(
          aptListsNotRemoved,
          model,
          ins,
          'apt-get install runs but /var/lib/apt/lists/* is not removed in the same RUN',
        ),
      ];
    }),
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
