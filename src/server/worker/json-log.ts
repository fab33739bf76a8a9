/**
 * Structured logs for a stand-alone worker: one JSON object per line (pino's
 * shape: level, time, msg, then the fields), to stderr by default.
 */
import type { ServerLog } from '../context.js';

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export function jsonLog(
  write: (line: string) => void = (l) => process.stderr.write(l),
  fields: Readonly<Record<string, unknown>> = {},
  minLevel: keyof typeof LEVELS = 'info',
): ServerLog {
  const at =
    (level: keyof typeof LEVELS) =>
    (obj: object, msg?: string): void => {
      if (LEVELS[level] < LEVELS[minLevel]) return;
      write(
        `${JSON.stringify({ level, time: new Date().toISOString(), ...fields, ...(msg !== undefined ? { msg } : {}), ...obj })}\n`,
      );
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
