import type { ImageConfig } from '../../image/index.js';
import type { SecretFact } from '../types.js';
import { DEFAULT_SECRET_CONFIG, type SecretConfig } from './config.js';
import { isPlaceholder } from './placeholder.js';
import { redactMatch } from './rule.js';
import { createRuleSet, type SecretRuleSet } from './rule-set.js';
import { looksLikeCode } from './rules/index.js';
import { isAllowed, scanText } from './scan-text.js';

/** A secret in the image config or history; `location` says where ("config Env[3]", "history[5] created_by"). */
export interface ConfigSecretFact extends SecretFact {
  readonly location: string;
}

/**
 * A variable whose name says it holds a credential. In an image, ENV and ARG
 * values and build arguments are baked into the config and history for
 * anyone who pulls it, so any literal value there is a leak, whatever its
 * entropy. Names ending in _FILE, _PATH, _URL … point at secrets, not hold
 * them, and do not match.
 */
const CREDENTIAL_NAME =
  /(?:^|[_.-])(?:PASSWORD|PASSWD|PASSPHRASE|PASS|PWD|SECRET|SECRET_?KEY|CLIENT_?SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SIGNING_?KEY|ENCRYPTION_?KEY|AUTH_?KEY|AUTH_?TOKEN|CREDENTIALS?)$/i;

const NAMED_RULE = {
  ruleId: 'credential-variable',
  category: 'generic',
  title: 'Credential in an environment variable or build argument',
  severity: 'high',
} as const;

/**
 * Secrets in an image's config (`Env`, `Labels`, `Cmd`, `Entrypoint`) and
 * build history (`created_by`): leaked `--build-arg`s recorded as
 * "|2 TOKEN=abc …" before a RUN, `ARG`/`ENV` instructions (BuildKit and the
 * classic builder's "#(nop)" form), `curl -u user:pass` and any token the file
 * rules find in these strings.
 */
export function scanImageConfig(
  config: ImageConfig,
  secretConfig: SecretConfig = DEFAULT_SECRET_CONFIG,
): ConfigSecretFact[] {
  const set = createRuleSet(secretConfig);
  const out: ConfigSecretFact[] = [];
  const c = config.config;
  (c?.Env ?? []).forEach((entry, i) => {
    const eq = entry.indexOf('=');
    scanAssignment(
      set,
      `config Env[${i}]`,
      eq === -1 ? entry : entry.slice(0, eq),
      eq === -1 ? '' : entry.slice(eq + 1),
      out,
    );
  });
  for (const [key, value] of Object.entries(c?.Labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    scanAssignment(set, `config Labels[${JSON.stringify(key)}]`, key, value, out);
  }
  for (const field of ['Entrypoint', 'Cmd'] as const) {
    const args = c?.[field];
    if (args && args.length > 0) scanString(set, `config ${field}`, args.join(' '), out);
  }
  (config.history ?? []).forEach((h, i) => {
    if (h.created_by) scanHistory(set, `history[${i}] created_by`, h.created_by, out);
  });
  return out;
}

function scanHistory(set: SecretRuleSet, location: string, line: string, out: ConfigSecretFact[]): void {
  const before = out.length;
  // Build arguments in effect for a RUN: "|N K=V … /bin/sh -c …" (classic builder and BuildKit).
  const args = /^(?:RUN\s+)?\|(\d{1,3})\s+(.*)$/s.exec(line);
  if (args) {
    const n = Number(args[1]);
    for (const pair of (args[2] ?? '').split(/\s+/).slice(0, n)) {
      const eq = pair.indexOf('=');
      if (eq > 0) scanAssignment(set, location, pair.slice(0, eq), pair.slice(eq + 1), out);
    }
  }
  // ARG and ENV instructions: "ENV K=V K2=V2", "ENV K V" (legacy form), "ARG K=V".
  const instr = /^(?:\/bin\/sh -c #\(nop\)\s+)?(ENV|ARG)\s+(.*)$/s.exec(line.trim());
  if (instr) {
    const body = (instr[2] ?? '').trim();
    const legacy = instr[1] === 'ENV' && /^[^\s=]+\s/.test(body) && !/^[^\s=]+=/.test(body);
    if (legacy) {
      const sp = body.search(/\s/);
      scanAssignment(set, location, body.slice(0, sp), unquote(body.slice(sp + 1).trim()), out);
    } else {
      for (const m of body.matchAll(/([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
        scanAssignment(set, location, m[1] ?? '', unquote(m[2] ?? ''), out);
      }
    }
  }
  // Anything else in the line (tokens, URLs with passwords, curl -u), unless already reported.
  for (const f of scanText(line, location, set)) {
    if (!out.slice(before).some((o) => o.match === f.match)) out.push({ ...withoutPosition(f), location });
  }
}

/** NAME=value: the file rules on the assignment, else the credential-name rule on a literal value. */
function scanAssignment(
  set: SecretRuleSet,
  location: string,
  name: string,
  value: string,
  out: ConfigSecretFact[],
): void {
  const found = scanText(`${name}=${value}`, location, set);
  if (found.length > 0) {
    for (const f of found) out.push({ ...withoutPosition(f), location });
    return;
  }
  if (!CREDENTIAL_NAME.test(name) || value === '' || looksLikeCode(value) || isPlaceholder(value)) return;
  if (isAllowed(set.allowRules, NAMED_RULE.ruleId, location, value, `${name}=${value}`)) return;
  if (!set.rules.some((r) => r.rule.category === 'generic')) return; // the generic category is disabled
  const text = `${name}=${value}`;
  out.push({ ...NAMED_RULE, match: redactMatch(text, name.length + 1, text.length), location });
}

function scanString(set: SecretRuleSet, location: string, text: string, out: ConfigSecretFact[]): void {
  for (const f of scanText(text, location, set)) out.push({ ...withoutPosition(f), location });
}

function withoutPosition(f: SecretFact): SecretFact {
  const { line: _line, column: _column, ...rest } = f;
  return rest;
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))))
    return v.slice(1, -1);
  return v;
}
