import { type LogEvent, type LogSink, terminalMessage, terminalText } from '../core/index.js';

export interface RenderOptions {
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly stream: NodeJS.WriteStream;
}

function mb(n: number): string {
  return (n / 1024 / 1024).toFixed(0);
}

/**
 * Renders log events: a progress bar on a TTY (redrawn at most 10×/s),
 * nothing but warnings when not a TTY (CI) or with -q. Labels and messages
 * name layers, files and feeds: they are made safe for the terminal
 * (terminalText, terminalMessage) before they are drawn.
 */
export function renderLog(opts: RenderOptions): LogSink & { finish(): void } {
  const tty = opts.stream.isTTY === true && !opts.quiet;
  const bars = new Map<string, { label: string; total: number; done: number }>();
  let last = 0;
  let drawn = false;

  const clear = (): void => {
    if (drawn) opts.stream.write('\r\x1b[2K');
    drawn = false;
  };
  const draw = (force: boolean): void => {
    if (!tty) return;
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const parts: string[] = [];
    for (const b of bars.values()) {
      const width = bars.size > 1 ? 12 : 24;
      const frac = b.total > 0 ? Math.min(1, b.done / b.total) : 0;
      const fill = Math.round(frac * width);
      parts.push(`${b.label} [${'='.repeat(fill)}${' '.repeat(width - fill)}] ${mb(b.done)}/${mb(b.total)} MB`);
    }
    clear();
    if (parts.length > 0) {
      opts.stream.write(parts.join('  ').slice(0, (opts.stream.columns ?? 80) - 1));
      drawn = true;
    }
  };

  const sink = (e: LogEvent): void => {
    switch (e.kind) {
      case 'progress-start':
        bars.set(e.id, { label: terminalText(e.label), total: e.total, done: 0 });
        draw(true);
        break;
      case 'progress': {
        const b = bars.get(e.id);
        if (b) b.done = e.done;
        draw(false);
        break;
      }
      case 'progress-end':
        bars.delete(e.id);
        clear();
        break;
      case 'warn':
        clear();
        opts.stream.write(`warning: ${terminalMessage(e.message)}\n`);
        break;
      case 'info':
        if (!opts.quiet && (tty || opts.verbose)) {
          clear();
          opts.stream.write(`${terminalMessage(e.message)}\n`);
        }
        break;
      case 'debug':
        if (opts.verbose) {
          clear();
          opts.stream.write(`debug: ${terminalMessage(e.message)}\n`);
        }
        break;
    }
  };
  return Object.assign(sink, { finish: clear });
}
