import { hasFields } from '../core/index.js';
import type { MergedFacts } from './apply-layers.js';

/** MergedFacts as plain JSON (its set and map as arrays): the image row of the analysis cache. */
export type MergedJson = Omit<MergedFacts, 'ownedFiles' | 'symlinks'> & {
  readonly ownedFiles: readonly string[];
  readonly symlinks: readonly (readonly [string, string])[];
};

export function mergedToJson(m: MergedFacts): MergedJson {
  return { ...m, ownedFiles: [...m.ownedFiles], symlinks: [...m.symlinks] };
}

const ARRAYS = [
  'os',
  'packages',
  'ownedFiles',
  'unknowns',
  'symlinks',
  'secrets',
  'malware',
  'fileFacts',
  'packageLicenses',
];

/** Read a cached row back; anything not of MergedJson's shape is undefined (a miss). */
export function mergedFromJson(v: unknown): MergedFacts | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r.layerCount !== 'number' || !ARRAYS.every((k) => Array.isArray(r[k]))) return undefined;
  const located = ['packages', 'secrets', 'malware', 'fileFacts', 'packageLicenses'].every((k) =>
    (r[k] as unknown[]).every((x) => hasFields(x, { path: 'string', layerIndex: 'number', fact: 'object' })),
  );
  const strings = (r.ownedFiles as unknown[]).every((p) => typeof p === 'string');
  const links = (r.symlinks as unknown[]).every(
    (l) => Array.isArray(l) && l.length === 2 && typeof l[0] === 'string' && typeof l[1] === 'string',
  );
  if (!located || !strings || !links) return undefined;
  const json = v as MergedJson;
  return { ...json, ownedFiles: new Set(json.ownedFiles), symlinks: new Map(json.symlinks) };
}
