import { useEffect, useRef, useState } from 'preact/hooks';
import { type ImageSummary, get } from '../api';
import { navigate } from '../router';
import { Counts, ErrorBox, imageHref, shortDigest, tagName, Verdict } from '../ui';

interface Result extends ImageSummary {
  packages?: string[];
  fixedVersions?: string[];
  severity?: string;
}
interface Answer {
  query: string;
  kind: string;
  items: Result[];
}

const KIND_LABEL: Record<string, string> = {
  vulnerability: 'Images with this vulnerability open',
  digest: 'The image with this digest',
  purl: 'Images holding this package',
  reference: 'Images of this repository',
  name: 'Images of this repository or holding this package',
};

/**
 * One box: each keystroke asks the server (the previous question is aborted),
 * and the query string follows the box so the URL can be shared.
 */
export function SearchPage({ q }: { q: string }) {
  const [text, setText] = useState(q);
  const [answer, setAnswer] = useState<Answer | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const inflight = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    inflight.current?.abort();
    const query = text.trim();
    if (query === '') {
      setAnswer(undefined);
      return;
    }
    const abort = new AbortController();
    inflight.current = abort;
    get<Answer>(`/api/v1/search?q=${encodeURIComponent(query)}&limit=50`, abort.signal).then(
      (a) => {
        if (!abort.signal.aborted) {
          setAnswer(a);
          setError(undefined);
        }
      },
      (e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e : new Error(String(e)));
      },
    );
    return () => abort.abort();
  }, [text]);

  return (
    <main id="main">
      <h1>Search</h1>
      <form
        aria-label="Search the inventory"
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <label for="q">CVE or GHSA ID, package name or purl, image reference or digest, repository</label>
        <input
          id="q"
          type="search"
          value={text}
          autofocus
          autocomplete="off"
          spellcheck={false}
          placeholder="CVE-2024-3094, openssl, pkg:npm/lodash@4.17.15, registry/app:1.2, sha256:…"
          onInput={(e) => {
            const v = (e.currentTarget as HTMLInputElement).value;
            setText(v);
            navigate(v.trim() === '' ? '/search' : `/search?q=${encodeURIComponent(v.trim())}`, true);
          }}
        />
      </form>
      {error ? <ErrorBox error={error} /> : null}
      {answer && answer.query === text.trim() ? <Results answer={answer} /> : null}
    </main>
  );
}

function Results({ answer }: { answer: Answer }) {
  return (
    <section aria-live="polite" id="results" data-query={answer.query}>
      <h2>
        {KIND_LABEL[answer.kind] ?? 'Results'}: {answer.items.length}
        {answer.items.length === 50 ? '+' : ''}
      </h2>
      {answer.items.length === 0 ? <p class="muted">Nothing stored matches “{answer.query}”.</p> : null}
      <ul class="results">
        {answer.items.map((r) => (
          <li key={r.id} class="result">
            <div class="result-head">
              <a href={imageHref(r.digest)} class="mono">
                {r.tags[0] ? tagName(r.tags[0]) : shortDigest(r.digest)}
              </a>
              <Verdict status={r.verdict} />
            </div>
            <div class="mono small muted break">{r.digest}</div>
            {r.tags.length > 0 ? (
              <div class="small break">
                Tags:{' '}
                {r.tags
                  .slice(0, 8)
                  .map((t) => `${t.repository}:${t.tag}`)
                  .join(', ')}
                {r.tags.length > 8 ? ` and ${r.tags.length - 8} more` : ''} · Registry:{' '}
                {[...new Set(r.tags.map((t) => t.registry))].join(', ')}
              </div>
            ) : null}
            {r.packages && r.packages.length > 0 ? <div class="small mono break">{r.packages.join(', ')}</div> : null}
            {r.fixedVersions ? (
              <div class="small">
                Fixed in:{' '}
                {r.fixedVersions.length > 0 ? r.fixedVersions.join(', ') : <span class="muted">no fix yet</span>}
              </div>
            ) : null}
            <Counts counts={r.openFindings} />
          </li>
        ))}
      </ul>
    </section>
  );
}
