import { get, type Page, withQuery } from '../api';
import { navigate } from '../router';
import { Show, time, useLoad, Scroll } from '../ui';

interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  source: string;
}

/** The audit log (admin): who changed what, from where; filter by actor in the query string. */
export function AuditPage({ actor, cursor }: { actor: string; cursor: string }) {
  const [data] = useLoad(
    (signal) => get<Page<AuditEntry>>(withQuery('/api/v1/audit', { actor, cursor, limit: 200 }), signal),
    [actor, cursor],
  );
  return (
    <main id="main">
      <h1>Audit log</h1>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(
            withQuery('/audit', { actor: String(new FormData(e.currentTarget as HTMLFormElement).get('actor') ?? '') }),
          );
        }}
      >
        <label>
          Actor
          <input name="actor" value={actor} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <Show data={data}>
        {(d) => (
          <>
            <Scroll label="Audit log table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Target</th>
                    <th scope="col">From</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((a) => (
                    <tr key={a.id}>
                      <td class="small">{time(a.at)}</td>
                      <td>
                        <a href={withQuery('/audit', { actor: a.actor })}>{a.actor}</a>
                      </td>
                      <td class="mono small">{a.action}</td>
                      <td class="mono small break">{a.target}</td>
                      <td class="small break">{a.source}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
            {d.nextCursor ? <a href={withQuery('/audit', { actor, cursor: d.nextCursor })}>Next entries</a> : null}
          </>
        )}
      </Show>
    </main>
  );
}
