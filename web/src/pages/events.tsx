import { api, get, type Page, type Role, can, withQuery } from '../api';
import { navigate } from '../router';
import { Show, time, useLoad, Scroll } from '../ui';

interface EventRecord {
  id: number;
  type: string;
  subject: string;
  data: unknown;
  createdAt: number;
}
interface Delivery {
  id: number;
  webhookId: number;
  eventType: string;
  subject: string;
  state: string;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  updatedAt: number;
}

const STATES = ['', 'pending', 'sending', 'delivered', 'dead'];

/** The event stream (filter by type in the query string) and, for admins, webhook deliveries with retry. */
export function EventsPage({ role, type, state, cursor }: { role: Role; type: string; state: string; cursor: string }) {
  const admin = can(role, 'admin');
  const [data, reload] = useLoad(
    async (signal) => {
      const [events, deliveries] = await Promise.all([
        get<Page<EventRecord>>(withQuery('/api/v1/events', { type, cursor, limit: 100 }), signal),
        admin ? get<Page<Delivery>>(withQuery('/api/v1/deliveries', { state, limit: 100 }), signal) : undefined,
      ]);
      return { events, deliveries };
    },
    [type, state, cursor, admin],
  );
  const here = (q: Record<string, string>) => withQuery('/events', { type, state, ...q });
  return (
    <main id="main">
      <h1>Events and notifications</h1>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget as HTMLFormElement);
          navigate(withQuery('/events', { type: String(f.get('type') ?? ''), state: String(f.get('state') ?? '') }));
        }}
      >
        <label>
          Event type
          <input name="type" value={type} placeholder="scan.recorded" />
        </label>
        {admin ? (
          <label>
            Delivery state
            <select name="state" value={state}>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {s === '' ? 'any' : s}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="submit">Filter</button>
      </form>
      <Show data={data}>
        {(d) => (
          <>
            <section aria-labelledby="ev-h">
              <h2 id="ev-h">Events</h2>
              {d.events.items.length === 0 ? <p class="muted">No events.</p> : null}
              <Scroll label="Events table">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Type</th>
                      <th scope="col">Subject</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.events.items.map((e) => (
                      <tr key={e.id}>
                        <td class="small">{time(e.createdAt)}</td>
                        <td>
                          <a href={here({ type: e.type, cursor: '' })}>{e.type}</a>
                        </td>
                        <td class="mono small break">{e.subject}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
              {d.events.nextCursor ? <a href={here({ cursor: d.events.nextCursor })}>Next events</a> : null}
            </section>
            {d.deliveries ? (
              <section aria-labelledby="del-h">
                <h2 id="del-h">Webhook deliveries</h2>
                {d.deliveries.items.length === 0 ? <p class="muted">No deliveries.</p> : null}
                <ul class="plain">
                  {d.deliveries.items.map((x) => (
                    <li key={x.id}>
                      <span class={x.state === 'dead' ? 'bad' : x.state === 'delivered' ? 'ok' : 'warn'}>
                        {x.state}
                      </span>{' '}
                      #{x.id} {x.eventType} {x.subject} — {x.attempts} attempts
                      {x.lastStatus !== undefined ? `, last HTTP ${x.lastStatus}` : ''}
                      {x.lastError ? `: ${x.lastError}` : ''} ({time(x.updatedAt)})
                      {x.state === 'dead' ? (
                        <button
                          type="button"
                          onClick={async () => {
                            await api('POST', `/api/v1/deliveries/${x.id}/retry`);
                            reload();
                          }}
                        >
                          Retry delivery {x.id}
                        </button>
                      ) : null}
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
          </>
        )}
      </Show>
    </main>
  );
}
