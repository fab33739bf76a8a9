/**
 * The YAML that lock-file writers emit (pnpm-lock.yaml, Yarn 2+ yarn.lock), read line by line
 * without the YAML library. A lock file is tens of kilobytes of one shape: block mappings
 * nested by indentation, block sequences of scalars, one-line flow mappings and sequences,
 * plain and quoted scalars on one line. The yaml package parses the bench image's 58 KB pnpm
 * lock in 60-95 ms in a fresh thread (its code not yet optimised), more than a layer thread
 * spends on hundreds of other files; this reader takes 10-18 ms (docs/adr/0009).
 *
 * It gives exactly the value the yaml package's `parse` gives (YAML 1.2, core schema), or
 * undefined when the text holds anything outside that shape, and the caller then parses it
 * with the yaml package: comments after content on a line, tabs, carriage returns, anchors,
 * aliases, tags, directives, document markers, block scalars, multi-line scalars or flow
 * collections, nested flow collections, escapes in double quotes, keys that are not strings,
 * numbers whose reading could differ, uneven indentation, duplicate keys. A differential fuzz
 * target holds the two readers to the same values (test/fuzz/targets/lock-yaml.ts).
 */

import { parse as parseYaml } from 'yaml';
import { invalidFile } from './limits.js';

type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

/** Thrown inside: the text is outside the shape read here (never escapes readLockYaml). */
class NotHandled extends Error {}

const notHandled = (): never => {
  throw new NotHandled();
};

/** Characters that may not start a plain scalar (YAML 1.2 c-indicator), '-' '?' ':' aside. */
const INDICATOR_FIRST = new Set([...',[]{}#&*!|>\'"%@`']);
/** What a key may not be: YAML would read it differently, or JavaScript would. */
const UNSAFE_KEYS = new Set(['__proto__', '<<']);
/** A longer implicit key is an error in YAML (1024 characters). */
const MAX_KEY = 1000;

/** First characters of the plain scalars the core schema reads as something other than a string. */
const NOT_ONLY_STRING_FIRST = new Set([...'~nNtTfF+-.0123456789']);

/** A plain scalar as the core schema reads it; numbers only where every reader agrees. */
function plainValue(text: string): Value {
  if (!NOT_ONLY_STRING_FIRST.has(text[0] as string)) return text;
  if (/^(?:~|[Nn]ull|NULL)$/.test(text)) return null;
  if (/^(?:[Tt]rue|TRUE)$/.test(text)) return true;
  if (/^(?:[Ff]alse|FALSE)$/.test(text)) return false;
  // Any other text the core schema would read as a number: only plain decimals are kept.
  const numeric =
    /^[-+]?[0-9]+$/.test(text) ||
    /^0o[0-7]+$/.test(text) ||
    /^0x[0-9a-fA-F]+$/.test(text) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(text) ||
    /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(text);
  if (!numeric) return text;
  if (/^(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?$/.test(text)) return Number(text);
  return notHandled();
}

/**
 * A scalar starting at `at` in `line`: a quoted one ends at its closing quote, a plain one at
 * ": ", at the end of the line, and in a flow collection also at , [ ] { }. Returns the value
 * and where it ended.
 */
function scalar(line: string, at: number, flow: boolean): { value: Value; end: number } {
  const c = line[at];
  if (c === "'") {
    let out = '';
    let i = at + 1;
    for (;;) {
      const q = line.indexOf("'", i);
      if (q === -1) return notHandled(); // continues on the next line
      out += line.slice(i, q);
      if (line[q + 1] === "'") {
        out += "'";
        i = q + 2;
      } else return { value: out, end: q + 1 };
    }
  }
  if (c === '"') {
    const q = line.indexOf('"', at + 1);
    if (q === -1) return notHandled();
    const text = line.slice(at + 1, q);
    if (text.includes('\\')) return notHandled();
    return { value: text, end: q + 1 };
  }
  if (c === undefined || c === ' ' || INDICATOR_FIRST.has(c)) return notHandled();
  if ((c === '-' || c === '?' || c === ':') && (line[at + 1] === undefined || line[at + 1] === ' '))
    return notHandled();
  // A plain scalar runs to ": " (a key), " #" (a comment: not handled) or the end of the line;
  // in a flow collection also to , ] }.
  let end = at;
  for (; end < line.length; end++) {
    const ch = line[end];
    if (
      ch === ':' &&
      (end + 1 === line.length || line[end + 1] === ' ' || (flow && ',]}'.includes(line[end + 1] as string)))
    )
      break;
    if (ch === '#' && line[end - 1] === ' ') return notHandled();
    if (flow && (ch === ',' || ch === ']' || ch === '}' || ch === '[' || ch === '{')) break;
  }
  const text = line.slice(at, end).replace(/ +$/, '');
  if (text === '') return notHandled();
  return { value: plainValue(text), end: at + text.length };
}

/** A key: a string scalar followed by ':' and a space or the end. */
function keyAt(line: string, at: number, flow: boolean): { key: string; next: number } {
  const k = scalar(line, at, flow);
  if (typeof k.value !== 'string' || k.value.length > MAX_KEY || UNSAFE_KEYS.has(k.value)) return notHandled();
  if (line[k.end] !== ':') return notHandled();
  const after = line[k.end + 1];
  if (after !== ' ' && !(after === undefined && !flow)) return notHandled();
  return { key: k.value, next: k.end + 1 };
}

const skipSpaces = (line: string, i: number): number => {
  let j = i;
  while (line[j] === ' ') j++;
  return j;
};

/** A one-line flow collection at `at`, of scalars only; returns it and where it ended. */
function flowCollection(line: string, at: number): { value: Value; end: number } {
  const open = line[at];
  const close = open === '{' ? '}' : ']';
  const map: { [key: string]: Value } = {};
  const seq: Value[] = [];
  let i = skipSpaces(line, at + 1);
  if (line[i] === close) return { value: open === '{' ? map : seq, end: i + 1 };
  for (;;) {
    if (open === '{') {
      const { key, next } = keyAt(line, i, true);
      if (Object.hasOwn(map, key)) return notHandled();
      i = skipSpaces(line, next);
      if (line[i] === ',' || line[i] === '}') map[key] = null;
      else {
        const v = scalar(line, i, true);
        map[key] = v.value;
        i = skipSpaces(line, v.end);
      }
    } else {
      const v = scalar(line, i, true);
      seq.push(v.value);
      i = skipSpaces(line, v.end);
      if (line[i] === ':') return notHandled(); // a one-pair map inside a sequence
    }
    if (line[i] === close) return { value: open === '{' ? map : seq, end: i + 1 };
    if (line[i] !== ',') return notHandled();
    i = skipSpaces(line, i + 1);
    if (line[i] === close) return notHandled(); // a trailing comma: read alike, kept out to stay simple
  }
}

/** The value after "key: " or "- ": a flow collection or a scalar, alone on the rest of the line. */
function inlineValue(line: string, at: number): Value {
  const { value, end } = line[at] === '{' || line[at] === '[' ? flowCollection(line, at) : scalar(line, at, false);
  if (skipSpaces(line, end) !== line.length) return notHandled();
  return value;
}

interface Frame {
  readonly indent: number;
  readonly map?: { [key: string]: Value };
  readonly seq?: Value[];
}

/** A line's indentation and content; undefined for a blank line. */
function parts(line: string): { indent: number; content: string } | undefined {
  const indent = skipSpaces(line, 0);
  if (indent === line.length) return undefined;
  return { indent, content: line.slice(indent) };
}

/**
 * Tabs, carriage returns, other control characters, byte-order marks and the Unicode line
 * breaks YAML 1.1 readers honour: all outside the shape.
 */
function hasOutsideCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f || c === 0x85 || c === 0x2028 || c === 0x2029 || c === 0xfeff)
      return true;
  }
  return false;
}

