/**
 * The customs dashboard (docs/dashboard.md): a Preact app over the public
 * REST API. The session decides the navigation and the controls: a viewer
 * never sees a control its role may not use (the server refuses it anyway).
 */
import { type JSX, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { api, can, get, type Session } from './api';
import { AuditPage } from './pages/audit';
import { EventsPage } from './pages/events';
import { ImagePage } from './pages/image';
import { Login } from './pages/login';
import { OverviewPage } from './pages/overview';
import { PoliciesPage } from './pages/policies';
import { RegistriesPage } from './pages/registries';
import { SearchPage } from './pages/search';
import { navigate, onLinkClick, useLocation } from './router';
import { ErrorBox } from './ui';

const NAV: { path: string; label: string; admin?: boolean }[] = [
  { path: '/', label: 'Overview' },
  { path: '/search', label: 'Search' },
  { path: '/registries', label: 'Registries' },
  { path: '/policies', label: 'Policies' },
  { path: '/events', label: 'Events' },
  { path: '/audit', label: 'Audit log', admin: true },
];

function App() {
  const loc = useLocation();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>();

  useEffect(() => {
    get<{ authenticated: boolean; name?: string; role?: Session['role'] }>('/api/v1/session').then(
      (s) =>
        setSession(
          s.authenticated && s.name !== undefined && s.role !== undefined ? { name: s.name, role: s.role } : null,
        ),
      (e: unknown) => setError(e instanceof Error ? e : new Error(String(e))),
    );
  }, []);

  useEffect(() => {
    const title = NAV.find((n) => n.path === loc.path)?.label ?? (loc.path.startsWith('/images/') ? 'Image' : 'Login');
    document.title = `${title} · customs`;
  }, [loc.path]);

  if (error) return <ErrorBox error={error} />;
  if (session === undefined) return <p class="muted">Loading…</p>;
  if (session === null || loc.path === '/login') {
    if (session !== null && loc.path === '/login') {
      navigate('/', true);
      return null;
    }
    const next = loc.path === '/login' ? (loc.query.get('next') ?? '/') : loc.path + window.location.search;
    return <Login onLogin={setSession} next={next} />;
  }

  const logout = async () => {
    await api('DELETE', '/api/v1/session').catch(() => undefined);
    setSession(null);
    navigate('/login', true);
  };
  const role = session.role;
  const q = (k: string) => loc.query.get(k) ?? '';
  let page: JSX.Element;
  if (loc.path === '/') page = <OverviewPage role={role} />;
  else if (loc.path === '/search') page = <SearchPage q={q('q')} />;
  else if (loc.path.startsWith('/images/'))
    page = <ImagePage key={loc.path} digest={decodeURIComponent(loc.path.slice('/images/'.length))} role={role} />;
  else if (loc.path === '/registries') page = <RegistriesPage role={role} />;
  else if (loc.path === '/policies') page = <PoliciesPage role={role} show={q('show')} />;
  else if (loc.path === '/events')
    page = <EventsPage role={role} type={q('type')} state={q('state')} cursor={q('cursor')} />;
  else if (loc.path === '/audit' && can(role, 'admin')) page = <AuditPage actor={q('actor')} cursor={q('cursor')} />;
  else
    page = (
      <main id="main">
        <h1>Not found</h1>
        <p>
          No such page. <a href="/">Overview</a>
        </p>
      </main>
    );

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: delegates clicks of real links, which keep their keyboard behaviour
    <div class="app" onClick={(e) => onLinkClick(e as unknown as MouseEvent)}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a href="/" class="brand">
          customs
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.admin || can(role, 'admin')).map((n) => (
              <li key={n.path}>
                <a
                  href={n.path}
                  aria-current={
                    loc.path === n.path || (n.path === '/search' && loc.path.startsWith('/images/'))
                      ? 'page'
                      : undefined
                  }
                >
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span title={`role ${role}`}>
            {session.name} ({role})
          </span>
          <button type="button" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      {page}
    </div>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
