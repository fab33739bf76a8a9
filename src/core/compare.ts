/** Plain code-unit string order (never the locale's), normalised to -1/0/1: the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
