/**
 * The composite GitHub Action (action.yml) runs its gate step as GitHub would: the step's
 * bash script, read from action.yml, with the inputs as env vars, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY and RUNNER_TEMP set, and `customs` on PATH (a shim running this
 * checkout's bin/customs.js against a DB built from test/feeds). Checks the outputs the
 * later steps read (verdict, exit-code), the SARIF file the upload step sends, the summary,
 * and that usage errors stop the step while a failed gate does not (SARIF still uploads).
 * The docs/ci examples are checked to be valid YAML naming flags `customs gate` has.
 */
import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/index.js';
import { writeOciLayout } from '../../src/image/test-support/image-fixtures.js';
import { freshDir, REPO_ROOT, run, runCustoms } from '../support/images.js';

let work = '';
let script = '';
let shimDir = '';
let target = '';

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly if?: string;
  readonly with?: Record<string, string>;
}
interface Action {
  readonly inputs: Record<string, { default?: string; required?: boolean }>;
  readonly outputs: Record<string, { value: string }>;
  readonly runs: { using: string; steps: Step[] };
}

const OS_RELEASE =
  'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
const lodash = (v: string) => JSON.stringify({ name: 'lodash', version: v, license: 'MIT' });

before(async () => {
  work = await freshDir('gate-action');
  const action = parse(await readFile(join(REPO_ROOT, 'action.yml'), 'utf8')) as Action;
  assert.equal(action.runs.using, 'composite');
  const step = action.runs.steps.find((s) => s.id === 'gate');
  assert.ok(step?.run, 'action.yml has a step with id "gate"');
  script = step.run;
  const db = join(work, 'db');
  const imported = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '--db-dir', db, '-q']);
  assert.equal(imported.code, 0, imported.stderr);
  shimDir = join(work, 'bin');
  await run('mkdir', ['-p', shimDir]);
  const shim = join(shimDir, 'customs');
  await writeFile(
    shim,
    `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, 'bin', 'customs.js')}" "$@" --db "${db}" --no-cache\n`,
  );
  await chmod(shim, 0o755);
  const layout = join(work, 'image');
  writeOciLayout(layout, [
    {
      image: {
        layers: [
          {
            files: [
              { path: 'etc/os-release', data: OS_RELEASE },
              { path: 'app/node_modules/lodash/package.json', data: lodash('4.17.20') },
            ],
          },
        ],
      },
    },
  ]);
  target = `oci:${layout}`;
  await writeFile(
    join(work, 'policy.yaml'),
    'apiVersion: customs/v1\nkind: Policy\nrules:\n  - id: no-high\n    action: fail\n    message: no high vulnerabilities\n    vulnerabilities:\n      minSeverity: high\n',
  );
});

