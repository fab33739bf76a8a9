/**
 * Values that are obviously not real secrets: documentation examples,
 * template variables, masks and stock defaults. Applied to the secret value
 * of every rule (a real token of a fixed format practically never contains
 * these), before entropy.
 */
const PLACEHOLDER_PARTS = [
  'example', // AWS's AKIAIOSFODNN7EXAMPLE, "example.com" passwords in docs
  'xxxx',
  '****',
  '....',
  '…',
  '${',
  '$(',
  '{{',
  '}}',
  '<',
  '>',
  '%s',
  '%(',
  'changeme',
  'change_me',
  'change-me',
  'change-this',
  'change_this',
  'changethis',
  'placeholder',
  'dummy',
  'sample',
  'your',
  'redacted',
  'insert',
  'password',
  'passwd',
  'secret_here',
  'token_here',
  'todo',
  'fixme',
] as const;

/** Whole values (lower-case) that are defaults or words, never secrets. */
const PLACEHOLDER_VALUES: ReadonlySet<string> = new Set([
  'pass',
  'secret',
  'token',
  'guest',
  'admin',
  'root',
  'test',
  'testing',
  'user',
  'username',
  'null',
  'nil',
  'none',
  'true',
  'false',
  'undefined',
  'empty',
  'default',
  'value',
  'string',
  'required',
  'optional',
  'hidden',
  'masked',
  'unset',
  'notset',
]);

export function isPlaceholder(value: string): boolean {
  const v = value.toLowerCase();
  if (PLACEHOLDER_VALUES.has(v)) return true;
  // Shell or Windows environment references, and masks of one repeated character.
  // Masks ("*…") too.
  if (v.startsWith('$') || v.startsWith('*') || (v.startsWith('%') && v.endsWith('%'))) return true;
  if (/^(.)\1*$/su.test(v)) return true;
  // Stripe test-mode and publishable keys ("API keys": test keys move no money, publishable keys are public).
  if (/^(?:sk|rk|pk)_test_|^pk_live_/.test(v)) return true;
  for (const part of PLACEHOLDER_PARTS) if (v.includes(part)) return true;
  return false;
}
