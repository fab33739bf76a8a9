import { DockerfileParser, type From, type Instruction } from 'dockerfile-ast';
import type { DfFlag, DfInstruction, DfStage, DockerfileModel } from './model.js';

interface WithFlags {
  getFlags(): { getName(): string; getValue(): string | null }[];
}
interface WithJson {
  getOpeningBracket(): unknown;
  getJSONStrings(): { getJSONValue(): string }[];
}
interface WithProperties {
  getProperties(): { getName(): string; getValue(): string | null }[];
}

function hasFlags(i: object): i is WithFlags {
  return typeof (i as Partial<WithFlags>).getFlags === 'function';
}
function hasJson(i: object): i is WithJson {
  return typeof (i as Partial<WithJson>).getJSONStrings === 'function';
}
function hasProperties(i: object): i is WithProperties {
  return typeof (i as Partial<WithProperties>).getProperties === 'function';
}

/**
 * Argument text with comment lines dropped: the Dockerfile reference says a
 * line starting with `#` inside a continued instruction is removed before the
 * instruction is run. Heredoc bodies are kept as written.
 */
function argumentText(ins: Instruction, escapeChar: string): string {
  const raw = ins.getRawArgumentsContent() ?? '';
  if (raw.includes('<<')) return ins.getArgumentsContent() ?? '';
  const continuation = escapeChar === '`' ? /`\r?\n/g : /\\\r?\n/g;
  return raw
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(continuation, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function convert(ins: Instruction, lines: readonly string[], escapeChar: string): DfInstruction {
  const range = ins.getRange();
  const flags: DfFlag[] = hasFlags(ins)
    ? ins.getFlags().map((f) => ({ name: f.getName().toLowerCase(), value: f.getValue() }))
    : [];
  let json: string[] | undefined;
  if (hasJson(ins) && ins.getOpeningBracket() !== null) {
    const strings = ins.getJSONStrings().map((s) => s.getJSONValue());
    // dockerfile-ast reports an opening bracket even for invalid JSON; only a parseable array is exec form.
    try {
      const parsed: unknown = JSON.parse(ins.getArgumentsContent() ?? '');
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) json = strings;
    } catch {
      json = undefined;
    }
  }
  const properties = hasProperties(ins)
    ? ins.getProperties().map((p) => ({ name: p.getName(), value: p.getValue() }))
    : undefined;
  const startLine = range.start.line + 1;
  return {
    keyword: ins.getKeyword().toUpperCase(),
    args: argumentText(ins, escapeChar),
    words: ins.getArguments().map((a) => a.getValue()),
    flags,
    ...(json ? { json } : {}),
    ...(properties ? { properties } : {}),
    startLine,
    endLine: range.end.line + 1,
    text: (lines[range.start.line] ?? '').trim(),
  };
}

/** Parse a Dockerfile into stages. Never throws: dockerfile-ast is error-tolerant. */
export function parseDockerfile(text: string, path: string): DockerfileModel {
  const df = DockerfileParser.parse(text);
  const lines = text.split(/\r?\n/);
  const globalArgs: DfInstruction[] = [];
  const stages: { from: DfInstruction; fromAst: From; instructions: DfInstruction[] }[] = [];
  for (const ins of df.getInstructions()) {
    const converted = convert(ins, lines, df.getEscapeCharacter());
    if (converted.keyword === 'FROM') {
      stages.push({ from: converted, fromAst: ins as From, instructions: [] });
    } else if (stages.length === 0) {
      if (converted.keyword === 'ARG') globalArgs.push(converted);
    } else {
      (stages[stages.length - 1] as { instructions: DfInstruction[] }).instructions.push(converted);
    }
  }
  const names = new Set<string>();
  const result: DfStage[] = stages.map((s, index) => {
    const fromAst = s.fromAst;
    const imageText = fromAst.getImage() ?? '';
    // getExpandedArguments substitutes ARGs declared before FROM (their defaults).
    const expandedWords = fromAst
      .getExpandedArguments()
      .map((a) => a.getValue())
      .filter((w) => !w.startsWith('--'));
    const expanded = expandedWords[0];
    const image = expanded !== undefined && !expanded.includes('$') ? expanded : undefined;
    const name = fromAst.getBuildStage()?.toLowerCase();
    const fromStage = image !== undefined && names.has(image.toLowerCase());
    if (name) names.add(name);
    return {
      index,
      from: s.from,
      ...(image !== undefined ? { image } : {}),
      imageText,
      ...(name ? { name } : {}),
      fromStage,
      instructions: s.instructions,
    };
  });
  return { path, source: 'dockerfile', stages: result, globalArgs };
}