async function runStep(
  inputs: Record<string, string>,
): Promise<{ code: number; outputs: Record<string, string>; summary: string; stderr: string }> {
  const out = join(work, `output-${Math.random().toString(36).slice(2)}`);
  const summary = join(work, 'summary.md');
  await writeFile(out, '');
  await writeFile(summary, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${shimDir}:${process.env.PATH ?? ''}`,
    GITHUB_OUTPUT: out,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: work,
    TARGET: target,
    POLICY: '',
    VEX: '',
    SEVERITY: '',
    FAIL_ON: '',
    IGNORE_UNFIXED: 'false',
    IGNOREFILE: '.trivyignore',
    SCANNERS: '',
    DOCKERFILE: '',
    EXIT_CODE: '1',
    SARIF: join(work, 'customs.sarif'),
    SUMMARY: 'true',
    ...inputs,
  };
  const r = await run('bash', ['-c', script], { cwd: work, env, allowFailure: true });
  const outputs = Object.fromEntries(
    (await readFile(out, 'utf8'))
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { code: r.code, outputs, summary: await readFile(summary, 'utf8'), stderr: r.stderr };
}

test('a failed gate: the step succeeds (so SARIF uploads), outputs verdict=fail and the exit code', async () => {
  const r = await runStep({ POLICY: 'policy.yaml\n', SCANNERS: 'vuln' });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.outputs, { 'exit-code': '1', verdict: 'fail' });
  const sarif = JSON.parse(await readFile(join(work, 'customs.sarif'), 'utf8')) as { version: string };
  assert.equal(sarif.version, '2.1.0');
  assert.match(r.summary, /no-high/);
});

test('a pass: verdict=pass, exit-code=0', async () => {
  const r = await runStep({ FAIL_ON: 'critical', SCANNERS: 'vuln' });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.outputs, { 'exit-code': '0', verdict: 'pass' });
});

test('a usage or input error stops the step with its status', async () => {
  const usage = await runStep({ FAIL_ON: 'severe' });
  assert.equal(usage.code, 2);
  assert.equal(usage.outputs.verdict, 'error');
  const input = await runStep({ POLICY: 'missing.yaml' });
  assert.equal(input.code, 3);
});

test('the action wires its steps: the fail step reads the gate outputs, SARIF goes to upload-sarif', async () => {
  const action = parse(await readFile(join(REPO_ROOT, 'action.yml'), 'utf8')) as Action;
  const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
  assert.equal(upload?.with?.sarif_file, ['${{', 'inputs.sarif-file', '}}'].join(' ')); // GitHub expression, not a JS template
  const last = action.runs.steps.at(-1);
  assert.match(last?.if ?? '', /steps\.gate\.outputs\.verdict == 'fail'/);
  for (const name of [
    'target',
    'policy',
    'vex',
    'severity',
    'fail-on',
    'ignore-unfixed',
    'ignorefile',
    'exit-code',
    'sarif-file',
    'summary',
  ]) {
    assert.ok(action.inputs[name], `input ${name}`);
  }
});

/** Texts of the shell scripts in a CI file: YAML `run`/`script` values, Jenkinsfile `sh` strings. */
function shellScripts(file: string, text: string): string[] {
  if (file.endsWith('.yml')) {
    const out: string[] = [];
    const walk = (node: unknown, key?: string): void => {
      if (typeof node === 'string') {
        if (key !== undefined && SCRIPT_KEYS.has(key)) out.push(node);
      } else if (Array.isArray(node)) {
        for (const item of node) walk(item, key);
      } else if (typeof node === 'object' && node !== null) {
        for (const [k, v] of Object.entries(node)) walk(v, k);
      }
    };
    walk(parse(text));
    return out;
  }
  // Groovy: sh '…', sh "…", and the ''' … ''' scripts of sh(script: …).
  return [...text.matchAll(/'''([\s\S]*?)'''|\bsh\s+'([^']*)'|\bsh\s+"([^"]*)"/g)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? '',
  );
}
const SCRIPT_KEYS = new Set(['run', 'script', 'before_script', 'after_script']);

/**
 * Splits shell text into simple commands, each a list of words: quotes and
 * backslash-newline handled, `#` comments dropped, and `&&`, `||`, `;`, `|`
 * and newlines end a command. Enough for CI examples, not a full shell.
 */
function shellCommands(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  const endWord = (): void => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i] ?? '';
    if (c === '\\' && script[i + 1] === '\n') {
      i++;
      endWord();
    } else if (c === '\\') {
      word = (word ?? '') + (script[i + 1] ?? '');
      i++;
    } else if (c === "'" || c === '"') {
      const close = script.indexOf(c, i + 1);
      assert.ok(close > i, `unterminated ${c} in ${JSON.stringify(script)}`);
      word = (word ?? '') + script.slice(i + 1, close);
      i = close;
    } else if (c === '#' && word === undefined) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
    } else if (c === '\n' || c === ';' || c === '|' || (c === '&' && script[i + 1] === '&')) {
      if (c !== '\n' && script[i + 1] === c) i++;
      endCommand();
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else {
      word = (word ?? '') + c;
    }
  }
  endCommand();
  return commands;
}

