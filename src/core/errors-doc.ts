import { ERROR_CODES, EXIT } from './errors.js';

/** docs/errors.md, generated from the error table so the two cannot disagree. */
export function renderErrorsDoc(): string {
  const exitNames = Object.fromEntries(Object.entries(EXIT).map(([k, v]) => [v, k]));
  const lines = [
    '# Error codes',
    '',
    '<!-- generated from src/core/errors.ts by `UPDATE_GOLDEN=1 node --test dist/core/errors-doc.test.js`; do not edit -->',
    '',
    'Every failure customs reports carries one of these codes, printed after the',
    'message (`customs: … hint: … [CODE]`) and returned by the API with the HTTP status.',
    '',
    '| exit | meaning |',
    '|---|---|',
    '| 0 | ok |',
    '| 1 | a policy gate failed (the verdict, not an error) |',
    '| 2 | usage error: a wrong flag or argument |',
    '| 3 | input error: a bad image, SBOM or file; an unreachable registry; a digest mismatch |',
    '| 4 | internal error: a bug in customs |',
    '',
    '| code | exit | HTTP | what to do |',
    '|---|---|---|---|',
  ];
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    lines.push(
      `| \`${code}\` | ${info.exit} (${exitNames[info.exit]}) | ${info.http} | ${info.hint.replace(/\|/g, '\\|')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
