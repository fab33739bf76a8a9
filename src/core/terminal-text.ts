/**
 * Text for a terminal. Package names, paths, history lines and os-release
 * fields come from the scanned image, advisory titles from feeds, names in
 * error messages from manifests and files users are handed: all of it reaches
 * stdout and stderr, and a terminal obeys what it is sent. Everything customs
 * prints that it did not write itself goes through this module, so there is one
 * list of what a terminal must not receive:
 *
 * - C0 controls U+0000–U+001F (ESC starts ECMA-48 escape sequences: cursor moves,
 *   line erase, OSC 8 hyperlinks, title changes; CR and BS overwrite what was
 *   printed; LF starts a line the text chose), DEL U+007F and the C1 controls
 *   U+0080–U+009F (U+009B is a one-byte CSI, U+0085 a line break);
 * - line and paragraph separators U+2028, U+2029;
 * - the bidirectional formatting characters of UAX #9 §2: embeddings and
 *   overrides U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E, U+200F
 *   and U+061C, which reorder what a terminal shows (a "Trojan Source" name
 *   reads differently from what it is);
 * - invisible characters that make two different strings look the same (and
 *   so can forge a name or a line): zero-width space, non-joiner and joiner
 *   U+200B–U+200D, word joiner and invisible operators U+2060–U+2064, the BOM
 *   U+FEFF, soft hyphen U+00AD, Mongolian vowel separator U+180E, interlinear
 *   annotation U+FFF9–U+FFFB and the tag characters U+E0000–U+E007F.
 *
 * Each becomes "?": the reader sees that something was there, and an escape
 * sequence loses the ESC that would have made the terminal act on it.
 */

const UNSAFE_CLASS =
  '[\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}]';
const UNSAFE = new RegExp(UNSAFE_CLASS, 'gu');
/** An SGR sequence (ECMA-48 §8.3.117, colours and bold), then any unsafe character. */
const SGR_OR_UNSAFE = new RegExp(`\\u001b\\[[0-9;]{0,32}m|${UNSAFE_CLASS}`, 'gu');

/** One line of text for a terminal: every unsafe character (line breaks included) becomes "?". */
export function terminalText(s: string): string {
  return s.replace(UNSAFE, '?');
}

/**
 * A message of one or more lines (an error, a warning) for a terminal. Each
 * line is made safe as terminalText makes it; every line after the first is
 * indented by at least two spaces. Messages list problems on indented lines
 * ("…:\n  field: problem"), so that layout stays, while a line break inside a
 * name quoted in the message can no longer start a line of its own that
 * passes for customs' output ("customs: scan passed").
 */
export function terminalMessage(s: string): string {
  return s
    .split(/\r?\n/)
    .map((line, i) => {
      const safe = terminalText(line);
      return i === 0 || safe.startsWith('  ') ? safe : `  ${safe}`;
    })
    .join('\n');
}

/**
 * A whole report written to a terminal (`-f json` on stdout, a table with its
 * colours): line breaks and tabs stay, and so do SGR colour sequences
 * (ESC [ … m), which only change how text looks and are the only escapes
 * customs' own writers emit; every other unsafe character becomes "?". This
 * is the last guard for formats made for programs, whose escaping is their
 * own and not the terminal's: JSON leaves C1 controls and bidi overrides as
 * they are, XML keeps carriage returns.
 */
export function terminalDocument(s: string): string {
  return s.replace(SGR_OR_UNSAFE, (m) =>
    (m.length > 1 && m.startsWith('\u001b')) || m === '\n' || m === '\t' ? m : '?',
  );
}

/*
 * Cutting text to a width: terminal columns, and the length limits of report
 * formats (GitLab's 255-character names) and error messages. Widths count code
 * points, not UTF-16 units, so a cut never splits a surrogate pair (half a pair
 * is not valid UTF-8 and breaks JSON consumers) and a JSON Schema maxLength,
 * which counts code points, is kept.
 */

/** `s` cut to `width` code points, ending with `mark` when cut; the empty string for a width of 0 or less. */
export function clip(s: string, width: number, mark = '…'): string {
  if (width <= 0) return '';
  const cs = Array.from(s);
  if (cs.length <= width) return s;
  return `${cs.slice(0, Math.max(0, width - Array.from(mark).length)).join('')}${mark}`;
}

/** `s` cut to `width` code points keeping its end, starting with "…" when cut (paths, where the end names the file). */
export function clipStart(s: string, width: number): string {
  if (width <= 0) return '';
  const cs = Array.from(s);
  if (cs.length <= width) return s;
  return `…${cs.slice(cs.length - (width - 1)).join('')}`;
}
