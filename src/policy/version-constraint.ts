/**
 * Version constraints in policies: comparisons joined by "," (all must hold)
 * and "||" (any group may hold), e.g. ">= 1.0, < 2.0 || = 2.5.1". Versions
 * are compared with the package ecosystem's own scheme (src/version), so
 * "3.0.11-1~deb12u2" < "3.0.13" follows deb-version(7), not string order.
 */
import type { VersionScheme } from '../version/index.js';

export const CONSTRAINT_OPS = ['>=', '<=', '!=', '>', '<', '='] as const;
export type ConstraintOp = (typeof CONSTRAINT_OPS)[number];

export interface Comparison {
  readonly op: ConstraintOp;
  readonly version: string;
}

/** OR of AND groups. */
export type Constraint = readonly (readonly Comparison[])[];

/** The constraint, or a message saying what is wrong with it. */
export function parseConstraint(text: string): Constraint | string {
  const groups: Comparison[][] = [];
  for (const group of text.split('||')) {
    const list: Comparison[] = [];
    for (const part of group.split(',')) {
      const t = part.trim();
      const m = /^(>=|<=|!=|==|>|<|=)?\s*([0-9A-Za-z][^\s,|]*)$/.exec(t);
      if (!m?.[2]) return `"${t}" is not a comparison (use >=, >, <=, <, =, != and a version)`;
      const op = (m[1] === '==' || m[1] === undefined ? '=' : m[1]) as ConstraintOp;
      list.push({ op, version: m[2] });
    }
    groups.push(list);
  }
  return groups;
}

/** True when `version` satisfies the constraint; throws VERSION_INVALID when the scheme cannot order a version. */
export function satisfies(constraint: Constraint, version: string, scheme: VersionScheme): boolean {
  return constraint.some((group) =>
    group.every((c) => {
      const d = scheme.compare(version, c.version);
      switch (c.op) {
        case '>=':
          return d >= 0;
        case '>':
          return d > 0;
        case '<=':
          return d <= 0;
        case '<':
          return d < 0;
        case '=':
          return d === 0;
        case '!=':
          return d !== 0;
      }
      return false;
    }),
  );
}
