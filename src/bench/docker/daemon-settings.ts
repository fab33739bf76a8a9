/**
 * The daemon's effective settings: its command-line flags and daemon.json, as
 * dockerd reads them (dockerd(8), "Daemon configuration file": a setting may come
 * from either, never both). Each value carries the evidence line that names where
 * it was read, so a control can say which file or flag decided it.
 */
import type { DockerFacts } from './facts.js';

export interface SettingValue {
  readonly values: readonly string[];
  readonly evidence: string;
}

/** Values of a flag in argv: "--icc=false", "--host X", "-H X", a bare "--live-restore" (= "true"). */
export function flagValues(args: readonly string[], names: readonly string[], bool: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    for (const n of names) {
      if (a === n) {
        if (bool) out.push('true');
        else if (i + 1 < args.length) out.push(args[i + 1] as string);
      } else if (a.startsWith(`${n}=`)) out.push(a.slice(n.length + 1));
      else if (!bool && n.length === 2 && a.startsWith(n) && !a.startsWith('--')) out.push(a.slice(2)); // -Hunix://…
    }
  }
  return out;
}

function jsonValues(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  if (typeof v === 'object') return Object.keys(v as object).length === 0 ? [] : [JSON.stringify(v)];
  return [String(v)];
}

/**
 * A setting from the flags (first: dockerd refuses a setting given both ways) or
 * daemon.json; undefined when neither sets it.
 */
export function setting(f: DockerFacts, key: string, flags: readonly string[], bool = false): SettingValue | undefined {
  if (f.daemonArgs) {
    const v = flagValues(f.daemonArgs.args, flags, bool);
    if (v.length > 0)
      return {
        values: v,
        evidence: `dockerd flag ${v.map((x) => `${flags[0]}=${x}`).join(' ')} (${f.daemonArgs.source})`,
      };
  }
  const cfg = f.daemonJson.config;
  if (cfg && Object.hasOwn(cfg, key)) {
    const v = jsonValues(cfg[key]);
    if (v.length > 0)
      return { values: v, evidence: `daemon.json ${f.daemonJson.path}: "${key}": ${JSON.stringify(cfg[key])}` };
  }
  return undefined;
}

/** Where the setting was looked for, for a control decided by its absence. */
export function unset(f: DockerFacts, key: string, flag: string): string {
  const where = f.daemonJson.config
    ? `not in daemon.json ${f.daemonJson.path}`
    : `daemon.json ${f.daemonJson.path} ${f.daemonJson.error ?? 'absent'}`;
  const args = f.daemonArgs ? `no ${flag} flag (${f.daemonArgs.source})` : 'dockerd command line not readable';
  return `"${key}" ${where}; ${args}`;
}

export const isTrue = (s: SettingValue | undefined): boolean => s?.values.at(-1)?.toLowerCase() === 'true';
export const isFalse = (s: SettingValue | undefined): boolean => s?.values.at(-1)?.toLowerCase() === 'false';
