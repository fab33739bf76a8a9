import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseImageLine } from './check-dockerfile.js';

test('the base image line is the final stage FROM, multi-stage aware', () => {
  const text = [
    '# build',
    'FROM golang:1.22 AS build',
    'RUN go build ./...',
    '',
    'FROM debian:12-slim',
    'COPY --from=build /app /app',
  ].join('\n');
  assert.equal(baseImageLine(text, 'Dockerfile'), 5);
  assert.equal(baseImageLine('ARG V=1\nFROM alpine:${V}\n', 'Dockerfile'), 2);
  assert.equal(baseImageLine('# no instructions\n', 'Dockerfile'), undefined);
});
