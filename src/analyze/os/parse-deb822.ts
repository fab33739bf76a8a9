import { CustomsError } from '../../core/index.js';

/** A deb822 paragraph: field names lower-cased (deb822(5): "Field names are not case-sensitive"). */
export type Deb822Paragraph = ReadonlyMap<string, string>;

/** Hostile-input bound: no real status file has this many fields in one paragraph. */
const MAX_FIELDS = 10_000;

/**
 * deb822(5) / deb-control(5) paragraphs. A field is "Name: value"; lines that
 * start with a space or tab continue the previous field (folded or multiline
 * values, joined with "\n" as written, leading blank kept off); paragraphs are
 * separated by blank lines (lines of only spaces/tabs count, as dpkg accepts);
 * lines starting with "#" outside a value are comments. CRLF is tolerated.
 */
export function parseDeb822(text: string, source: string): Deb822Paragraph[] {
  const paragraphs: Deb822Paragraph[] = [];
  let current = new Map<string, string>();
  let last: string | undefined;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).replace(/\r$/, '');
    if (/^[ \t]*$/.test(line)) {
      if (current.size > 0) paragraphs.push(current);
      current = new Map();
      last = undefined;
      continue;
    }
    const c = line[0];
    if (c === ' ' || c === '\t') {
      if (last === undefined) {
        throw new CustomsError(
          'ANALYZE_FILE_INVALID',
          `${source}: line ${n + 1} continues a field but no field precedes it; the deb822 file is corrupt`,
        );
      }
      current.set(last, `${current.get(last) ?? ''}\n${line.slice(1)}`);
      continue;
    }
    if (c === '#') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new CustomsError(
        'ANALYZE_FILE_INVALID',
        `${source}: line ${n + 1} is not "Field: value" (${JSON.stringify(line.slice(0, 60))}); the deb822 file is corrupt`,
      );
    }
    last = line.slice(0, colon).trim().toLowerCase();
    current.set(last, line.slice(colon + 1).trim());
    if (current.size > MAX_FIELDS) {
      throw new CustomsError('ANALYZE_LIMIT_EXCEEDED', `${source}: a paragraph has more than ${MAX_FIELDS} fields`);
    }
  }
  if (current.size > 0) paragraphs.push(current);
  return paragraphs;
}
