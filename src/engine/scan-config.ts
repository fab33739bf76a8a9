import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  checkDockerfile,
  checkKubernetesInput,
  type Misconfiguration,
  type SkippedObject,
  sortMisconfigurations,
} from '../checks/index.js';
import { CustomsError } from '../core/index.js';

export const CONFIG_KINDS = ['dockerfile', 'k8s'] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

export interface ConfigScanResult {
  readonly schemaVersion: 1;
  readonly kind: ConfigKind;
  /** What the user named. */
  readonly target: string;
  /** Files read, relative to the target when it is a directory. */
  readonly files: readonly string[];
  readonly misconfigurations: readonly Misconfiguration[];
  /** Kubernetes objects no check covers (ConfigMaps, Services, custom resources …): listed, never passed silently. */
  readonly skipped?: readonly SkippedObject[];
}

/** Largest file read as a Dockerfile or manifest. */
const MAX_FILE = 16 * 1024 * 1024;
const MAX_FILES = 10_000;

const isDockerfileName = (name: string): boolean =>
  /^(Dockerfile|Containerfile)(\..+)?$/.test(name) || /\.(dockerfile|containerfile)$/i.test(name);
const isManifestName = (name: string): boolean => /\.(ya?ml|json)$/i.test(name);

async function filesOf(root: string, wanted: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (out.length >= MAX_FILES) return;
      if (e.name === 'node_modules' || e.name === '.git') continue;
      const p = join(dir, e.name);
      // Symlinks are not followed: a manifest tree can point anywhere.
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && wanted(e.name)) out.push(p);
    }
  };
  await walk(root);
  return out.sort();
}

/**
 * `customs scan dockerfile PATH` / `customs scan k8s PATH`: check a file, or
 * every Dockerfile / manifest under a directory.
 */
export async function scanConfigTarget(kind: ConfigKind, target: string): Promise<ConfigScanResult> {
  const st = await stat(target).catch((e: unknown) => {
    throw new CustomsError('IMAGE_NOT_FOUND', `${target}: ${(e as Error).message}`, e);
  });
  const files = st.isDirectory()
    ? await filesOf(target, kind === 'dockerfile' ? isDockerfileName : isManifestName)
    : [target];
  if (files.length === 0) {
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      `${target} holds no ${kind === 'dockerfile' ? 'Dockerfile (Dockerfile*, Containerfile*, *.dockerfile)' : 'manifest (*.yaml, *.yml, *.json)'}`,
    );
  }
  const shown = (f: string): string => (st.isDirectory() ? relative(target, f) : f);
  const texts: { text: string; path: string }[] = [];
  for (const file of files) {
    const size = (await stat(file)).size;
    if (size > MAX_FILE)
      throw new CustomsError('USAGE_BAD_ARGUMENT', `${file} is ${size} bytes; files over ${MAX_FILE} are not read`);
    texts.push({ text: await readFile(file, 'utf8'), path: shown(file) });
  }
  // Manifests are checked together: a NetworkPolicy in one file covers a namespace used in another.
  const checked =
    kind === 'dockerfile'
      ? { misconfigurations: texts.flatMap((t) => checkDockerfile(t.text, t.path)), skipped: [] }
      : checkKubernetesInput(texts, target);
  return {
    schemaVersion: 1,
    kind,
    target,
    files: files.map(shown),
    misconfigurations: sortMisconfigurations([...checked.misconfigurations]),
    ...(checked.skipped.length > 0 ? { skipped: checked.skipped } : {}),
  };
}
