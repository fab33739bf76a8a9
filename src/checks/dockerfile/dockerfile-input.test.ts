import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { CustomsError, ERROR_CODES, EXIT } from '../../core/index.js';
import { checkDockerfile } from './check-dockerfile.js';
import { DOCKERFILE_INSTRUCTIONS } from './parse-dockerfile.js';

/** The input error checkDockerfile throws for `text`, or a failure naming what it returned instead. */
function inputError(text: string, path = 'app/Dockerfile'): CustomsError {
  try {
    const found = checkDockerfile(text, path);
    assert.fail(`expected an input error, got ${found.length} findings for ${JSON.stringify(text)}`);
  } catch (e) {
    if (!(e instanceof CustomsError)) throw e;
    assert.equal(e.code, 'CONFIG_INPUT_INVALID');
    assert.equal(e.exitStatus, EXIT.input);
    assert.ok(e.message.startsWith(`${path}: `), e.message);
    return e;
  }
}

test('CONFIG_INPUT_INVALID is an input error (exit 3)', () => {
  assert.equal(ERROR_CODES.CONFIG_INPUT_INVALID.exit, 3);
});

test('an unknown instruction names the line, the word and the instructions expected', () => {
  const e = inputError('FROM debian:12\n# comment\nRUNN apt-get update\nUSER app\n');
  assert.match(e.message, /Dockerfile line 3: unknown instruction RUNN \(expected one of ADD, ARG, CMD, /);
  for (const k of DOCKERFILE_INSTRUCTIONS) assert.ok(e.message.includes(k), k);
  // Inside ONBUILD too.
  assert.match(inputError('FROM a:1\nONBUILD RUNN x\n').message, /line 2: unknown instruction in ONBUILD RUNN/);
  // Lower-case instructions are valid Dockerfile syntax.
  assert.doesNotThrow(() => checkDockerfile('from debian:12\nrun echo hi\nuser app\n', 'D'));
});

test('FROM with no image, instructions before FROM, and no FROM at all are input errors', () => {
  assert.match(inputError('FROM\nRUN echo\n').message, /line 1: FROM names no image/);
  assert.match(inputError('FROM --platform=linux/amd64\n').message, /line 1: FROM names no image/);
  assert.match(
    inputError('# syntax=docker/dockerfile:1\nRUN echo\nFROM a:1\n').message,
    /line 2: RUN before the first FROM/,
  );
  assert.match(inputError('\n\n# only comments\n').message, /no FROM instruction/);
  // ARGs before FROM are valid.
  assert.doesNotThrow(() => checkDockerfile('ARG V=1\nFROM alpine:${V}\nUSER app\n', 'D'));
});

test('a YAML or JSON file given as a Dockerfile is an input error that says what it looks like', () => {
  const manifest = stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  });
  const e = inputError(manifest, 'deploy.yaml');
  assert.match(e.message, /^deploy\.yaml: .*Dockerfile line 1: unknown instruction apiVersion: /);
  assert.match(e.message, /looks like YAML or JSON/);
  assert.match(inputError(JSON.stringify({ a: 1 }, null, 2)).message, /line 1: unknown instruction \{/);
});

test('many problems: the first five are listed and the rest counted', () => {
  const text = `FROM a:1\n${Array.from({ length: 8 }, (_, i) => `BOGUS${i} x`).join('\n')}\n`;
  const e = inputError(text);
  assert.match(e.message, /BOGUS4/);
  assert.doesNotMatch(e.message, /BOGUS5/);
  assert.match(e.message, /and 3 more$/);
});

test('heredoc bodies and parser directives are not read as instructions', () => {
  const text = [
    '# syntax=docker/dockerfile:1',
    '# escape=\\',
    'FROM debian:12',
    'RUN <<EOF',
    'set -e',
    'echo not-an-instruction',
    'EOF',
    'COPY <<-CONF /etc/app.conf',
    '  key = value',
    '  CONF',
    'USER app',
  ].join('\n');
  assert.doesNotThrow(() => checkDockerfile(text, 'D'));
});
