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
import { parse } from 'yaml';
import { writeOciLayout } from '../../src/image/test-fixtures.js';
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

test('docs/ci examples parse and use only flags customs gate has', async () => {
  const help = await runCustoms(['gate', '--help']);
  assert.equal(help.code, 0);
  for (const file of ['github-actions.yml', 'gitlab-ci.yml', 'Jenkinsfile']) {
    const text = await readFile(join(REPO_ROOT, 'docs', 'ci', file), 'utf8');
    if (file.endsWith('.yml')) parse(text);
    const flags = [...text.matchAll(/customs gate[^\n]*(?:\n\s+-[^\n]*|\n\s+--[^\n]*)*/g)].flatMap((m) =>
      [...m[0].matchAll(/\s(--?[a-z][a-z-]*)/g)].map((f) => f[1] ?? ''),
    );
    assert.ok(flags.length > 0, `${file} runs customs gate`);
    for (const f of flags) assert.ok(help.stdout.includes(f), `${file}: ${f} is a flag of customs gate`);
  }
});
