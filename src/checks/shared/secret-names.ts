/**
 * Names of variables that hold secrets (CIS Docker Benchmark 4.10 "Ensure
 * secrets are not stored in Dockerfiles"; the names hadolint DL3064 and
 * Docker's SecretsUsedInArgOrEnv build check treat as sensitive). The name is
 * split at `_`, `-` and `.` into parts. A part that names a secret
 * (PASSWORD, TOKEN, SECRET, CREDENTIALS …), contains one (DBPASSWORD,
 * GITHUBTOKEN), or a KEY qualified as secret (API_KEY, PRIVATE_KEY,
 * ACCESS_KEY …) makes the variable a secret. Left out on purpose:
 * - a bare `KEY`: `GPG_KEY` in the official python/node images is the
 *   fingerprint of a public signing key, not a secret;
 * - names with a PUBLIC part (`STRIPE_PUBLIC_KEY`): published by design;
 * - names that point at a secret instead of holding it (`*_FILE`, `*_PATH` …);
 * - USERNAME (hadolint flags it): a user name is not a credential by itself;
 * - TOKEN inside a longer word (`TOKENIZERS_PARALLELISM`).
 */

const SECRET_PARTS = new Set([
  'PASSWORD',
  'PASSWD',
  'PWORD',
  'PASS',
  'PASSPHRASE',
  'TOKEN',
  'SECRET',
  'SECRETS',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  'APIKEY',
  'PRIVATEKEY',
  'ACCESSKEY',
  'SECRETKEY',
  'AUTHTOKEN',
]);
/** Secret words that also count inside a longer part (`DBPASSWORD`, `MYSECRET`, `GITHUBTOKEN`). */
const SECRET_INFIXES = /PASSWORD|PASSWD|SECRET|CREDENTIAL|APIKEY|PRIVATEKEY|ACCESSKEY|TOKEN$/;
const KEY_QUALIFIERS = new Set([
  'API',
  'ACCESS',
  'SECRET',
  'PRIVATE',
  'AUTH',
  'ENCRYPTION',
  'SIGNING',
  'MASTER',
  'CLIENT',
  'LICENSE',
  'APP',
  'APPLICATION',
  'SERVICE',
  'SSH',
]);
/** Suffixes that point at a secret instead of holding it (`POSTGRES_PASSWORD_FILE=/run/secrets/db`). */
const POINTER_SUFFIXES = new Set(['FILE', 'PATH', 'DIR', 'URL', 'ENV', 'NAME', 'ID', 'LENGTH', 'POLICY', 'HASH']);

export function isSecretName(name: string): boolean {
  const parts = name
    .toUpperCase()
    .split(/[_.-]+/)
    .filter(Boolean);
  if (parts.length === 0 || parts.includes('PUBLIC')) return false;
  const last = parts[parts.length - 1] as string;
  // AWS_ACCESS_KEY_ID names half of a credential pair, not a pointer to one.
  const accessKeyId = last === 'ID' && parts.at(-2) === 'KEY' && parts.at(-3) === 'ACCESS';
  if (POINTER_SUFFIXES.has(last) && !accessKeyId) return false;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (SECRET_PARTS.has(p) || SECRET_INFIXES.test(p)) return true;
    if ((p === 'KEY' || p === 'TOKEN') && i > 0 && KEY_QUALIFIERS.has(parts[i - 1] as string)) return true;
  }
  return false;
}

/**
 * A literal value: non-empty and not only a reference to another variable
 * (`$DB_PASSWORD`, `${TOKEN}`), which carries no secret itself.
 */
export function isLiteralValue(value: string | null | undefined): value is string {
  if (value === null || value === undefined) return false;
  const v = value.trim();
  if (v === '' || v === '""' || v === "''") return false;
  return !/^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?[-=?+][^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(v);
}

/** `NAME=****`: evidence never carries the value. */
export function redactAssignment(name: string): string {
  return `${name}=****`;
}

/** Text with the value of every `NAME=value` whose NAME is a secret replaced by `****` (evidence is shown to users). */
export function redactSecrets(text: string): string {
  return text.replace(/\b([A-Za-z_][A-Za-z0-9_.-]*)=("[^"]*"|'[^']*'|\S+)/g, (all, name: string) =>
    isSecretName(name) ? redactAssignment(name) : all,
  );
}
