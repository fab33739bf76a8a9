import { useState } from 'preact/hooks';
import { api, type Session } from '../api';
import { navigate } from '../router';
import { ErrorBox } from '../ui';

const MODES: readonly (readonly ['password' | 'token', string])[] = [
  ['password', 'User and password'],
  ['token', 'API token'],
];

/** Log in with a user name and password, or with an API token; the server sets an HttpOnly session cookie. */
export function Login(props: { onLogin: (s: Session) => void; next: string }) {
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const onTabKey = (e: KeyboardEvent) => {
    const i = MODES.findIndex(([m]) => m === mode);
    const next =
      e.key === 'ArrowRight' || e.key === 'ArrowDown'
        ? (i + 1) % MODES.length
        : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
          ? (i + MODES.length - 1) % MODES.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? MODES.length - 1
              : undefined;
    const to = next === undefined ? undefined : MODES[next];
    if (!to) return;
    e.preventDefault();
    setMode(to[0]);
    document.getElementById(`tab-${to[0]}`)?.focus();
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const payload =
      mode === 'token'
        ? { token: String(f.get('token') ?? '') }
        : { user: String(f.get('user') ?? ''), password: String(f.get('password') ?? '') };
    setBusy(true);
    try {
      const s = await api<Session>('POST', '/api/v1/session', payload);
      props.onLogin({ name: s.name, role: s.role });
      navigate(props.next.startsWith('/') && !props.next.startsWith('//') ? props.next : '/', true);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="login">
      <h1>customs</h1>
      <p class="muted">Log in to the dashboard.</p>
      {/* WAI-ARIA tabs pattern: one tab in the Tab order, arrow keys (and Home/End) move between them. */}
      <div class="tabs" role="tablist" aria-label="Login method" onKeyDown={onTabKey}>
        {MODES.map(([m, label]) => (
          <button
            key={m}
            type="button"
            role="tab"
            id={`tab-${m}`}
            aria-selected={mode === m}
            tabIndex={mode === m ? 0 : -1}
            onClick={() => setMode(m)}
          >
            {label}
          </button>
        ))}
      </div>
      <form onSubmit={submit} class="stack">
        {mode === 'password' ? (
          <>
            <label>
              User
              <input name="user" autocomplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autocomplete="current-password" required />
            </label>
          </>
        ) : (
          <label>
            API token
            <input name="token" type="password" autocomplete="off" placeholder="cst_…" required />
          </label>
        )}
        <button type="submit" class="primary" disabled={busy}>
          Log in
        </button>
      </form>
      {error ? <ErrorBox error={error} /> : null}
    </main>
  );
}