function read(text: string): Value {
  if (hasOutsideCharacter(text)) return notHandled();
  const lines = text.split('\n');
  const root: { [key: string]: Value } = {};
  const stack: Frame[] = [{ indent: 0, map: root }];
  /** A "key:" with no value on its line: the next line decides (a nested block, or null). */
  let pending: { map: { [key: string]: Value }; key: string; indent: number } | undefined;
  let first = true;
  for (const raw of lines) {
    const p = parts(raw);
    if (p === undefined) continue;
    const { indent, content } = p;
    // A line that is only a comment is nothing in YAML (the writers' headers are such lines).
    if (content.startsWith('#')) continue;
    if (first && (indent !== 0 || content.startsWith('%'))) return notHandled();
    // Document markers ("---", "...") at the start of any line.
    if (indent === 0 && (content.startsWith('---') || content.startsWith('...'))) return notHandled();
    first = false;
    const isItem = content === '-' || content.startsWith('- ');
    if (pending) {
      if (indent > pending.indent) {
        const frame: Frame = isItem ? { indent, seq: [] } : { indent, map: {} };
        pending.map[pending.key] = (frame.seq ?? frame.map) as Value;
        stack.push(frame);
      } else pending.map[pending.key] = null;
      pending = undefined;
    }
    while ((stack[stack.length - 1] as Frame).indent > indent) stack.pop();
    const top = stack[stack.length - 1] as Frame;
    if (top.indent !== indent) return notHandled();
    if (isItem) {
      if (!top.seq) return notHandled();
      const at = skipSpaces(content, 1);
      if (at === content.length) return notHandled();
      top.seq.push(inlineValue(content, at));
      continue;
    }
    if (!top.map) return notHandled();
    const { key, next } = keyAt(content, 0, false);
    if (Object.hasOwn(top.map, key)) return notHandled();
    const at = skipSpaces(content, next);
    if (at === content.length) {
      top.map[key] = null;
      pending = { map: top.map, key, indent };
    } else top.map[key] = inlineValue(content, at);
  }
  if (first) return notHandled();
  return root;
}

/**
 * The value `yaml.parse(text)` gives, for text in the shape lock-file writers emit; undefined
 * for any other text (parse that with the yaml package: parseLockYaml does).
 */
export function readLockYaml(text: string): Value | undefined {
  try {
    return read(text);
  } catch (e) {
    if (e instanceof NotHandled) return undefined;
    throw e;
  }
}

/**
 * A lock file's YAML (pnpm-lock.yaml, a Yarn 2+ yarn.lock) as `yaml.parse` reads it: line by
 * line when it has the writers' shape, else by the yaml package. A text the yaml package
 * refuses is an ANALYZE_FILE_INVALID error naming `path`.
 */
export function parseLockYaml(path: string, text: string): unknown {
  const quick = readLockYaml(text);
  if (quick !== undefined) return quick;
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw invalidFile(path, `not valid YAML (${e instanceof Error ? e.message : String(e)})`, e);
  }
}
