/** PEP 503 normalised Python project name (https://peps.python.org/pep-0503/#normalized-names): how PyPI, purl and OSV compare names. */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
