/**
 * A loaded policy: every file validated and merged (load-policies.ts). This is
 * what evaluatePolicy reads; the file format is in schema.ts.
 */
import type { ExceptionSpec, RuleSpec, UnknownAction } from './schema.js';

/** One rule after merging, with the file it came from. */
export interface PolicyRule {
  readonly spec: RuleSpec;
  readonly source: string;
}

export interface PolicyException {
  /** The exception's id, or "<file>#exceptions[i]" when it has none. */
  readonly id: string;
  readonly spec: ExceptionSpec;
  /** The first instant the exception no longer applies (date-only expiries: the next UTC midnight). */
  readonly expiresAt: Date;
  readonly source: string;
}

export interface Policy {
  /** Policy files in merge order. */
  readonly files: readonly string[];
  /** Rules in merge order (a replaced rule keeps its first position). */
  readonly rules: readonly PolicyRule[];
  readonly exceptions: readonly PolicyException[];
  /** `unknowns.packageDatabases` of the last file that sets it, and that file. */
  readonly packageDatabaseUnknowns?: { readonly action: UnknownAction; readonly source: string };
}
