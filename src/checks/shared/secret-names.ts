/**
 * Names of variables that hold secrets (CIS Docker Benchmark 4.10 "Ensure
 * secrets are not stored in Dockerfiles"). The name is split at `_`, `-` and
 * `.` into parts; a part that names a secret, or a key qualified as secret
 * (API_KEY, PRIVATE_KEY …), makes the variable a secret. A bare `KEY` is not
 * enough: `GPG_KEY` in the official python images is a public fingerprint.
 */

const SECRET_PARTS = new Set([
  'PASSWORD',
  'PASSWD',
  'PASS',
  'PASSPHRASE',
  'TOKEN',
  'SECRET',
  'SECRETS',
  'CREDENTIAL',
  'CREDENTIALS',
  'APIKEY',
  'PRIVATEKEY',
  'ACCESSKEY',
  'SECRETKEY',
  'AUTHTOKEN',
]);
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
]);
/** Suffixes that point at a secret instead of holding it (`POSTGRES_PASSWORD_FILE=/run/secrets/db`). */
const POINTER_SUFFIXES = new Set(['FILE', 'PATH', 'DIR', 'URL', 'ENV', 'NAME', 'ID', 'LENGTH', 'POLICY', 'HASH']);

export function isSecretName(name: string): boolean {
  const parts = name
    .toUpperCase()
    .split(/[_.-]+/)
    .filter(Boolean);
  if (parts.length === 0) return false;
  const last = parts[parts.length - 1] as string;
  if (POINTER_SUFFIXES.has(last)) return false;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (SECRET_PARTS.has(p)) return true;
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
