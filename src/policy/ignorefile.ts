/**
 * `customs gate --ignorefile FILE`: Trivy's `.trivyignore` format, so a team moving
 * from Trivy keeps its file. As Trivy reads it (pkg/result/ignore.go, docs
 * "Filtering > By Finding IDs"):
 *   - one finding ID per line: a CVE/GHSA/distro advisory ID, a check ID, a secret or malware rule ID;
 *   - blank lines and lines starting with `#` are skipped;
 *   - further whitespace-separated fields may follow the ID; a field `exp:YYYY-MM-DD` sets an
 *     expiry, the others (free text, `# why`) are kept as the reason;
 *   - an entry expires at 00:00 UTC of its date (Trivy compares `now.After(exp)` with the date
 *     parsed as UTC midnight): from then on it no longer applies and the gate says so.
 * A malformed date is an error (Trivy also refuses the file), not a silently permanent ignore.
 */
import { CustomsError } from '../core/index.js';

export interface IgnoreEntry {
  readonly id: string;
  /** YYYY-MM-DD as written, when the line has exp:. */
  readonly expires?: string;
  /** The rest of the line (a trailing comment), or a default. */
  readonly reason: string;
  /** 1-based line number, for messages. */
  readonly line: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date (2025-02-30 is refused), as UTC midnight. */
function parseDate(text: string): Date | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? t : undefined;
}

/** Parse a .trivyignore file; throws GATE_IGNOREFILE_INVALID naming every bad line. */
export function parseIgnoreFile(text: string, file: string): IgnoreEntry[] {
  const entries: IgnoreEntry[] = [];
  const problems: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [id, ...rest] = line.split(/\s+/) as [string, ...string[]];
    let expires: string | undefined;
    const words: string[] = [];
    for (const field of rest) {
      if (field.startsWith('exp:')) {
        const date = field.slice(4);
        if (parseDate(date) === undefined)
          problems.push(`line ${i + 1}: "${field}" is not exp:YYYY-MM-DD with a real date`);
        else expires = date;
      } else {
        words.push(field);
      }
    }
    const comment = words.join(' ').replace(/^#\s*/, '');
    entries.push({
      id,
      ...(expires !== undefined ? { expires } : {}),
      reason: comment || `listed in ${file}`,
      line: i + 1,
    });
  });
  if (problems.length > 0) {
    throw new CustomsError(
      'GATE_IGNOREFILE_INVALID',
      `${file}: ${problems.length} bad line(s):\n  ${problems.join('\n  ')}`,
    );
  }
  return entries;
}

/** True once the entry's date has begun (UTC), as Trivy decides it. */
export function isIgnoreExpired(entry: IgnoreEntry, now: Date): boolean {
  if (entry.expires === undefined) return false;
  const at = parseDate(entry.expires);
  return at !== undefined && now.getTime() > at.getTime();
}
