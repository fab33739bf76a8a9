/**
 * Numeric comparison of two ASCII digit strings of any length, without
 * converting to a number: dpkg, rpm and others compare digit runs of
 * unbounded length, and JavaScript numbers lose precision past 2^53.
 */
export function compareDigits(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && a.charCodeAt(i) === 48) i++;
  while (j < b.length && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (; i < a.length; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Plain code-unit string order (strcmp on ASCII), normalised to -1/0/1. */
export { compareStrings } from '../core/index.js';

export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

export const isAsciiDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isAsciiAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
