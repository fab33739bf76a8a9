/**
 * The MIME types of the Harbor pluggable scanner API
 * (goharbor/pluggable-scanner-spec, api/spec/scanner-adapter-openapi-v1.1.yaml).
 */
export const HARBOR_MIME = {
  metadata: 'application/vnd.scanner.adapter.metadata+json; version=1.0',
  scanRequest: 'application/vnd.scanner.adapter.scan.request+json',
  scanResponse: 'application/vnd.scanner.adapter.scan.response+json; version=1.0',
  error: 'application/vnd.scanner.adapter.error+json; version=1.0',
  /** Harbor's vulnerability report, the 1.0 name. */
  reportV10: 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0',
  /** The same report under the 1.1 name (spec v1.1). */
  reportV11: 'application/vnd.security.vulnerability.report; version=1.1',
  /** The scanner's own report as is: customs' scan result JSON. */
  reportRaw: 'application/vnd.scanner.adapter.vuln.report.raw',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** What the metadata advertises as produced (Harbor asks for each it knows). */
export const PRODUCED = [HARBOR_MIME.reportV10, HARBOR_MIME.reportV11] as const;
export const CONSUMED = [HARBOR_MIME.ociManifest, HARBOR_MIME.dockerManifest] as const;

const SERVED = [HARBOR_MIME.reportV11, HARBOR_MIME.reportV10, HARBOR_MIME.reportRaw] as const;
export type ReportMime = (typeof SERVED)[number];

/** "type/subtype; version=x" in a canonical form: lower case, spaces around parameters dropped, only `version` kept. */
function canonical(range: string): string {
  const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
  const version = params.find((p) => p.replace(/\s+/g, '').startsWith('version='))?.replace(/\s+/g, '');
  return version ? `${type};${version}` : type;
}

/**
 * The report type for an Accept header (RFC 9110 §12.5.1, without q-value
 * ordering beyond first match): the first listed type served; no header or
 * a wildcard gives the 1.1 report; undefined when nothing listed is served.
 */
export function negotiateReport(accept: string | undefined): ReportMime | undefined {
  if (accept === undefined || accept.trim() === '') return HARBOR_MIME.reportV11;
  for (const range of accept.split(',')) {
    const c = canonical(range);
    if (c === '*/*' || c === 'application/*') return HARBOR_MIME.reportV11;
    const hit = SERVED.find((m) => canonical(m) === c);
    if (hit) return hit;
  }
  return undefined;
}
