/**
 * Alerts (a rule fired on a container) and their sources: the sensor's own
 * kernel events, and Falco's JSON output (json_output: true; fields documented
 * at https://falco.org/docs/concepts/outputs/formatting/ : time, rule, priority,
 * output, source, tags, hostname, output_fields with container.id, proc.cmdline …).
 */
import type { RatedSeverity } from '../core/index.js';
import type { KernelEvent } from './events.js';
import type { ContainerRef, RuntimeRule } from './rules.js';

export const ALERT_SOURCES = ['kernel', 'falco'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export interface RuntimeAlert {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: RatedSeverity;
  readonly title: string;
  readonly detail: string;
  /** ISO time. */
  readonly time: string;
  readonly host: string;
  readonly source: AlertSource;
  readonly container?: ContainerRef;
  readonly event?: KernelEvent;
  /** The Falco alert as read (rule, priority, output, output_fields). */
  readonly falco?: Readonly<Record<string, unknown>>;
}

export function kernelAlert(
  rule: RuntimeRule,
  detail: string,
  e: KernelEvent,
  container: ContainerRef,
  host: string,
  at: Date,
): RuntimeAlert {
  return {
    ruleId: rule.id,
    ruleName: rule.name,
    severity: rule.severity,
    title: rule.title,
    detail,
    time: at.toISOString(),
    host,
    source: 'kernel',
    container,
    event: e,
  };
}

/** Falco priorities (syslog levels) on the project's severity scale. */
const FALCO_PRIORITY: Readonly<Record<string, RatedSeverity>> = {
  emergency: 'critical',
  alert: 'critical',
  critical: 'critical',
  error: 'high',
  warning: 'medium',
  notice: 'low',
  informational: 'low',
  info: 'low',
  debug: 'low',
};

export interface FalcoParse {
  readonly alert?: RuntimeAlert;
  /** Why a line was not an alert (bad JSON, no rule). */
  readonly error?: string;
  /** Falco's container.id (12 hex characters, or "host"), to attribute. */
  readonly containerId?: string;
}

/** One line of Falco's JSON output. The container is attached later by ID prefix. */
export function parseFalcoLine(line: string, fallbackHost: string, now: Date): FalcoParse {
  const text = line.trim();
  if (text === '') return {};
  let j: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'not a JSON object' };
    j = v as Record<string, unknown>;
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  const rule = typeof j.rule === 'string' ? j.rule : undefined;
  if (!rule) return { error: 'no "rule" field: not a Falco alert' };
  const priority = typeof j.priority === 'string' ? j.priority.toLowerCase() : 'warning';
  const fields =
    typeof j.output_fields === 'object' && j.output_fields !== null ? (j.output_fields as Record<string, unknown>) : {};
  const time = typeof j.time === 'string' && !Number.isNaN(Date.parse(j.time)) ? new Date(Date.parse(j.time)) : now;
  const containerId = typeof fields['container.id'] === 'string' ? fields['container.id'] : undefined;
  const slug = rule
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return {
    ...(containerId ? { containerId } : {}),
    alert: {
      ruleId: `falco:${slug}`,
      ruleName: rule,
      severity: FALCO_PRIORITY[priority] ?? 'medium',
      title: rule,
      detail: typeof j.output === 'string' ? j.output : rule,
      time: time.toISOString(),
      host: typeof j.hostname === 'string' ? j.hostname : fallbackHost,
      source: 'falco',
      falco: {
        rule,
        priority: j.priority,
        ...(typeof j.output === 'string' ? { output: j.output } : {}),
        ...(typeof j.source === 'string' ? { source: j.source } : {}),
        ...(Array.isArray(j.tags) ? { tags: j.tags } : {}),
        output_fields: fields,
      },
    },
  };
}
