/**
 * Globs in exceptions and base-image tags: `**` matches anything, `*` anything
 * but "/" (in paths) or anything (elsewhere), `?` one character. Everything
 * else is literal: a policy never carries a raw regex that could backtrack.
 */
export function globToRegExp(glob: string, slashSensitive: boolean): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += slashSensitive ? '[^/]*' : '.*';
    } else if (c === '?') re += slashSensitive ? '[^/]' : '.';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

export function globMatch(glob: string, text: string, slashSensitive = false): boolean {
  return globToRegExp(glob, slashSensitive).test(text);
}
