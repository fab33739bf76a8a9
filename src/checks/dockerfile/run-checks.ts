import {
  OS_PACKAGE_MANAGERS,
  type PackageInstall,
  packageInstallOf,
  subcommandOf,
} from '../shared/package-installs.js';
import { firstProgram, programs, splitShell } from '../shared/shell-commands.js';
import { finding } from '../types.js';
import {
  at,
  BEST_PRACTICES,
  CIS_DOCKER,
  type DockerfileCheck,
  DOCKERFILE_REFERENCE,
  hadolintRule,
  runs,
  runScript,
} from './helpers.js';
import { finalStage } from './model.js';

export const sudoInRun: DockerfileCheck = {
  id: 'CUS-DF-012',
  severity: 'medium',
  title: 'RUN uses sudo',
  rationale:
    'Build steps already run as the current USER; sudo in a Dockerfile means sudo ships in the image and its TTY/signal behaviour gets in the way. Switch USER instead.',
  remediation:
    'Drop sudo: put the commands that need root before `USER app`, or use `USER root` … `USER app` around them.',
  references: [`${BEST_PRACTICES}#user`, hadolintRule('DL3004')],
  standards: { hadolint: ['DL3004'] },
  run: (model) =>
    runs(model).flatMap((ins) => {
      const uses = splitShell(runScript(ins)).some((p) => p.some((c) => firstProgram(c) === 'sudo'));
      return uses ? [at(sudoInRun, model, ins, 'RUN calls sudo')] : [];
    }),
};

/** OS packages that are compilers and build systems, not runtime needs (per manager spelling). */
const BUILD_TOOLS = new Set([
  'gcc',
  'g++',
  'gcc-c++',
  'cpp',
  'make',
  'cmake',
  'build-essential',
  'build-base',
  'alpine-sdk',
  'clang',
  'llvm',
  'autoconf',
  'automake',
  'libtool',
  'golang',
  'golang-go',
  'go',
  'maven',
  'gradle',
  'rustc',
  'cargo',
  'ant',
  'ninja-build',
  'meson',
  'bison',
  'flex',
]);
/** Base images that are toolchains (Docker Hub official images). */
const TOOLCHAIN_IMAGES = /^(?:(?:docker\.io\/)?(?:library\/)?)(golang|maven|gradle|rust|gcc|buildpack-deps)(?::|@|$)/;

function packageName(manager: PackageInstall['manager'], word: string): string {
  if (manager === 'apt' || manager === 'apk') return word.split(/[=~<>]/)[0] ?? word;
  return word;
}

export const buildToolsShipped: DockerfileCheck = {
  id: 'CUS-DF-014',
  severity: 'medium',
  title: 'Build tools in the final image',
  rationale:
    'Compilers and build systems in the runtime image let an attacker build tools on the spot and add CVEs to fix; a multi-stage build keeps them in a builder stage (CIS Docker 4.3).',
  remediation:
    'Build in a first stage (FROM … AS build) and COPY --from=build only the artifacts into a slim final stage; or remove the tools in the same RUN that installed them.',
  references: ['https://docs.docker.com/build/building/multi-stage/', CIS_DOCKER],
  standards: { cisDocker: '4.3' },
  run: (model) => {
    const stage = finalStage(model);
    if (!stage) return [];
    const out = [];
    if (model.stages.length === 1 && stage.image !== undefined && TOOLCHAIN_IMAGES.test(stage.image)) {
      out.push(
        finding(buildToolsShipped, {
          message: `line ${stage.from.startLine}: the only stage is built on the toolchain image "${stage.image}", which ships in the final image`,
          target: model.path,
          location: { path: model.path, startLine: stage.from.startLine, endLine: stage.from.endLine },
          evidence: stage.from.text,
        }),
      );
    }
    // Names removed later in the stage (apt-get purge gcc, apk del .build-deps) do not ship.
    const removed = new Set<string>();
    const virtualOf = new Map<string, string>();
    for (const ins of stage.instructions.filter((i) => i.keyword === 'RUN')) {
      for (const p of programs(runScript(ins))) {
        const sub = subcommandOf(p.program, p.args);
        if (sub && ['purge', 'remove', 'autoremove', 'del', 'erase'].includes(sub.verb)) {
          for (const w of sub.after) if (!w.startsWith('-')) removed.add(w);
        }
        const inst = packageInstallOf(p.program, p.args);
        if (inst?.manager === 'apk') {
          const i = p.args.findIndex((a) => a === '--virtual' || a === '-t');
          const v = i >= 0 ? p.args[i + 1] : undefined;
          if (v) for (const w of inst.packages) virtualOf.set(packageName('apk', w), v);
        }
      }
    }
    for (const ins of stage.instructions.filter((i) => i.keyword === 'RUN')) {
      const tools = new Set<string>();
      for (const p of programs(runScript(ins))) {
        const inst = packageInstallOf(p.program, p.args);
        if (!inst || !OS_PACKAGE_MANAGERS.has(inst.manager)) continue;
        for (const w of inst.packages) {
          const name = packageName(inst.manager, w);
          if (inst.manager === 'apk' && virtualOf.get(name) === name) continue;
          const virtual = virtualOf.get(name);
          if (BUILD_TOOLS.has(name) && !removed.has(name) && !(virtual !== undefined && removed.has(virtual)))
            tools.add(name);
        }
      }
      if (tools.size > 0) {
        out.push(
          at(
            buildToolsShipped,
            model,
            ins,
            `the final stage installs build tools (${[...tools].sort().join(', ')}) and never removes them`,
          ),
        );
      }
    }
    return out;
  },
};

