import { type CelInput, isCelError, isCelList, isCelMap, parse, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { Hit, RuleContext } from '../input.js';
import { celModel, toCelInput } from './cel-model.js';

const MAX_EXPRESSION = 16 * 1024;

/** A syntax problem in a CEL expression, or undefined (checked when the policy loads). */
export function celProblem(expr: string): string | undefined {
  if (expr.length > MAX_EXPRESSION) return `expression longer than ${MAX_EXPRESSION.toString()} characters`;
  try {
    parse(expr);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function celHit(ruleId: string, id: string, summary: string): Hit {
  return { ref: { kind: 'cel', id: `${ruleId}:${id}`, summary }, advisories: [ruleId], packages: [], paths: [] };
}

/** A list element: a string, or a map with id / summary (or message) / path / package / advisory. */
function elementHit(ruleId: string, el: unknown, i: number): Hit {
  if (typeof el === 'string') return celHit(ruleId, el, el);
  if (isCelMap(el)) {
    const s = (k: string): string | undefined => {
      const v = el.get(k);
      return typeof v === 'string' ? v : typeof v === 'bigint' || typeof v === 'number' ? String(v) : undefined;
    };
    const id = s('id') ?? s('name') ?? String(i);
    const base = celHit(ruleId, id, s('summary') ?? s('message') ?? id);
    const pkg = s('purl') !== undefined || s('package') !== undefined;
    return {
      ...base,
      advisories: [
        ruleId,
        ...[s('advisory'), s('id'), s('checkId'), s('ruleId')].filter((x): x is string => x !== undefined),
      ],
      packages: pkg
        ? [{ name: s('package') ?? s('name') ?? '', version: s('version') ?? '', purl: s('purl') ?? '' }]
        : [],
      paths: s('path') !== undefined ? [s('path') ?? ''] : [],
    };
  }
  return celHit(ruleId, String(i), String(el));
}

/**
 * Evaluates a CEL rule over the scan model: true (or a non-empty list) is a
 * violation. An evaluation error is a violation too (fail closed): a rule
 * that cannot be decided must not let the image through silently.
 */
export function celHits(ruleId: string, message: string, expr: string, ctx: RuleContext): Hit[] {
  const vars = toCelInput(celModel(ctx)) as Map<string, CelInput>;
  const r = run(expr, Object.fromEntries(vars), { funcs: strings });
  if (isCelError(r)) return [celHit(ruleId, 'error', `CEL rule could not be evaluated: ${r.message}`)];
  if (typeof r === 'boolean') return r ? [celHit(ruleId, 'true', message)] : [];
  if (isCelList(r)) return [...r].map((el, i) => elementHit(ruleId, el, i));
  return [celHit(ruleId, 'error', `CEL rule returned ${typeof r}, not a bool or a list`)];
}