/** The subcommand named by the words after `customs`, and the words left for it. */
function resolveCommand(program: Command, args: readonly string[]): { cmd: Command; rest: readonly string[] } {
  let cmd = program;
  let i = 0;
  for (;;) {
    const sub = cmd.commands.find((c) => c.name() === args[i]);
    if (sub === undefined) break;
    cmd = sub;
    i++;
  }
  return { cmd, rest: args.slice(i) };
}

/** The option names a command accepts, as commander declares them (plus the help flags it adds). */
function optionNames(cmd: Command): Set<string> {
  const names = new Set(['-h', '--help']);
  for (const o of cmd.options) {
    if (o.long) names.add(o.long);
    if (o.short) names.add(o.short);
  }
  return names;
}

/** The option words of an argument list: `--name`, `--name=value` (as `--name`) and `-x`. */
function optionWords(args: readonly string[]): string[] {
  return args
    .filter((a) => /^-[A-Za-z]|^--[a-z]/.test(a))
    .map((a) => (a.startsWith('--') ? (a.split('=')[0] ?? a) : a.slice(0, 2)));
}

test('shell words and option words are read as a shell reads them (the parser of the next test)', () => {
  assert.deepEqual(
    shellCommands('npm i -g customs && customs db update -q # refresh\ncustoms gate "a b" \\\n  --policy p.yaml'),
    [
      ['npm', 'i', '-g', 'customs'],
      ['customs', 'db', 'update', '-q'],
      ['customs', 'gate', 'a b', '--policy', 'p.yaml'],
    ],
  );
  assert.deepEqual(optionWords(['x', '--policy=p', '-o', 'sarif=-x', '--ignore', '-qf']), [
    '--policy',
    '-o',
    '--ignore',
    '-q',
  ]);
});

test('docs/ci examples parse and use only options their customs commands declare', async () => {
  const program = buildProgram(new AbortController().signal);
  const gate = program.commands.find((c) => c.name() === 'gate');
  assert.ok(gate && optionNames(gate).has('--policy') && !optionNames(gate).has('--ignore'));
  for (const file of ['github-actions.yml', 'gitlab-ci.yml', 'Jenkinsfile']) {
    const text = await readFile(join(REPO_ROOT, 'docs', 'ci', file), 'utf8');
    const runs = shellScripts(file, text)
      .flatMap(shellCommands)
      .filter((words) => words[0] === 'customs');
    assert.ok(runs.length > 0, `${file} runs customs`);
    const unknown: string[] = [];
    for (const words of runs) {
      const { cmd, rest } = resolveCommand(program, words.slice(1));
      assert.notEqual(cmd, program, `${file}: "${words.join(' ')}" names no customs command`);
      const known = optionNames(cmd);
      for (const f of optionWords(rest)) if (!known.has(f)) unknown.push(`customs ${cmd.name()} ${f}`);
    }
    assert.deepEqual(unknown, [], `${file} uses options its commands do not have`);
  }
  // The workflow example passes inputs to this repository's action: each must be one it declares.
  const action = parse(await readFile(join(REPO_ROOT, 'action.yml'), 'utf8')) as Action;
  const workflow = parse(await readFile(join(REPO_ROOT, 'docs', 'ci', 'github-actions.yml'), 'utf8')) as {
    jobs: Record<string, { steps: Step[] }>;
  };
  const uses = Object.values(workflow.jobs)
    .flatMap((j) => j.steps)
    .filter((s) => s.uses?.startsWith('org/customs@'));
  assert.ok(uses.length > 0, 'github-actions.yml uses the action');
  for (const step of uses) {
    for (const input of Object.keys(step.with ?? {})) assert.ok(action.inputs[input], `action input ${input}`);
  }
});
