import { cargoLock } from './cargo-lock.js';
import { composerInstalled } from './composer-installed.js';
import { dotnetDeps } from './dotnet-deps.js';
import { gemfileLock } from './gemfile-lock.js';
import { goBinary } from './go-binary.js';
import { javaArchive } from './java-archive.js';
import { npmLockfile } from './npm-lockfile.js';
import { npmPackageJson } from './npm-package-json.js';
import { pnpmLock } from './pnpm-lock.js';
import { pythonDistInfo } from './python-dist-info.js';
import { rubyGemspec } from './ruby-gemspec.js';
import { rustBinary } from './rust-binary.js';
import { yarnLock } from './yarn-lock.js';

/** The language analyzers, in a fixed order (the order results are listed in). */
export const LANG_ANALYZERS = [
  npmPackageJson,
  npmLockfile,
  yarnLock,
  pnpmLock,
  pythonDistInfo,
  goBinary,
  javaArchive,
  rubyGemspec,
  gemfileLock,
  rustBinary,
  cargoLock,
  composerInstalled,
  dotnetDeps,
] as const;

export {
  cargoLock,
  composerInstalled,
  dotnetDeps,
  gemfileLock,
  goBinary,
  javaArchive,
  npmLockfile,
  npmPackageJson,
  pnpmLock,
  pythonDistInfo,
  rubyGemspec,
  rustBinary,
  yarnLock,
};
