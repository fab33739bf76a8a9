/** Small shared pieces: loading and error states, severity badges, times, digests. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type SeverityCounts, type TagRef } from './api';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ok'; value: T };

/** Load `fn` whenever `deps` change; the last answer wins (earlier ones are aborted). */
export function useLoad<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    fn(abort.signal).then(
      (value) => {
        if (!abort.signal.aborted) setState({ state: 'ok', value });
      },
      (error: unknown) => {
        if (!abort.signal.aborted)
          setState({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => abort.abort();
  }, [...deps, tick]);
  return [state, () => setTick((t) => t + 1)];
}

export function Show<T>(props: { data: Loaded<T>; children: (value: T) => ComponentChildren }) {
  const d = props.data;
  if (d.state === 'loading')
    return (
      <p class="muted" aria-busy="true">
        Loading…
      </p>
    );
  if (d.state === 'error') return <ErrorBox error={d.error} />;
  return <>{props.children(d.value)}</>;
}

export function ErrorBox({ error }: { error: Error }) {
  return (
    <div class="error" role="alert">
      <strong>{error instanceof ApiError ? `${error.code}: ` : ''}</strong>
      {error.message}
      {error instanceof ApiError && error.hint ? <div class="muted">{error.hint}</div> : null}
    </div>
  );
}

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;

export function Sev({ level }: { level: string }) {
  return <span class={`sev sev-${SEVERITIES.includes(level as never) ? level : 'unknown'}`}>{level}</span>;
}

export function Counts({ counts }: { counts: SeverityCounts }) {
  const shown = SEVERITIES.filter((s) => counts[s] > 0);
  if (shown.length === 0) return <span class="muted">no open findings</span>;
  return (
    <span class="counts">
      {shown.map((s) => (
        <span key={s} class={`sev sev-${s}`} title={`${counts[s]} ${s}`}>
          {counts[s]} {s}
        </span>
      ))}
    </span>
  );
}

export function Verdict({ status }: { status?: string | undefined }) {
  if (!status) return <span class="muted">no verdict</span>;
  return <span class={`verdict verdict-${status}`}>{status}</span>;
}

export const time = (ms: number | undefined): string =>
  ms === undefined ? '—' : `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;

export const shortDigest = (d: string): string =>
  d.includes(':') ? `${d.slice(0, d.indexOf(':') + 13)}` : d.slice(0, 12);

export const tagName = (t: TagRef): string => `${t.registry}/${t.repository}:${t.tag}`;

export function imageHref(digest: string): string {
  return `/images/${encodeURIComponent(digest)}`;
}

/** A secret's matched text, never shown whole: its first two characters and its length. */
export function redact(text: string): string {
  if (text === '') return '';
  return `${text.slice(0, 2)}${'•'.repeat(8)} (${text.length} chars)`;
}

/** A box that scrolls sideways on narrow screens; focusable so the keyboard can scroll it too (WCAG 2.1.1). */
export function Scroll(props: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section class="scroll" tabIndex={0} aria-label={props.label}>
      {props.children}
    </section>
  );
}
