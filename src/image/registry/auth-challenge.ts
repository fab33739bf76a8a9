/**
 * WWW-Authenticate challenges (RFC 7235 §4.1; token flow of the Docker
 * registry: distribution docs/spec/auth/token.md).
 */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parse `Bearer realm="…",service="…",scope="…"` (one or several challenges). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const value of values) {
    let i = 0;
    let current: { scheme: string; params: Record<string, string> } | undefined;
    const s = value;
    while (i < s.length) {
      while (i < s.length && (s[i] === ' ' || s[i] === ',')) i++;
      const tokStart = i;
      while (i < s.length && /[A-Za-z0-9!#$%&'*+.^_`|~-]/.test(s[i] ?? '')) i++;
      const token = s.slice(tokStart, i);
      if (token === '') {
        i++;
        continue;
      }
      while (i < s.length && s[i] === ' ') i++;
      if (s[i] === '=') {
        i++;
        while (i < s.length && s[i] === ' ') i++;
        let v = '';
        if (s[i] === '"') {
          i++;
          while (i < s.length && s[i] !== '"') {
            if (s[i] === '\\' && i + 1 < s.length) i++;
            v += s[i];
            i++;
          }
          i++;
        } else {
          const vs = i;
          while (i < s.length && s[i] !== ',') i++;
          v = s.slice(vs, i).trim();
        }
        if (current) current.params[token.toLowerCase()] = v;
      } else {
        current = { scheme: token.toLowerCase(), params: {} };
        out.push(current);
      }
    }
  }
  return out;
}
