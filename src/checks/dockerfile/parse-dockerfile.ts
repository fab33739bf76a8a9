import { DockerfileParser, type From, type Instruction, type Onbuild } from 'dockerfile-ast';
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

/** The instructions of the Dockerfile reference (https://docs.docker.com/reference/dockerfile/), in its order. */
export const DOCKERFILE_INSTRUCTIONS = [
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
] as const;
const KNOWN: ReadonlySet<string> = new Set(DOCKERFILE_INSTRUCTIONS);

/** Why a text cannot be read as a Dockerfile: the 1-based line and what was expected there. */
export interface DockerfileProblem {
  readonly line: number;
  readonly message: string;
}

function unknownInstruction(keyword: string, line: number, what = 'instruction'): DockerfileProblem {
  // `apiVersion:` or `{` as a first word: the file is YAML or JSON, not a Dockerfile.
  const looksLikeData = /:$/.test(keyword) || keyword === '{' || keyword === '---';
  return {
    line,
    message: `unknown ${what} ${keyword} (expected one of ${DOCKERFILE_INSTRUCTIONS.join(', ')})${
      looksLikeData ? '; the file looks like YAML or JSON, not a Dockerfile' : ''
    }`,
  };
}

/**
 * What stops a text from being a Dockerfile as `docker build` reads it: an
 * instruction the reference does not define (also inside ONBUILD), a FROM
 * without an image, an instruction other than ARG before the first FROM, or
 * no FROM at all. Lines are 1-based.
 */
function problemsOf(instructions: readonly Instruction[]): DockerfileProblem[] {
  const problems: DockerfileProblem[] = [];
  let seenFrom = false;
  for (const ins of instructions) {
    const line = ins.getRange().start.line + 1;
    const keyword = ins.getKeyword().toUpperCase();
    if (!KNOWN.has(keyword)) {
      problems.push(unknownInstruction(ins.getInstruction() ?? keyword, line));
      continue;
    }
    if (keyword === 'FROM') {
      seenFrom = true;
      if (!(ins as From).getImage()) {
        problems.push({
          line,
          message: 'FROM names no image (expected FROM [--platform=…] IMAGE[:TAG][@DIGEST] [AS NAME])',
        });
      }
      continue;
    }
    if (!seenFrom && keyword !== 'ARG') {
      problems.push({
        line,
        message: `${keyword} before the first FROM (a Dockerfile starts with FROM, after parser directives, comments and ARGs)`,
      });
      continue;
    }
    if (keyword === 'ONBUILD') {
      const trigger = (ins as Onbuild).getTriggerInstruction();
      if (!trigger)
        problems.push({ line, message: 'ONBUILD names no instruction (expected ONBUILD INSTRUCTION ARGUMENTS)' });
      else if (!KNOWN.has(trigger.getKeyword().toUpperCase()))
        problems.push(
          unknownInstruction(trigger.getInstruction() ?? trigger.getKeyword(), line, 'instruction in ONBUILD'),
        );
    }
  }
  if (problems.length === 0 && !seenFrom) {
    problems.push({
      line: (instructions[0]?.getRange().start.line ?? 0) + 1,
      message: 'no FROM instruction (expected FROM IMAGE to start a build stage)',
    });
  }
  return problems;
}

/** Parse a Dockerfile into stages. Never throws: dockerfile-ast is error-tolerant. */
export function parseDockerfile(text: string, path: string): DockerfileModel {
  return readDockerfile(text, path).model;
}

/** Parse a Dockerfile and say what, if anything, makes it not a Dockerfile (see `problemsOf`). */
export function readDockerfile(
  text: string,
  path: string,
): { readonly model: DockerfileModel; readonly problems: readonly DockerfileProblem[] } {
  const df = DockerfileParser.parse(text);
  const lines = text.split(/\r?\n/);
  const escapeChar = df.getEscapeCharacter();
  const globalArgs: DfInstruction[] = [];
  const stages: { from: DfInstruction; fromAst: From; instructions: DfInstruction[]; triggers: DfInstruction[] }[] = [];
  const instructions = df.getInstructions();
  for (const ins of instructions) {
    const converted = convert(ins, lines, escapeChar);
    const current = stages[stages.length - 1];
    if (converted.keyword === 'FROM') {
      stages.push({ from: converted, fromAst: ins as From, instructions: [], triggers: [] });
    } else if (!current) {
      if (converted.keyword === 'ARG') globalArgs.push(converted);
    } else {
      current.instructions.push(converted);
      const trigger = converted.keyword === 'ONBUILD' ? (ins as Onbuild).getTriggerInstruction() : null;
      if (trigger) {
        const t = convert(trigger, lines, escapeChar);
        // The trigger sits on the ONBUILD's lines; evidence is the whole ONBUILD line.
        current.triggers.push({
          ...t,
          startLine: converted.startLine,
          endLine: converted.endLine,
          text: converted.text,
          onbuild: true,
        });
      }
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
      triggers: s.triggers,
    };
  });
  return {
    model: { path, source: 'dockerfile', stages: result, globalArgs },
    problems: problemsOf(instructions),
  };
}
