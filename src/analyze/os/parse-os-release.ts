/**
 * os-release(5) parser. The file is "a newline-separated list of
 * environment-like shell-compatible variable assignments": lines starting
 * with "#" are comments, blank lines are ignored, values may be enclosed in
 * single or double quotes, and shell special characters ("$", quotes,
 * backslash, backtick) are escaped with backslashes "following shell style".
 * The same syntax serves lsb-release (DISTRIB_ID=Ubuntu …).
 */

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parse an os-release style file into its variables; later assignments win, as in a shell. */
export function parseOsRelease(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trimEnd();
    if (!KEY.test(key)) continue;
    vars.set(key, unquote(line.slice(eq + 1)));
  }
  return vars;
}

/** Shell-style value: quoted parts and backslash escapes; outer whitespace trimmed. */
function unquote(value: string): string {
  let out = '';
  let i = 0;
  const v = value.trim();
  while (i < v.length) {
    const c = v[i] as string;
    if (c === '"') {
      i++;
      while (i < v.length && v[i] !== '"') {
        const d = v[i] as string;
        // sh: inside double quotes a backslash escapes only $ ` " \ (and newline).
        if (d === '\\' && i + 1 < v.length && '$`"\\'.includes(v[i + 1] as string)) {
          out += v[i + 1];
          i += 2;
        } else {
          out += d;
          i++;
        }
      }
      i++; // closing quote (or end of line for an unterminated value: keep what we have)
    } else if (c === "'") {
      const end = v.indexOf("'", i + 1);
      out += end < 0 ? v.slice(i + 1) : v.slice(i + 1, end);
      i = end < 0 ? v.length : end + 1;
    } else if (c === '\\') {
      if (i + 1 < v.length) out += v[i + 1];
      i += 2;
    } else {
      // Unquoted blanks are invalid shell, but systemd's reader (env-file.c) keeps
      // inner whitespace and strips only the trailing run; we do the same.
      out += c;
      i++;
    }
  }
  return out;
}
