/**
 * The one error class of the project. A code names what went wrong; the table
 * below maps every code to a process exit status, an HTTP status and a hint,
 * so a code without its mapping does not compile. docs/errors.md is generated
 * from this table (`npm run docs:errors`).
 */

/** Exit statuses, documented in the README and in `customs --help`. */
export const EXIT = {
  ok: 0,
  policyFailed: 1,
  usage: 2,
  input: 3,
  internal: 4,
} as const;
export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

interface CodeInfo {
  readonly exit: ExitStatus;
  readonly http: number;
  readonly hint: string;
}

export const ERROR_CODES = {
  USAGE_BAD_FLAG: { exit: EXIT.usage, http: 400, hint: 'Run the command with --help to see its flags.' },
  USAGE_BAD_ARGUMENT: { exit: EXIT.usage, http: 400, hint: 'Run the command with --help to see what it expects.' },
  IMAGE_NOT_FOUND: {
    exit: EXIT.input,
    http: 404,
    hint: 'Check the name; prefix it with a transport (docker-archive:, oci:, docker-daemon:, dir:, registry:) to say where to look.',
  },
  IMAGE_REFERENCE_INVALID: {
    exit: EXIT.input,
    http: 400,
    hint: 'Use NAME[:TAG][@sha256:DIGEST], for example nginx:1.25 or ghcr.io/org/app@sha256:…',
  },
  IMAGE_FORMAT_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'The file is not a docker-archive or OCI layout this tool can read; re-export it with `docker save` or `skopeo copy`.',
  },
  IMAGE_MANIFEST_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'The manifest or config does not follow the OCI/Docker image specification; re-push or re-export the image.',
  },
  IMAGE_MEDIA_TYPE_UNSUPPORTED: {
    exit: EXIT.input,
    http: 415,
    hint: 'Supported layers are tar, tar+gzip and tar+zstd; supported manifests are OCI and Docker v2 schema 2.',
  },
  IMAGE_PLATFORM_NOT_FOUND: {
    exit: EXIT.input,
    http: 404,
    hint: 'Pick one of the listed platforms with --platform OS/ARCH[/VARIANT].',
  },
  IMAGE_DIGEST_MISMATCH: {
    exit: EXIT.input,
    http: 422,
    hint: 'The blob is corrupt or was tampered with; fetch or export the image again.',
  },
  IMAGE_BLOB_MISSING: {
    exit: EXIT.input,
    http: 422,
    hint: 'The image refers to a blob that is not there; export the image again with all its layers.',
  },
  REGISTRY_UNREACHABLE: {
    exit: EXIT.input,
    http: 502,
    hint: 'Check the registry host and port, your network, and use --insecure for a plain-HTTP registry on loopback.',
  },
  REGISTRY_AUTH_FAILED: {
    exit: EXIT.input,
    http: 401,
    hint: 'Log in with `docker login HOST` (credentials are read from ~/.docker/config.json) or set CUSTOMS_REGISTRY_HOST=HOST with CUSTOMS_REGISTRY_USERNAME / CUSTOMS_REGISTRY_PASSWORD.',
  },
  REGISTRY_ERROR: {
    exit: EXIT.input,
    http: 502,
    hint: 'The registry answered with an error; the message quotes it.',
  },
  REGISTRY_TARGET_REFUSED: {
    exit: EXIT.input,
    http: 502,
    hint: 'The registry sent customs to a plain-HTTP token realm, from https to http, or to a loopback, link-local or private address of another host; use --insecure only if you trust the registry and the network.',
  },
  REGISTRY_TLS: {
    exit: EXIT.input,
    http: 502,
    hint: 'Trust the registry CA with --ca-file FILE (or SSL_CERT_FILE), or use --insecure for a loopback registry.',
  },
  DAEMON_UNREACHABLE: {
    exit: EXIT.input,
    http: 502,
    hint: 'Start Docker or point DOCKER_HOST at its socket (unix:///var/run/docker.sock).',
  },
  LAYER_PATH_ESCAPE: {
    exit: EXIT.input,
    http: 422,
    hint: 'The layer holds an entry that points outside the image root; the image is hostile or broken.',
  },
  LAYER_TRUNCATED: {
    exit: EXIT.input,
    http: 422,
    hint: 'The layer ends before its tar stream does; fetch or export the image again.',
  },
  LAYER_CORRUPT: {
    exit: EXIT.input,
    http: 422,
    hint: 'The layer is not a valid (compressed) tar stream; fetch or export the image again.',
  },
  LAYER_TOO_LARGE: {
    exit: EXIT.input,
    http: 413,
    hint: 'The layer expands past the size limit (a decompression bomb?); raise --max-layer-size if the image is genuine.',
  },
  LAYER_DECODER_LIMIT: {
    exit: EXIT.input,
    http: 422,
    hint: 'The compressed layer asks its decoder for more memory or copying than customs allows (docs/security.md, "Parser sandbox and decoder budgets"); recompress it with default settings (zstd without --long/--ultra).',
  },
  ANALYZE_FILE_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'A package database, manifest or binary in the image is malformed; the file is listed as unknown and the scan goes on.',
  },
  ANALYZE_LIMIT_EXCEEDED: {
    exit: EXIT.input,
    http: 413,
    hint: 'A file in the image exceeds a safety limit (size, entry count or nesting depth); it is listed as unknown, not followed.',
  },
  ANALYZER_BUDGET_EXCEEDED: {
    exit: EXIT.input,
    http: 422,
    hint: 'A parser ran past its time or memory budget on a file (docs/security.md, "Parser sandbox and decoder budgets"); the file is likely crafted, is listed as unknown, and the scan goes on.',
  },
  ANALYZE_NOT_ROOTFS: {
    exit: EXIT.input,
    http: 422,
    hint: 'A dir: target with no OS release file and no package of any ecosystem is not a root filesystem; point dir: at the root of an unpacked image (the directory holding etc/ and usr/), or scan the image itself.',
  },
  ANALYZE_INCOMPLETE: {
    exit: EXIT.input,
    http: 422,
    hint: 'Some files could not be analysed and --strict makes that fatal; run without --strict to get the report with them listed as unknowns.',
  },
  SBOM_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'The SBOM is not valid CycloneDX or SPDX JSON.',
  },
  OUTPUT_WRITE_FAILED: {
    exit: EXIT.input,
    http: 500,
    hint: 'Check that the output directory exists and is writable.',
  },
  STORE_ERROR: {
    exit: EXIT.internal,
    http: 500,
    hint: 'The local cache could not be used; remove it (customs cache clean) or point --cache-dir elsewhere.',
  },
  STORE_UNAVAILABLE: {
    exit: EXIT.input,
    http: 503,
    hint: 'Check the state store location: a writable data directory, or a postgres:// URL whose server is up and whose user may connect (docs/store.md).',
  },
  STORE_SCHEMA_NEWER: {
    exit: EXIT.input,
    http: 503,
    hint: 'The state store was migrated by a newer customs; run that version (or newer) against it. Migrations are forward-only (docs/store.md).',
  },
  STORE_CONFLICT: {
    exit: EXIT.input,
    http: 409,
    hint: 'Something with that name or key already exists, or was changed meanwhile; read it again and retry.',
  },
  STORE_LEASE_LOST: {
    exit: EXIT.input,
    http: 409,
    hint: 'The job lease expired or the job was finished elsewhere: stop working on it (another worker retries it). Heartbeat more often than the lease length.',
  },
  STORE_SECRET_INVALID: {
    exit: EXIT.input,
    http: 500,
    hint: 'A sealed secret could not be opened: the store key (CUSTOMS_STORE_KEY, 32 bytes as 64 hex digits or base64) differs from the one it was sealed with, or the data was altered.',
  },
  API_UNAUTHENTICATED: {
    exit: EXIT.input,
    http: 401,
    hint: 'Send `Authorization: Bearer <token>` with a valid API token: `customs serve` prints the admin token on first start and writes it to DIR/admin.token; an admin issues others (POST /api/v1/tokens, docs/server.md).',
  },
  API_FORBIDDEN: {
    exit: EXIT.input,
    http: 403,
    hint: 'The token\'s role may not do this: admin can do everything, ci can also post verdicts, viewer only reads (docs/server.md "Roles"); ask an admin for a token with the role the route needs.',
  },
  API_NOT_FOUND: {
    exit: EXIT.input,
    http: 404,
    hint: 'Check the path and the id or name in it; /api/openapi.json lists every route.',
  },
  API_REQUEST_INVALID: {
    exit: EXIT.usage,
    http: 400,
    hint: 'Fix the fields the message names; /api/openapi.json documents every request body and parameter.',
  },
  API_RATE_LIMITED: {
    exit: EXIT.input,
    http: 429,
    hint: 'Too many requests with this token (or from this address): wait for the time the Retry-After header gives, or raise --rate-limit on the server.',
  },
  SERVER_UNREACHABLE: {
    exit: EXIT.input,
    http: 502,
    hint: 'Check the --server URL and that `customs serve` runs there; in CI, --offline judge decides with local policies when the server is down (docs/server.md "CI").',
  },
  SERVER_CONFIG_INVALID: {
    exit: EXIT.usage,
    http: 500,
    hint: 'Fix the server setting the message names (--listen HOST:PORT, --tls-cert and --tls-key PEM files, CUSTOMS_SECRET_KEY); `customs serve --help` lists them.',
  },
  SERVER_LISTEN_FAILED: {
    exit: EXIT.input,
    http: 500,
    hint: 'Another process uses the address, or the port needs privileges; pick another --listen HOST:PORT.',
  },
  VULNDB_MISSING: {
    exit: EXIT.input,
    http: 503,
    hint: 'Build the vulnerability DB with `customs db update` (online) or `customs db import PATH` (air-gapped), or point --db-dir / CUSTOMS_DB_DIR at one.',
  },
  VULNDB_SCHEMA_UNSUPPORTED: {
    exit: EXIT.input,
    http: 503,
    hint: 'The DB was built by another version of customs; rebuild it with `customs db update` or `customs db import PATH`.',
  },
  VULNDB_CORRUPT: {
    exit: EXIT.input,
    http: 503,
    hint: 'The DB file is not a customs vulnerability DB (or is damaged); rebuild it with `customs db update` or `customs db import PATH`.',
  },
  VULNDB_FEED_UNREACHABLE: {
    exit: EXIT.input,
    http: 502,
    hint: 'Check the network or point the feed at a mirror (--feed NAME=URL, CUSTOMS_FEED_<NAME>); offline, build the DB from local files with `customs db import PATH`.',
  },
  VULNDB_FEED_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'The feed file is not in a format customs reads (OSV JSON or all.zip, Debian tracker JSON, Alpine secdb, NVD 2.0, CISA KEV, EPSS CSV); see docs/vulndb.md.',
  },
  VULNDB_CHECKSUM_MISMATCH: {
    exit: EXIT.input,
    http: 422,
    hint: 'The DB bundle does not match its .sha256 file: it is damaged or was altered; export it again with `customs db export FILE`.',
  },
  VERSION_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: "The version string does not follow its ecosystem's version syntax (the message names the scheme and the rule); correct the version or record the package as unknown.",
  },
  MALWARE_IOC_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'An IOC list holds SHA-256 hashes (64 hex digits), one per line, or CSV with a sha256 column; "#" starts a comment. Fix the lines the message names.',
  },
  MALWARE_CLAMD_UNREACHABLE: {
    exit: EXIT.input,
    http: 502,
    hint: 'Start clamd and pass its LocalSocket path or TCPAddr:TCPSocket (host:port) to --clamd; check the socket permissions.',
  },
  MALWARE_CLAMD_ERROR: {
    exit: EXIT.input,
    http: 502,
    hint: "clamd refused or failed the scan (the message quotes its reply); raise StreamMaxLength in clamd.conf for large files, or check clamd's log.",
  },
  SECRETS_CONFIG_INVALID: {
    exit: EXIT.input,
    http: 400,
    hint: 'Fix the fields the message lists in the secrets config file (YAML); docs/secrets.md shows the format with examples.',
  },
  ABORTED: { exit: EXIT.input, http: 499, hint: 'The operation was cancelled.' },
  INTERNAL: {
    exit: EXIT.internal,
    http: 500,
    hint: 'This is a bug in customs; please report it with the command you ran.',
  },
  POLICY_INVALID: {
    exit: EXIT.input,
    http: 400,
    hint: 'Fix the listed fields; docs/policy.md describes the format and schema/policy-v1.json lets an editor check it.',
  },
  VEX_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'Give an OpenVEX document (@context https://openvex.dev/ns…) or a CycloneDX BOM with vulnerabilities[].analysis.',
  },
  SCAN_RESULT_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'Give the output of `customs scan -f json -o FILE` (schema/scan-result-v1.json) unchanged, or scan the image again.',
  },
  GATE_INPUT_NOT_FOUND: {
    exit: EXIT.input,
    http: 404,
    hint: 'Check the path of the file given to --policy, --vex or --ignorefile (relative paths start in the current directory).',
  },
  GATE_IGNOREFILE_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'One ID per line (CVE-…, GHSA-…, a check or secret rule ID), optionally followed by exp:YYYY-MM-DD; # starts a comment (.trivyignore format).',
  },
  ADMISSION_CONFIG_INVALID: {
    exit: EXIT.input,
    http: 400,
    hint: 'Fix the fields the message lists in the admission config (YAML); docs/admission.md "Config format" shows every field with an example.',
  },
  ADMISSION_REVIEW_INVALID: {
    exit: EXIT.input,
    http: 400,
    hint: 'The webhook takes an admission.k8s.io/v1 AdmissionReview (POST, Content-Type application/json) with request.uid and request.object, as the API server sends it.',
  },
  ADMISSION_SERVER_ERROR: {
    exit: EXIT.input,
    http: 502,
    hint: 'The customs server did not answer as expected: check --server (its base URL), that the token has the ci role, and the server log.',
  },
  ADMISSION_TLS_MISSING: {
    exit: EXIT.usage,
    http: 500,
    hint: 'The API server calls webhooks over HTTPS only: pass --tls-cert and --tls-key (PEM files); `customs admit manifests` sets up a certificate (docs/admission.md).',
  },
  CONFIG_INPUT_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'The file is not what the command checks (the message names the line and what was expected): give `customs scan dockerfile` a Dockerfile and `customs scan k8s` Kubernetes manifests (YAML or JSON objects with apiVersion and kind).',
  },
  COMPLIANCE_INPUT_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'Give `customs report compliance --input` the JSON output of `customs scan -f json`, `customs scan dockerfile|k8s -f json` or `customs bench … -f json`, unchanged.',
  },
  SIGN_KEY_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'Use an ECDSA P-256 key: a private key from `customs sign generate-key-pair` (or cosign generate-key-pair) and its PEM public key.',
  },
  SIGN_KEY_PASSWORD: {
    exit: EXIT.input,
    http: 401,
    hint: 'Give the private key password in COSIGN_PASSWORD or CUSTOMS_PASSWORD, or type it at the prompt.',
  },
  TRUST_POLICY_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'Fix the trust policy file; docs/trust-policy.md describes its fields.',
  },
  TRUSTED_ROOT_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'Give a sigstore trusted_root.json (protobuf-specs TrustedRoot in JSON), e.g. from `cosign trusted-root create` or the sigstore TUF repository.',
  },
  RUNTIME_CONTAINER_NOT_FOUND: {
    exit: EXIT.input,
    http: 404,
    hint: 'Name a container this node runs or ran: its ID, ID prefix or name (`customs sensor inventory` lists them).',
  },
  RUNTIME_UNSUPPORTED: {
    exit: EXIT.input,
    http: 422,
    hint: 'The sensor needs root, Docker with the overlay2 storage driver for drift, and bpftrace with tracefs for behaviour (docs/runtime.md "Requirements").',
  },
  RUNTIME_INPUT_INVALID: {
    exit: EXIT.input,
    http: 422,
    hint: 'Give the command what it reads: Falco JSON output (one object per line), a rules file or a bundle made by `customs ir` (docs/runtime.md).',
  },
  RUNTIME_NODE_OWNED: {
    exit: EXIT.input,
    http: 403,
    hint: 'A runtime node is bound to the API token that first reported it (docs/runtime.md "Node ownership"): give each node\'s sensor its own token and report with it, or have an admin reassign the node (PUT /api/v1/runtime/nodes/{name}/owner).',
  },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CustomsError extends Error {
  readonly code: ErrorCode;
  override readonly cause: unknown;

  constructor(code: ErrorCode, message: string, cause?: unknown) {
    super(message);
    this.name = 'CustomsError';
    this.code = code;
    this.cause = cause;
  }

  get exitStatus(): ExitStatus {
    return ERROR_CODES[this.code].exit;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get hint(): string {
    return ERROR_CODES[this.code].hint;
  }
}

export function isCustomsError(e: unknown): e is CustomsError {
  return e instanceof CustomsError;
}

/** Wrap anything thrown into a CustomsError, keeping CustomsErrors as they are. */
export function toCustomsError(e: unknown, fallback: ErrorCode = 'INTERNAL'): CustomsError {
  if (e instanceof CustomsError) return e;
  if (e instanceof Error && e.name === 'AbortError') return new CustomsError('ABORTED', 'operation cancelled', e);
  const message = e instanceof Error ? e.message : String(e);
  return new CustomsError(fallback, message, e);
}

/** An error as it crosses a thread boundary (postMessage keeps no class). */
export interface WireError {
  readonly code: string;
  readonly message: string;
}

export function toWireError(e: unknown): WireError {
  return { code: isCustomsError(e) ? e.code : 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

/** The CustomsError a WireError stands for; a code this build does not know is INTERNAL. */
export function fromWireError(w: WireError): CustomsError {
  return new CustomsError((w.code in ERROR_CODES ? w.code : 'INTERNAL') as ErrorCode, w.message);
}
