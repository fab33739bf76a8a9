/**
 * Well-formedness of parser results: what every consumer of a parser's output
 * relies on (types, non-empty identities, finite numbers, relative paths).
 * A parse that returns something else is a finding even though it did not throw.
 */
import type { AnalyzerFile, AnalyzerResult } from '../../../src/analyze/index.js';
import { ECOSYSTEMS, type PackageFact } from '../../../src/core/index.js';

/** A file as the layer walker hands it to an analyzer. */
export function fileOf(path: string, bytes: Uint8Array): AnalyzerFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text: string | undefined;
  return {
    path,
    size: buf.length,
    mode: 0o644,
    layer: 'sha256:fuzz',
    bytes: buf,
    text: () => {
      text ??= buf.toString('utf8');
      return text;
    },
  };
}

const KNOWN_ECOSYSTEMS: ReadonlySet<string> = new Set(ECOSYSTEMS);

export const isPlainString = (v: unknown): v is string => typeof v === 'string';

function isStringRecord(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.getPrototypeOf(v) === Object.prototype &&
    Object.values(v).every(isPlainString)
  );
}

/** Problems of one package fact (the fields of core's PackageFact). */
export function packageProblems(p: PackageFact, where: string, ecosystem?: string): string[] {
  const out: string[] = [];
  if (typeof p !== 'object' || p === null) return [`${where}: not an object`];
  if (!KNOWN_ECOSYSTEMS.has(p.ecosystem)) out.push(`${where}: ecosystem ${String(p.ecosystem)}`);
  if (ecosystem !== undefined && p.ecosystem !== ecosystem)
    out.push(`${where}: ecosystem ${p.ecosystem}, expected ${ecosystem}`);
  if (!isPlainString(p.name) || p.name === '') out.push(`${where}: name ${JSON.stringify(p.name)}`);
  if (!isPlainString(p.version)) out.push(`${where}: version ${JSON.stringify(p.version)}`);
  for (const k of ['arch', 'license'] as const)
    if (p[k] !== undefined && !isPlainString(p[k])) out.push(`${where}: ${k} is not a string`);
  if (p.epoch !== undefined && !(Number.isSafeInteger(p.epoch) && p.epoch >= 0)) out.push(`${where}: epoch ${p.epoch}`);
  if (p.source !== undefined && !(isPlainString(p.source.name) && isPlainString(p.source.version)))
    out.push(`${where}: source is not {name, version} strings`);
  if (p.files !== undefined) {
    if (!Array.isArray(p.files) || !p.files.every(isPlainString)) out.push(`${where}: files are not strings`);
    else if (p.files.some((f) => f.startsWith('/'))) out.push(`${where}: a file path starts with "/"`);
  }
  if (p.meta !== undefined && !isStringRecord(p.meta)) out.push(`${where}: meta is not a record of strings`);
  if (p.qualifiers !== undefined && !isStringRecord(p.qualifiers))
    out.push(`${where}: qualifiers are not a record of strings`);
  return out;
}

/** Problems of an analyzer result with packages (and owned files). */
export function resultProblems(r: AnalyzerResult, ecosystem: string): string[] {
  const out: string[] = [];
  if (typeof r !== 'object' || r === null) return ['the result is not an object'];
  const packages = r.packages ?? [];
  if (!Array.isArray(packages)) return ['packages is not an array'];
  packages.forEach((p, i) => {
    out.push(...packageProblems(p, `packages[${i}]`, ecosystem));
  });
  if (r.ownedFiles !== undefined && (!Array.isArray(r.ownedFiles) || !r.ownedFiles.every(isPlainString)))
    out.push('ownedFiles are not strings');
  return out.slice(0, 20);
}
