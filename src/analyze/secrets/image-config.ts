import type { ImageConfig } from '../../image/index.js';
import type { SecretFact } from '../types.js';
import { DEFAULT_SECRET_CONFIG, type SecretConfig } from './config.js';
import { isPlaceholder } from './placeholder.js';
import { redactMatch, redactSecret } from './rule.js';
import { createRuleSet, type SecretRuleSet } from './rule-set.js';
import { looksLikeCode } from './rules/index.js';
import { findSecrets, isAllowed } from './scan-text.js';

/**
 * A secret in the image config or history; `location` says where, naming the variable
 * when there is one ("config Env[3] (ENV DB_PASSWORD)", "history[5] created_by (ARG TOKEN)").
 */
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
 * Secrets in an image's config (`Env`, `Labels`, `Cmd`, `Entrypoint`,
 * `Healthcheck`) and build history (`created_by`, `comment`): leaked
 * `--build-arg`s recorded as "|2 TOKEN=abc …" before a RUN, `ARG`/`ENV`
 * instructions (BuildKit and the classic builder's "#(nop)" form),
 * `curl -u user:pass` and any token the file rules find in these strings.
 */
export function scanImageConfig(
  config: ImageConfig,
  secretConfig: SecretConfig = DEFAULT_SECRET_CONFIG,
): ConfigSecretFact[] {
  return walkConfig(config, createRuleSet(secretConfig)).facts;
}

/**
 * scanImageConfig and redactImageConfig of one config together: when the user's config
 * disables nothing (the default), both search with the same rules, so the config is walked
 * once, with one rule set.
 */
export function inspectImageConfig(
  config: ImageConfig,
  secretConfig: SecretConfig = DEFAULT_SECRET_CONFIG,
): { readonly secrets: ConfigSecretFact[]; readonly redacted: ImageConfig } {
  const full = redactionConfig(secretConfig);
  const w = walkConfig(config, createRuleSet(full));
  const secrets = full === secretConfig ? [...w.facts] : scanImageConfig(config, secretConfig);
  return { secrets, redacted: redactWalked(config, w) };
}

/** The rules redaction uses: every rule, whatever the user disabled (see redactImageConfig). */
function redactionConfig(secretConfig: SecretConfig): SecretConfig {
  const all =
    secretConfig.builtinRules && secretConfig.disableRules.length === 0 && secretConfig.disableCategories.length === 0;
  return all ? secretConfig : { ...secretConfig, builtinRules: true, disableRules: [], disableCategories: [] };
}

/**
 * Values shorter than this are redacted where a rule found them, but not
 * searched for elsewhere in the config: a short password ("admin") would
 * blank out every word it happens to be part of.
 */
const MIN_REPEATED_SECRET = 8;

/**
 * The image config with every secret value redacted, in every string a
 * writer may show: Env, Labels (keys and values), Entrypoint, Cmd,
 * Healthcheck, User, WorkingDir, author, and the history's created_by and
 * comment. A value is what scanImageConfig reports, found the same way (the
 * same walk over the same fields), and is replaced as findings show it
 * (redactSecret: a short prefix, then "*"); a value found in one field is
 * also replaced wherever else it occurs in the config (a token passed as a
 * build argument and repeated in a CMD). The user's rules and allow-rules
 * apply; disabled rules and categories do not, nor `builtin-rules: false`:
 * they quiet the report, while a value shown in an SBOM or a report cannot
 * be taken back.
 */
export function redactImageConfig(
  config: ImageConfig,
  secretConfig: SecretConfig = DEFAULT_SECRET_CONFIG,
): ImageConfig {
  return redactWalked(config, walkConfig(config, createRuleSet(redactionConfig(secretConfig))));
}

/** The config with what the walk found redacted (it marks repeated values in `w`). */
function redactWalked(config: ImageConfig, w: Walk): ImageConfig {
  const values = new Set<string>();
  for (const [id, ranges] of w.marks) {
    const text = w.texts[id] ?? '';
    for (const [s, e] of ranges) if (e - s >= MIN_REPEATED_SECRET) values.add(text.slice(s, e));
  }
  w.texts.forEach((text, id) => {
    for (const v of values) {
      for (let i = text.indexOf(v); i !== -1; i = text.indexOf(v, i + 1)) mark(w, id, i, i + v.length);
    }
  });
  const out = (id: number | undefined, original: string): string =>
    id === undefined ? original : redactRanges(w.texts[id] ?? original, w.marks.get(id) ?? []);
  const { ids } = w;
  const c = config.config;
  const redactedConfig: ImageConfig['config'] = c && {
    ...c,
    ...(c.Env ? { Env: c.Env.map((e, i) => out(ids.env[i], e)) } : {}),
    ...(c.Labels
      ? {
          Labels: Object.fromEntries(
            Object.entries(c.Labels).map(([k, v]) => {
              const [kid, vid] = ids.labels.get(k) ?? [];
              return [out(kid, k), out(vid, v)];
            }),
          ),
        }
      : {}),
    ...(c.Entrypoint ? { Entrypoint: c.Entrypoint.map((a, i) => out(ids.entrypoint[i], a)) } : {}),
    ...(c.Cmd ? { Cmd: c.Cmd.map((a, i) => out(ids.cmd[i], a)) } : {}),
    ...(c.Healthcheck?.Test
      ? { Healthcheck: { ...c.Healthcheck, Test: c.Healthcheck.Test.map((a, i) => out(ids.healthcheck[i], a)) } }
      : {}),
    ...(c.User !== undefined ? { User: out(ids.user, c.User) } : {}),
    ...(c.WorkingDir !== undefined ? { WorkingDir: out(ids.workingDir, c.WorkingDir) } : {}),
  };
  return {
    ...config,
    ...(config.author !== undefined ? { author: out(ids.author, config.author) } : {}),
    ...(redactedConfig !== undefined ? { config: redactedConfig } : {}),
    ...(config.history
      ? {
          history: config.history.map((h, i) => ({
            ...h,
            ...(h.created_by !== undefined ? { created_by: out(ids.history[i]?.createdBy, h.created_by) } : {}),
            ...(h.comment !== undefined ? { comment: out(ids.history[i]?.comment, h.comment) } : {}),
          })),
        }
      : {}),
  };
}

/** `text` with each range, merged where they touch, replaced by its redacted form. */
function redactRanges(text: string, ranges: readonly (readonly [number, number])[]): string {
  if (ranges.length === 0) return text;
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let out = '';
  let pos = 0;
  let i = 0;
  while (i < sorted.length) {
    let [start, end] = sorted[i] as readonly [number, number];
    for (i++; i < sorted.length && (sorted[i] as readonly [number, number])[0] <= end; i++) {
      end = Math.max(end, (sorted[i] as readonly [number, number])[1]);
    }
    start = Math.max(start, pos);
    if (end <= start) continue;
    out += text.slice(pos, start) + redactSecret(text.slice(start, end));
    pos = end;
  }
  return out + text.slice(pos);
}

/** Which string of the config each field id is (ids index Walk.texts). */
interface FieldIds {
  readonly env: number[];
  readonly labels: Map<string, [number, number]>;
  readonly entrypoint: number[];
  readonly cmd: number[];
  readonly healthcheck: number[];
  readonly history: { createdBy?: number; comment?: number }[];
  user?: number;
  workingDir?: number;
  author?: number;
}

/** One pass over the config's strings: the findings, and where in which string each secret value is. */
interface Walk {
  readonly set: SecretRuleSet;
  readonly facts: ConfigSecretFact[];
  /** Every string of the config that a writer may show, by field id. */
  readonly texts: string[];
  readonly ids: FieldIds;
  /** Field id → [start, end) of secret values in that string. */
  readonly marks: Map<number, [number, number][]>;
}

/** Characters [at, at + text.length) of the config string `field`. */
interface Slice {
  readonly field: number;
  readonly at: number;
  readonly text: string;
}

function sliceOf(w: Walk, field: number, start = 0, end?: number): Slice {
  const whole = w.texts[field] ?? '';
  return { field, at: start, text: whole.slice(start, end ?? whole.length) };
}

/** Text scanned as one string, put together from slices of config strings and literal glue. */
interface Assembled {
  readonly text: string;
  readonly slices: readonly { readonly pos: number; readonly slice: Slice }[];
}

function assemble(parts: readonly (Slice | string)[]): Assembled {
  let text = '';
  const slices: { pos: number; slice: Slice }[] = [];
  for (const p of parts) {
    if (typeof p === 'string') text += p;
    else {
      slices.push({ pos: text.length, slice: p });
      text += p.text;
    }
  }
  return { text, slices };
}

function mark(w: Walk, field: number, start: number, end: number): void {
  if (end <= start) return;
  const list = w.marks.get(field);
  if (list) list.push([start, end]);
  else w.marks.set(field, [[start, end]]);
}

/** Mark [start, end) of assembled text in the config strings it came from. */
function markAssembled(w: Walk, a: Assembled, start: number, end: number): void {
  for (const { pos, slice } of a.slices) {
    const s = Math.max(start, pos);
    const e = Math.min(end, pos + slice.text.length);
    if (s < e) mark(w, slice.field, slice.at + s - pos, slice.at + e - pos);
  }
}

function walkConfig(config: ImageConfig, set: SecretRuleSet): Walk {
  const w: Walk = {
    set,
    facts: [],
    texts: [],
    ids: { env: [], labels: new Map(), entrypoint: [], cmd: [], healthcheck: [], history: [] },
    marks: new Map(),
  };
  const add = (text: string): number => w.texts.push(text) - 1;
  const c = config.config;
  (c?.Env ?? []).forEach((entry, i) => {
    const id = add(entry);
    w.ids.env.push(id);
    const eq = entry.indexOf('=');
    scanAssignment(
      w,
      named(`config Env[${i}]`, 'ENV', eq === -1 ? '' : entry.slice(0, eq)),
      sliceOf(w, id, 0, eq === -1 ? entry.length : eq),
      eq === -1 ? { field: id, at: entry.length, text: '' } : sliceOf(w, id, eq + 1),
    );
  });
  for (const [key, value] of Object.entries(c?.Labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const kid = add(key);
    const vid = add(value);
    w.ids.labels.set(key, [kid, vid]);
    scanAssignment(w, `config Labels[${JSON.stringify(key)}]`, sliceOf(w, kid), sliceOf(w, vid));
  }
  const argv = (location: string, args: readonly string[] | null | undefined, ids: number[]): void => {
    if (!args || args.length === 0) return;
    const parts: (Slice | string)[] = [];
    args.forEach((a, i) => {
      const id = add(a);
      ids.push(id);
      if (i > 0) parts.push(' ');
      parts.push(sliceOf(w, id));
    });
    scanString(w, location, assemble(parts));
  };
  argv('config Entrypoint', c?.Entrypoint, w.ids.entrypoint);
  argv('config Cmd', c?.Cmd, w.ids.cmd);
  argv('config Healthcheck', c?.Healthcheck?.Test, w.ids.healthcheck);
  (config.history ?? []).forEach((h, i) => {
    const ids: { createdBy?: number; comment?: number } = {};
    w.ids.history.push(ids);
    if (h.created_by !== undefined) {
      ids.createdBy = add(h.created_by);
      if (h.created_by) scanHistory(w, `history[${i}] created_by`, ids.createdBy);
    }
    if (h.comment !== undefined) {
      ids.comment = add(h.comment);
      scanString(w, `history[${i}] comment`, assemble([sliceOf(w, ids.comment)]));
    }
  });
  // Free text a writer may show that holds no assignments: searched only for values found above.
  if (c?.User !== undefined) w.ids.user = add(c.User);
  if (c?.WorkingDir !== undefined) w.ids.workingDir = add(c.WorkingDir);
  if (config.author !== undefined) w.ids.author = add(config.author);
  return w;
}

/**
 * The location with the variable it names ("config Env[1] (ENV DB_PASSWORD)"), so a reader
 * knows which one to rotate. Only a plain variable name is added: an Env entry without "="
 * is all value, and a location is never redacted.
 */
function named(location: string, instruction: string, name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(name) ? `${location} (${instruction} ${name})` : location;
}

function scanHistory(w: Walk, location: string, field: number): void {
  const line = w.texts[field] ?? '';
  const before = w.facts.length;
  // Build arguments in effect for a RUN: "|N K=V … /bin/sh -c …" (classic builder and BuildKit).
  const args = /^(?:RUN\s+)?\|(\d{1,3})\s+(.*)$/ds.exec(line);
  const argsAt = args?.indices?.[2]?.[0];
  if (args && argsAt !== undefined) {
    const n = Number(args[1]);
    let k = 0;
    for (const pair of (args[2] ?? '').matchAll(/\S+/g)) {
      if (k++ >= n) break;
      const at = argsAt + pair.index;
      const eq = pair[0].indexOf('=');
      if (eq > 0)
        scanAssignment(
          w,
          named(location, 'ARG', pair[0].slice(0, eq)),
          sliceOf(w, field, at, at + eq),
          sliceOf(w, field, at + eq + 1, at + pair[0].length),
        );
    }
  }
  // ARG and ENV instructions: "ENV K=V K2=V2", "ENV K V" (legacy form), "ARG K=V".
  // (Greedy to the end, trimmed after: a lazy body before "\s*$" is quadratic on a hostile line.)
  const instr = /^\s*(?:\/bin\/sh -c #\(nop\)\s+)?(ENV|ARG)\s+(.*)$/ds.exec(line);
  const bodyAt = instr?.indices?.[2]?.[0];
  if (instr && bodyAt !== undefined) {
    const body = (instr[2] ?? '').trimEnd();
    const legacy = instr[1] === 'ENV' && /^[^\s=]+\s/.test(body) && !/^[^\s=]+=/.test(body);
    if (legacy) {
      const sp = body.search(/\s/);
      const rest = body.slice(sp + 1);
      const valueAt = sp + 1 + rest.length - rest.trimStart().length;
      const value = unquoted(valueAt, body.slice(valueAt));
      scanAssignment(
        w,
        named(location, 'ENV', body.slice(0, sp)),
        sliceOf(w, field, bodyAt, bodyAt + sp),
        sliceOf(w, field, bodyAt + value.start, bodyAt + value.end),
      );
    } else {
      for (const m of body.matchAll(/([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/dg)) {
        const nameAt = m.indices?.[1]?.[0] ?? m.index;
        const rawAt = m.indices?.[2]?.[0] ?? nameAt + (m[1] ?? '').length + 1;
        const value = unquoted(rawAt, m[2] ?? '');
        scanAssignment(
          w,
          named(location, instr[1] ?? 'ENV', m[1] ?? ''),
          sliceOf(w, field, bodyAt + nameAt, bodyAt + nameAt + (m[1] ?? '').length),
          sliceOf(w, field, bodyAt + value.start, bodyAt + value.end),
        );
      }
    }
  }
  // Anything else in the line (tokens, URLs with passwords, curl -u), unless already reported;
  // every value found is redacted either way.
  const whole = assemble([sliceOf(w, field)]);
  for (const f of findSecrets(whole.text, location, w.set)) {
    markAssembled(w, whole, f.start, f.end);
    if (!w.facts.slice(before).some((o) => o.match === f.fact.match))
      w.facts.push({ ...withoutPosition(f.fact), location });
  }
}

/** NAME=value: the file rules on the assignment, else the credential-name rule on a literal value. */
function scanAssignment(w: Walk, location: string, name: Slice, value: Slice): void {
  const a = assemble([name, '=', value]);
  const found = findSecrets(a.text, location, w.set);
  if (found.length > 0) {
    for (const f of found) {
      w.facts.push({ ...withoutPosition(f.fact), location });
      markAssembled(w, a, f.start, f.end);
    }
    return;
  }
  const v = value.text;
  if (!CREDENTIAL_NAME.test(name.text) || v === '' || looksLikeCode(v) || isPlaceholder(v)) return;
  if (isAllowed(w.set.allowRules, NAMED_RULE.ruleId, location, v, a.text)) return;
  if (!w.set.rules.some((r) => r.rule.category === 'generic')) return; // the generic category is disabled
  w.facts.push({ ...NAMED_RULE, match: redactMatch(a.text, name.text.length + 1, a.text.length), location });
  mark(w, value.field, value.at, value.at + v.length);
}

function scanString(w: Walk, location: string, a: Assembled): void {
  for (const f of findSecrets(a.text, location, w.set)) {
    w.facts.push({ ...withoutPosition(f.fact), location });
    markAssembled(w, a, f.start, f.end);
  }
}

function withoutPosition(f: SecretFact): SecretFact {
  const { line: _line, column: _column, ...rest } = f;
  return rest;
}

/** [start, end) of a value within `raw` (which starts at `at`), without its surrounding quotes. */
function unquoted(at: number, raw: string): { start: number; end: number } {
  const quoted =
    raw.length >= 2 && ((raw.startsWith('"') && raw.endsWith('"')) || (raw.startsWith("'") && raw.endsWith("'")));
  return quoted ? { start: at + 1, end: at + raw.length - 1 } : { start: at, end: at + raw.length };
}
