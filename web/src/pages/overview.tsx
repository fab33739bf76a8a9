import { type ImageSummary, type Page, type Role, type SeverityCounts, can, get } from '../api';
import { type Series, TimeChart } from '../chart';
import { Sev, Show, time, useLoad } from '../ui';

interface Overview {
  images: number;
  unscanned: number;
  registries: number;
  repositories: number;
  tags: number;
  verdicts: Record<string, number>;
  jobs: Record<string, number>;
  topVulnerabilities: {
    findingId: string;
    severity: string;
    images: number;
    running?: { containers: number; nodes: number };
  }[];
  /** Absent until a runtime sensor reports: then nothing is known about what runs. */
  runtime?: { nodes: number; containers: number; running: number; lastReportAt: number };
}
interface HistoryDay {
  day: string;
  open: SeverityCounts;
}
interface DbStatus {
  installed: boolean;
  builtAt?: string;
  advisories?: number;
  message?: string;
}
interface Job {
  id: number;
  kind: string;
  lastError?: string;
  updatedAt?: number;
}
interface Delivery {
  id: number;
  eventType: string;
  subject: string;
  lastError?: string;
  attempts: number;
}

const COLORS: Record<string, string> = {
  critical: '#8b0000',
  high: '#d9480f',
  medium: '#b08800',
  low: '#1c7ed6',
};

export function OverviewPage({ role }: { role: Role }) {
  const [data] = useLoad(
    async (signal) => {
      const [overview, history, db, failedJobs, deadDeliveries] = await Promise.all([
        get<Overview>('/api/v1/overview', signal),
        get<{ items: HistoryDay[] }>('/api/v1/findings/history?days=30', signal),
        get<DbStatus>('/api/v1/db', signal),
        get<Page<Job>>('/api/v1/jobs?state=failed&limit=5', signal),
        can(role, 'admin') ? get<Page<Delivery>>('/api/v1/deliveries?state=dead&limit=5', signal) : undefined,
      ]);
      return {
        overview,
        history: history.items,
        db,
        failedJobs: failedJobs.items,
        deadDeliveries: deadDeliveries?.items,
      };
    },
    [role],
  );
  return (
    <main id="main">
      <h1>Overview</h1>
      <Show data={data}>
        {(d) => {
          const o = d.overview;
          const series: Series[] = (['critical', 'high', 'medium', 'low'] as const).map((s) => ({
            label: s,
            color: COLORS[s] ?? '#555',
            values: d.history.map((h) => h.open[s]),
          }));
          return (
            <>
              <section class="tiles" aria-label="Inventory">
                <Tile
                  label="Images"
                  value={o.images}
                  href="/search"
                  note={o.unscanned > 0 ? `${o.unscanned} not scanned` : undefined}
                />
                <Tile label="Registries" value={o.registries} href="/registries" />
                <Tile label="Repositories" value={o.repositories} />
                <Tile label="Tags" value={o.tags} />
                {Object.entries(o.verdicts).map(([status, n]) => (
                  <Tile key={status} label={`Verdict ${status}`} value={n} />
                ))}
              </section>
              <section aria-labelledby="rt-h" id="runtime">
                <h2 id="rt-h">Running workloads</h2>
                {o.runtime ? (
                  <>
                    <div class="tiles">
                      <Tile label="Nodes reporting" value={o.runtime.nodes} />
                      <Tile label="Running containers" value={o.runtime.running} />
                      <Tile label="Containers listed" value={o.runtime.containers} />
                    </div>
                    <p class="muted small">Last sensor report {time(o.runtime.lastReportAt)}.</p>
                  </>
                ) : (
                  <p class="muted">
                    No runtime sensor has reported yet, so what runs is unknown (not zero). Run{' '}
                    <code>customs sensor</code> on the nodes to see running containers here.
                  </p>
                )}
              </section>
              <section>
                <h2>Open findings by severity, last 30 days</h2>
                <TimeChart
                  days={d.history.map((h) => h.day)}
                  series={series}
                  title="Open findings by severity per day"
                />
              </section>
              <div class="columns">
                <section>
                  <h2>Top vulnerabilities by reach</h2>
                  {o.topVulnerabilities.length === 0 ? (
                    <p class="muted">No open vulnerabilities.</p>
                  ) : (
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">ID</th>
                          <th scope="col">Severity</th>
                          <th scope="col">Images</th>
                          {o.runtime ? <th scope="col">Running</th> : null}
                        </tr>
                      </thead>
                      <tbody>
                        {o.topVulnerabilities.map((v) => (
                          <tr key={v.findingId}>
                            <td>
                              <a href={`/search?q=${encodeURIComponent(v.findingId)}`}>{v.findingId}</a>
                            </td>
                            <td>
                              <Sev level={v.severity} />
                            </td>
                            <td>{v.images}</td>
                            {o.runtime ? (
                              <td>
                                {v.running && v.running.containers > 0
                                  ? `${v.running.containers} on ${v.running.nodes} node${v.running.nodes === 1 ? '' : 's'}`
                                  : 'none'}
                              </td>
                            ) : null}
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </section>
                <section>
                  <h2>Vulnerability DB</h2>
                  {d.db.installed ? (
                    <p>
                      Built {d.db.builtAt ?? 'at an unknown time'}; {d.db.advisories ?? 0} advisories.
                    </p>
                  ) : (
                    <p class="warn">No vulnerability DB: {d.db.message ?? 'install one with customs db update'}</p>
                  )}
                  <h2>Jobs</h2>
                  <p>
                    {Object.entries(o.jobs)
                      .map(([s, n]) => `${n} ${s}`)
                      .join(' · ')}
                  </p>
                  {d.failedJobs.length > 0 ? (
                    <ul class="plain">
                      {d.failedJobs.map((j) => (
                        <li key={j.id}>
                          <span class="bad">failed</span> job {j.id} ({j.kind}): {j.lastError ?? ''}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <p class="muted">No failed jobs.</p>
                  )}
                  {d.deadDeliveries ? (
                    <>
                      <h2>Failed webhook deliveries</h2>
                      {d.deadDeliveries.length === 0 ? (
                        <p class="muted">None.</p>
                      ) : (
                        <ul class="plain">
                          {d.deadDeliveries.map((x) => (
                            <li key={x.id}>
                              <a href="/events?state=dead">delivery {x.id}</a> {x.eventType} {x.subject}:{' '}
                              {x.lastError ?? ''}
                            </li>
                          ))}
                        </ul>
                      )}
                    </>
                  ) : null}
                </section>
              </div>
              <p class="muted">As of {time(Date.now())}.</p>
            </>
          );
        }}
      </Show>
    </main>
  );
}

function Tile(props: { label: string; value: number; href?: string; note?: string | undefined }) {
  const inner = (
    <>
      <span class="tile-value">{props.value.toLocaleString('en')}</span>
      <span class="tile-label">{props.label}</span>
      {props.note ? <span class="tile-note">{props.note}</span> : null}
    </>
  );
  return props.href ? (
    <a class="tile" href={props.href}>
      {inner}
    </a>
  ) : (
    <div class="tile">{inner}</div>
  );
}

export type { ImageSummary };
