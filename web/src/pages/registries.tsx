import { useState } from 'preact/hooks';
import { api, get, type Page, type Role, can } from '../api';
import { ErrorBox, Show, time, useLoad } from '../ui';

interface Registry {
  id: number;
  name: string;
  url: string;
  hasCredentials: boolean;
  selection: { include: string[]; exclude: string[] };
  updatedAt: number;
  discovery?: {
    at: number;
    repositories: number;
    tags: number;
    digests: number;
    queued: number;
    errors: string[];
    error?: string;
  };
  lastPush?: { at: number; repository: string; tag?: string; digest?: string };
}
interface Repository {
  id: number;
  registryId: number;
  registry: string;
  name: string;
  tagCount: number;
  createdAt: number;
}

export function RegistriesPage({ role }: { role: Role }) {
  const [data, reload] = useLoad(async (signal) => {
    const [registries, repositories] = await Promise.all([
      get<{ items: Registry[] }>('/api/v1/registries', signal),
      get<Page<Repository>>('/api/v1/repositories?limit=200', signal),
    ]);
    return { registries: registries.items, repositories: repositories.items };
  }, []);
  const admin = can(role, 'admin');
  return (
    <main id="main">
      <h1>Registries</h1>
      <Show data={data}>
        {(d) => (
          <>
            {d.registries.length === 0 ? <p class="muted">No registries yet.</p> : null}
            <ul class="cards">
              {d.registries.map((r) => (
                <RegistryCard
                  key={r.id}
                  r={r}
                  admin={admin}
                  repositories={d.repositories.filter((x) => x.registryId === r.id)}
                  onChange={reload}
                />
              ))}
            </ul>
            {admin ? <RegistryForm onDone={reload} /> : null}
          </>
        )}
      </Show>
    </main>
  );
}

function RegistryCard(props: { r: Registry; admin: boolean; repositories: Repository[]; onChange: () => void }) {
  const { r } = props;
  const [editing, setEditing] = useState(false);
  return (
    <li class="card">
      <h2>{r.name}</h2>
      <p class="mono small break">{r.url}</p>
      <p class="small">
        Credentials: {r.hasCredentials ? 'stored (write-only)' : 'none'} · Selection:{' '}
        {r.selection.include.join(', ') || 'all'}
        {r.selection.exclude.length > 0 ? ` except ${r.selection.exclude.join(', ')}` : ''} · Changed{' '}
        {time(r.updatedAt)}
      </p>
      <RegistryStatus r={r} />
      <details>
        <summary>Repositories ({props.repositories.length})</summary>
        <ul class="plain small">
          {props.repositories.map((x) => (
            <li key={x.id}>
              <a href={`/search?q=${encodeURIComponent(x.name)}`}>{x.name}</a> — {x.tagCount} tags
            </li>
          ))}
        </ul>
      </details>
      {props.admin ? (
        editing ? (
          <RegistryForm
            existing={r}
            onDone={() => {
              setEditing(false);
              props.onChange();
            }}
          />
        ) : (
          <button type="button" onClick={() => setEditing(true)}>
            Edit {r.name}
          </button>
        )
      ) : null}
    </li>
  );
}

/** The last discovery run (what it found, or why it failed) and the last push notification received. */
function RegistryStatus({ r }: { r: Registry }) {
  const d = r.discovery;
  const p = r.lastPush;
  return (
    <dl class="status small">
      <dt>Discovery</dt>
      <dd>
        {!d ? (
          <span class="muted">never run</span>
        ) : d.error !== undefined ? (
          <>
            <span class="bad">failed</span> {time(d.at)}: <span class="break">{d.error}</span>
          </>
        ) : (
          <>
            <span class="ok">ok</span> {time(d.at)}: {d.repositories} repositories, {d.tags} tags, {d.digests} images,{' '}
            {d.queued} scans queued
            {d.errors.length > 0 ? (
              <>
                {'; '}
                <span class="bad">
                  {d.errors.length} tag{d.errors.length === 1 ? '' : 's'} failed
                </span>
                <ul class="plain break">
                  {d.errors.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </>
        )}
      </dd>
      <dt>Last push</dt>
      <dd>
        {!p ? (
          <span class="muted">none received</span>
        ) : (
          <>
            <span class="mono break">
              {p.repository}
              {p.tag !== undefined ? `:${p.tag}` : p.digest !== undefined ? `@${p.digest.slice(0, 19)}` : ''}
            </span>{' '}
            {time(p.at)}
          </>
        )}
      </dd>
    </dl>
  );
}

/** Add or edit a registry. Credentials are write-only: the form never shows stored ones, only replaces them. */
function RegistryForm(props: { existing?: Registry; onDone: () => void }) {
  const [error, setError] = useState<Error | undefined>();
  const e0 = props.existing;
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const username = String(f.get('username') ?? '');
    const password = String(f.get('password') ?? '');
    const include = String(f.get('include') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const body: Record<string, unknown> = {
      url: String(f.get('url') ?? ''),
      selection: { include, exclude: e0?.selection.exclude ?? [] },
      ...(username !== '' && password !== '' ? { credentials: { username, password } } : {}),
    };
    try {
      if (e0) await api('PATCH', `/api/v1/registries/${e0.id}`, body);
      else await api('POST', '/api/v1/registries', { name: String(f.get('name') ?? ''), ...body });
      form.reset();
      setError(undefined);
      props.onDone();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  const idp = e0 ? `edit-${e0.id}` : 'add';
  return (
    <form class="stack card" onSubmit={submit} aria-label={e0 ? `Edit registry ${e0.name}` : 'Add a registry'}>
      <h2>{e0 ? `Edit ${e0.name}` : 'Add a registry'}</h2>
      {e0 ? null : (
        <label for={`${idp}-name`}>
          Name
          <input id={`${idp}-name`} name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" maxLength={200} />
        </label>
      )}
      <label for={`${idp}-url`}>
        URL
        <input
          id={`${idp}-url`}
          name="url"
          type="url"
          required
          value={e0?.url ?? ''}
          placeholder="https://registry.example"
        />
      </label>
      <label for={`${idp}-include`}>
        Repositories to include (comma-separated globs; empty: all)
        <input id={`${idp}-include`} name="include" value={e0?.selection.include.join(', ') ?? ''} />
      </label>
      <fieldset>
        <legend>Credentials {e0?.hasCredentials ? '(stored; fill both to replace)' : '(optional)'}</legend>
        <label for={`${idp}-user`}>
          User name
          <input id={`${idp}-user`} name="username" autocomplete="off" />
        </label>
        <label for={`${idp}-password`}>
          Password or token
          <input id={`${idp}-password`} name="password" type="password" autocomplete="new-password" />
        </label>
      </fieldset>
      <button type="submit" class="primary">
        {e0 ? 'Save' : 'Add registry'}
      </button>
      {error ? <ErrorBox error={error} /> : null}
    </form>
  );
}
