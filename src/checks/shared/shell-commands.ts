/**
 * A small POSIX-shell word splitter for RUN lines and history entries: enough
 * to see which simple commands run, in which pipeline (POSIX.1-2017 XCU 2.9
 * "Shell Commands"). Quotes and escapes are honoured; `&&`, `||`, `;`, `&`,
 * newlines and parentheses end a simple command; `|` chains commands into a
 * pipeline. It does not expand anything, on purpose: checks look at what was
 * written.
 */

export interface SimpleCommand {
  /** The words as written, quotes removed. */
  readonly words: readonly string[];
  /** Index of this command inside its pipeline (0 = first). */
  readonly pipeIndex: number;
}

export type Pipeline = readonly SimpleCommand[];

export function splitShell(script: string): Pipeline[] {
  const pipelines: SimpleCommand[][] = [];
  let pipeline: SimpleCommand[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) pipeline.push({ words, pipeIndex: pipeline.length });
    words = [];
  };
  const endPipeline = (): void => {
    endCommand();
    if (pipeline.length > 0) pipelines.push(pipeline);
    pipeline = [];
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i] as string;
    const next = script[i + 1];
    if (c === '\\') {
      if (next === '\n') {
        i += 2; // line continuation
        continue;
      }
      if (next !== undefined) word += next;
      inWord = true;
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      const stop = end < 0 ? script.length : end;
      word += script.slice(i + 1, stop);
      inWord = true;
      i = stop + 1;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < script.length && script[i] !== '"') {
        if (script[i] === '\\' && i + 1 < script.length && '$`"\\\n'.includes(script[i + 1] as string)) {
          if (script[i + 1] !== '\n') word += script[i + 1];
          i += 2;
          continue;
        }
        word += script[i];
        i++;
      }
      inWord = true;
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      // A comment runs to the end of the line.
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    if (c === '|' && next !== '|') {
      endCommand();
      i++;
      continue;
    }
    if ((c === '&' && next === '&') || (c === '|' && next === '|')) {
      endPipeline();
      i += 2;
      continue;
    }
    if (c === ';' || c === '&' || c === '\n' || c === '(' || c === ')' || c === '{' || c === '}') {
      // Braces only group when they stand alone; inside a word (${X}) they are text.
      if ((c === '{' || c === '}') && inWord) {
        word += c;
        i++;
        continue;
      }
      endPipeline();
      i++;
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  endPipeline();
  return pipelines;
}

const WRAPPERS = new Set(['sudo', 'env', 'nohup', 'time', 'exec', 'command', 'nice', 'doas', 'su-exec', 'gosu']);
/**
 * Reserved words that may open a simple command's word list as split here
 * (POSIX.1-2017 XCU 2.4): `if x; then apt-get …; fi` runs apt-get, so the
 * word after `then` is the program.
 */
const RESERVED = new Set(['!', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * The program a simple command runs and its arguments, past variable
 * assignments (`DEBIAN_FRONTEND=noninteractive apt-get …`) and wrappers
 * (`sudo`, `env`), with the program's directory dropped (`/usr/bin/apt-get`).
 */
export function commandOf(
  cmd: SimpleCommand,
): { readonly program: string; readonly args: readonly string[] } | undefined {
  const w = cmd.words;
  let i = 0;
  for (;;) {
    const word = w[i];
    if (word === undefined) return undefined;
    if (ASSIGNMENT.test(word) || RESERVED.has(word)) {
      i++;
      continue;
    }
    const base = word.slice(word.lastIndexOf('/') + 1);
    if (WRAPPERS.has(base)) {
      i++;
      // Skip the wrapper's own options (`sudo -u app`, `env -i`).
      while (w[i]?.startsWith('-')) i += w[i] === '-u' || w[i] === '-g' ? 2 : 1;
      continue;
    }
    return { program: base, args: w.slice(i + 1) };
  }
}

/** Every simple command of a script with its program resolved. */
export function programs(script: string): {
  readonly program: string;
  readonly args: readonly string[];
  readonly pipeIndex: number;
  readonly pipeline: Pipeline;
}[] {
  const out: { program: string; args: readonly string[]; pipeIndex: number; pipeline: Pipeline }[] = [];
  const visit = (text: string, depth: number): void => {
    for (const pipeline of splitShell(text)) {
      for (const cmd of pipeline) {
        const c = commandOf(cmd);
        if (!c) continue;
        out.push({ ...c, pipeIndex: cmd.pipeIndex, pipeline });
        // `sh -c 'apt-get install …'` runs a script of its own: look inside (bounded nesting).
        const dashC = c.args.indexOf('-c');
        const inner = dashC >= 0 ? c.args[dashC + 1] : undefined;
        if (SHELL_PROGRAMS.test(c.program) && inner !== undefined && depth < 3) visit(inner, depth + 1);
      }
    }
  };
  visit(script, 0);
  return out;
}

const SHELL_PROGRAMS = /^(ba|da|a|z|k)?sh$/;

/** The first word of a simple command, with its directory dropped (for `sudo` itself). */
export function firstProgram(cmd: SimpleCommand): string | undefined {
  const w = cmd.words.find((x) => !ASSIGNMENT.test(x) && !RESERVED.has(x));
  return w?.slice(w.lastIndexOf('/') + 1);
}
