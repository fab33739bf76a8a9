import { api, get, type Page, type Role, can } from '../api';
import { Scroll, Show, time, useLoad } from '../ui';

interface Policy {
  id: number;
  name: string;
  revision: number;
  body: string;
  updatedBy: string;
  updatedAt: number;
}
interface Exception {
  id: number;
  policy?: string;
  finding: string;
  scope: string;
  owner: string;
  reason: string;
  expiresAt: number;
  createdBy: string;
  approvedBy?: string;
  approvedAt?: number;
  revokedAt?: number;
  active: boolean;
}

interface VexDocument {
  name: string;
  format: string;
  createdBy: string;
  updatedAt: number;
  statements: {
    vulnerabilities: string[];
    products: string[];
    subcomponents: string[];
    status: string;
    justification?: string;
  }[];
}

const SOON_MS = 14 * 86_400_000;

/** Policies, and exceptions grouped by what needs attention: pending, expiring soon, in force, expired, revoked. */
export function PoliciesPage({ role, show }: { role: Role; show: string }) {
  const [data, reload] = useLoad(async (signal) => {
    const [policies, exceptions, vex] = await Promise.all([
      get<{ items: Policy[] }>('/api/v1/policies', signal),
      get<Page<Exception>>('/api/v1/exceptions?limit=500', signal),
      get<{ items: VexDocument[] }>('/api/v1/vex', signal),
    ]);
    return { policies: policies.items, exceptions: exceptions.items, vex: vex.items };
  }, []);
  const admin = can(role, 'admin');
  const act = async (method: string, path: string) => {
    await api(method, path);
    reload();
  };
  return (
    <main id="main">
      <h1>Policies and exceptions</h1>
      <Show data={data}>
        {(d) => {
          const now = Date.now();
          const groups: [string, string, Exception[]][] = [
            [
              'pending',
              'Waiting for approval',
              d.exceptions.filter((e) => !e.approvedAt && !e.revokedAt && e.expiresAt > now),
            ],
            [
              'expiring',
              'Expiring within 14 days',
              d.exceptions.filter((e) => e.active && e.expiresAt - now < SOON_MS),
            ],
            ['active', 'In force', d.exceptions.filter((e) => e.active && e.expiresAt - now >= SOON_MS)],
            ['expired', 'Expired', d.exceptions.filter((e) => !e.revokedAt && e.expiresAt <= now)],
            ['revoked', 'Revoked', d.exceptions.filter((e) => e.revokedAt !== undefined)],
          ];
          const visible = show === '' ? groups : groups.filter(([k]) => k === show);
          return (
            <>
              <section aria-labelledby="pol-h">
                <h2 id="pol-h">Policies ({d.policies.length})</h2>
                {d.policies.length === 0 ? (
                  <p class="muted">No central policy: every image passes the built-in defaults.</p>
                ) : null}
                {d.policies.map((p) => (
                  <details key={p.id}>
                    <summary>
                      <strong>{p.name}</strong> revision {p.revision}, by {p.updatedBy}, {time(p.updatedAt)}
                    </summary>
                    {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
                    <pre class="scroll" tabIndex={0}>
                      {p.body}
                    </pre>
                  </details>
                ))}
              </section>
              <VexStatements docs={d.vex} />
              <nav aria-label="Exception filter" class="small">
                Show:{' '}
                <a href="/policies" aria-current={show === '' ? 'page' : undefined}>
                  all
                </a>
                {groups.map(([k, label, list]) => (
                  <span key={k}>
                    {' · '}
                    <a href={`/policies?show=${k}`} aria-current={show === k ? 'page' : undefined}>
                      {label.toLowerCase()} ({list.length})
                    </a>
                  </span>
                ))}
              </nav>
              {visible.map(([k, label, list]) => (
                <section key={k} aria-labelledby={`ex-${k}`}>
                  <h2 id={`ex-${k}`}>
                    {label} ({list.length})
                  </h2>
                  {list.length === 0 ? <p class="muted">None.</p> : null}
                  <ul class="plain">
                    {list.map((e) => (
                      <li key={e.id} class="exception">
                        <strong>{e.finding}</strong> on <span class="mono small break">{e.scope}</span> — owner{' '}
                        {e.owner}, expires {time(e.expiresAt)}
                        <div class="small">
                          {e.reason} (requested by {e.createdBy}
                          {e.approvedBy ? `, approved by ${e.approvedBy}` : ''})
                        </div>
                        {admin && k === 'pending' ? (
                          <button type="button" onClick={() => act('POST', `/api/v1/exceptions/${e.id}/approve`)}>
                            Approve exception {e.id}
                          </button>
                        ) : null}
                        {admin && (k === 'pending' || k === 'active' || k === 'expiring') ? (
                          <button type="button" onClick={() => act('DELETE', `/api/v1/exceptions/${e.id}`)}>
                            Revoke exception {e.id}
                          </button>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                </section>
              ))}
            </>
          );
        }}
      </Show>
    </main>
  );
}

/**
 * The statements of the stored VEX documents: every verdict applies them (not_affected and
 * fixed take the finding out; affected and under_investigation change nothing).
 */
function VexStatements({ docs }: { docs: VexDocument[] }) {
  const rows = docs.flatMap((doc) => doc.statements.map((st, i) => ({ doc, st, key: `${doc.name}-${i}` })));
  return (
    <section aria-labelledby="vex-h" id="vex">
      <h2 id="vex-h">VEX statements in force ({rows.length})</h2>
      <p class="muted small">
        Every verdict applies them: not_affected and fixed take the finding out; affected and under_investigation change
        nothing.
      </p>
      {rows.length === 0 ? (
        <p class="muted">No VEX documents stored (PUT /api/v1/vex/NAME).</p>
      ) : (
        <Scroll label="VEX statements">
          <table>
            <thead>
              <tr>
                <th scope="col">Vulnerability</th>
                <th scope="col">Product</th>
                <th scope="col">Status</th>
                <th scope="col">Justification</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ doc, st, key }) => (
                <tr key={key}>
                  <td>{st.vulnerabilities.join(', ')}</td>
                  <td class="mono small break">
                    {st.products.join(', ')}
                    {st.subcomponents.length > 0 ? ` (${st.subcomponents.join(', ')})` : ''}
                  </td>
                  <td>
                    <span class={st.status === 'not_affected' || st.status === 'fixed' ? 'ok' : ''}>{st.status}</span>
                  </td>
                  <td>{st.justification ?? '—'}</td>
                  <td class="small">
                    {doc.name} ({doc.format === 'openvex' ? 'OpenVEX' : 'CycloneDX'}), stored by {doc.createdBy}{' '}
                    {time(doc.updatedAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </section>
  );
}