export const runCd: DockerfileCheck = {
  id: 'CUS-DF-015',
  severity: 'low',
  title: 'RUN starts with cd',
  rationale:
    'A RUN that begins by changing directory hides the working directory from readers and later instructions; WORKDIR states it once and persists.',
  remediation: 'Replace `RUN cd /dir && …` with `WORKDIR /dir` followed by `RUN …`.',
  references: [`${DOCKERFILE_REFERENCE}#workdir`, `${BEST_PRACTICES}#workdir`, hadolintRule('DL3003')],
  standards: { hadolint: ['DL3003'] },
  run: (model) =>
    runs(model).flatMap((ins) => {
      const first = splitShell(runScript(ins))[0]?.[0];
      return first && firstProgram(first) === 'cd'
        ? [at(runCd, model, ins, `RUN changes directory with "cd ${first.words[1] ?? ''}" instead of WORKDIR`)]
        : [];
    }),
};

/** The hadolint rule of each manager's pinning (hadolint README, "Rules"). */
const PIN_RULES = ['DL3008', 'DL3013', 'DL3016', 'DL3018', 'DL3028', 'DL3033', 'DL3037', 'DL3041', 'DL3062'];

export const unpinnedPackages: DockerfileCheck = {
  id: 'CUS-DF-016',
  severity: 'low',
  title: 'Package versions not pinned',
  rationale:
    'Installing packages by name alone gives whatever version the repository serves on build day: rebuilds are not reproducible and can pull in a regression. Judged per manager as hadolint does: apt-get/apt (pkg=1.2, pkg/release, .deb), apk add (pkg=1.2, ~, <, >, .apk), pip/pipx (==, >=, ~=, !=, <, >, VCS@ref, paths, .whl/.tar.gz; the whole command passes with -r/--requirement, -c/--constraint or `.`), npm install (pkg@version or @tag, git URL#ref, tarballs, folders; `npm install` with no package and `npm ci` install from the lock file), gem install/i (gem:version, or -v/--version), yum/dnf/microdnf install (pkg-version[-release], .rpm; module install NAME:STREAM), zypper install/in (pkg=version, >, <, .rpm), go install/get/run (pkg@version; @latest and @none are not versions; local paths and .go files are). customs is stricter than hadolint in two places: npm `@latest`/`@next` are moving tags, not versions; and a word with a variable (`$PKGS`) is not judged either way, since its value is not in the file.',
  remediation:
    'Pin versions: apt-get install pkg=1.2-3, apk add pkg=1.2-r0, pip install pkg==1.2, npm install pkg@1.2.3, gem install pkg:1.2, dnf install pkg-1.2, zypper install pkg=1.2, go install mod/cmd@v1.2.3 (or install from a lock or requirements file).',
  references: [
    `${BEST_PRACTICES}#apt-get`,
    'https://pip.pypa.io/en/stable/topics/repeatable-installs/',
    ...PIN_RULES.map(hadolintRule),
  ],
  standards: { hadolint: PIN_RULES },
  run: (model) =>
    runs(model).flatMap((ins) => {
      const out = [];
      for (const p of programs(runScript(ins))) {
        const inst = packageInstallOf(p.program, p.args);
        if (!inst || inst.unpinned.length === 0) continue;
        out.push(
          at(
            unpinnedPackages,
            model,
            ins,
            `${inst.manager} installs ${inst.unpinned.map((u) => `"${u}"`).join(', ')} without a version`,
          ),
        );
      }
      return out;
    }),
};

const SHELLS = /^(ba|z|da|k|a|fi)?sh$|^(python[0-9.]*|perl|ruby|node|php)$/;
const FETCHERS = new Set(['curl', 'wget', 'fetch']);

export const pipeToShell: DockerfileCheck = {
  id: 'CUS-DF-017',
  severity: 'high',
  title: 'Remote script piped to a shell',
  rationale:
    'curl … | sh runs whatever the server returns at build time, unverified; a compromised or changed script runs as root in the build.',
  remediation:
    'Download the script to a file, verify its checksum or signature, then run it; or install the tool from a package repository.',
  references: ['https://docs.docker.com/build/building/best-practices/#using-pipes'],
  standards: {},
  run: (model) =>
    runs(model).flatMap((ins) => {
      const script = runScript(ins);
      let hit = false;
      for (const pipeline of splitShell(script)) {
        const fetchAt = pipeline.findIndex((c) => FETCHERS.has(firstProgram(c) ?? ''));
        if (fetchAt < 0) continue;
        hit ||= pipeline.slice(fetchAt + 1).some((c) => {
          const prog = firstProgram(c) ?? '';
          const runsShell =
            prog === 'sudo' || prog === 'env'
              ? c.words.slice(1).some((w) => SHELLS.test(w.slice(w.lastIndexOf('/') + 1)))
              : SHELLS.test(prog);
          return runsShell;
        });
      }
      // sh -c "$(curl …)" and bash <(curl …) run a download without a pipe.
      hit ||= /\b(?:ba|z|da|k)?sh\b[^|;&\n]*(?:\$\(|<\(|`)\s*(?:curl|wget)\b/.test(script);
      return hit ? [at(pipeToShell, model, ins, 'RUN pipes a downloaded script straight into an interpreter')] : [];
    }),
};
