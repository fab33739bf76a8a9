import { useEffect, useRef, useState } from 'preact/hooks';
import { api, get, type ImageSummary, type Role, can } from '../api';
import { Counts, ErrorBox, redact, Sev, Show, shortDigest, tagName, time, useLoad, Verdict, Scroll } from '../ui';

interface Layer {
  digest: string;
  diffId: string;
  size: number;
}
interface ImageDetail extends ImageSummary {
  configDigest?: string;
  layers: Layer[];
}
interface Finding {
  ref: string;
  kind: string;
  findingId: string;
  severity: string;
  packagePurl?: string;
  data: Record<string, unknown>;
  firstSeenAt: number;
}
interface VerdictRecord {
  id: number;
  scanId?: number;
  status: string;
  policy?: string;
  createdAt: number;
  document: {
    rules?: { ruleId: string; action: string; message: string; findings?: unknown[] }[];
    remediation?: unknown[];
    suppressed?: unknown[];
  };
}
/** The scan JSON document (docs/scan-json.md) as stored with the latest scan. */
interface ScanDoc {
  target?: { layers?: { diffID: string; digest: string; size?: number; createdBy?: string }[] };
  packages?: { name: string; version: string; purl: string; license?: string; layer: string; ecosystem: string }[];
  secrets?: { ruleId: string; title?: string; location: string; line?: number; match?: string; severity: string }[];
  misconfigurations?: { checkId: string; severity: string; title: string; message: string; target: string }[];
}

const PACKAGE_PAGE = 100;

export function ImagePage({ digest, role }: { digest: string; role: Role }) {
  const [data, reload] = useLoad(
    async (signal) => {
      const base = `/api/v1/images/${encodeURIComponent(digest)}`;
      const [image, findings, verdicts, scan] = await Promise.all([
        get<ImageDetail>(base, signal),
        get<{ items: Finding[] }>(`${base}/findings`, signal),
        get<{ items: VerdictRecord[] }>(`${base}/verdicts?limit=50`, signal),
        get<{ id: number; createdAt: number; document: ScanDoc }>(`${base}/scan`, signal).catch(() => undefined),
      ]);
      return { image, findings: findings.items, verdicts: verdicts.items, scan };
    },
    [digest],
  );
  return (
    <main id="main">
      <Show data={data}>{(d) => <ImageView {...d} role={role} digest={digest} reload={reload} />}</Show>
    </main>
  );
}

function ImageView(props: {
  image: ImageDetail;
  findings: Finding[];
  verdicts: VerdictRecord[];
  scan: { id: number; createdAt: number; document: ScanDoc } | undefined;
  role: Role;
  digest: string;
  reload: () => void;
}) {
  const { image, findings, verdicts, scan, role } = props;
  const latest = verdicts[0];
  const doc = scan?.document;
  const layers = doc?.target?.layers;
  const layerIndex = new Map(
    (layers ?? image.layers.map((l) => ({ diffID: l.diffId }))).map((l, i) => [l.diffID, i + 1]),
  );
  const vulns = findings.filter((f) => f.kind === 'vuln');
  const [error, setError] = useState<Error | undefined>();
  const rejudge = async () => {
    try {
      await api('POST', `/api/v1/images/${encodeURIComponent(props.digest)}/verdicts`);
      props.reload();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    }
  };
  const base = `/api/v1/images/${encodeURIComponent(props.digest)}/reports`;
  return (
    <>
      <h1 class="break">{image.tags[0] ? tagName(image.tags[0]) : shortDigest(image.digest)}</h1>
      <p class="mono small break">{image.digest}</p>
      <p>
        <Verdict status={latest?.status ?? image.verdict} /> <Counts counts={image.openFindings} />
      </p>
      {image.tags.length > 0 ? <p class="small">Tags: {image.tags.map(tagName).join(', ')}</p> : null}
      <nav aria-label="Image sections" class="toc small">
        <a href="#verdict">Verdict</a> · <a href="#findings">Findings</a> · <a href="#packages">Packages</a> ·{' '}
        <a href="#layers">Layers</a> · <a href="#secrets">Secrets</a> · <a href="#misconfig">Misconfiguration</a> ·{' '}
        <a href="#history">Scan history</a> · <a href="#export">Export</a>
      </nav>
      {error ? <ErrorBox error={error} /> : null}

      <section id="verdict" aria-labelledby="verdict-h">
        <h2 id="verdict-h">Verdict</h2>
        {latest ? (
          <>
            <p>
              <Verdict status={latest.status} /> by {latest.policy ?? 'the default policy'}, {time(latest.createdAt)}
            </p>
            <FailingRules verdict={latest} />
          </>
        ) : (
          <p class="muted">Not judged yet.</p>
        )}
        {can(role, 'ci') && scan ? (
          <button type="button" onClick={rejudge}>
            Judge again with the current policies and exceptions
          </button>
        ) : null}
      </section>

      <section id="findings" aria-labelledby="findings-h">
        <h2 id="findings-h">Vulnerabilities ({vulns.length})</h2>
        {vulns.length === 0 ? <p class="muted">No open vulnerabilities.</p> : null}
        <ul class="findings">
          {vulns.map((f) => (
            <FindingItem
              key={f.ref}
              f={f}
              role={role}
              digest={props.digest}
              layerIndex={layerIndex}
              onChange={props.reload}
            />
          ))}
        </ul>
      </section>

      <section id="packages" aria-labelledby="packages-h">
        <h2 id="packages-h">Packages ({doc?.packages?.length ?? 0})</h2>
        <Packages packages={doc?.packages ?? []} layerIndex={layerIndex} />
      </section>

      <section id="layers" aria-labelledby="layers-h">
        <h2 id="layers-h">Layers ({layers?.length ?? image.layers.length})</h2>
        <Scroll label="Layers table">
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Instruction</th>
                <th scope="col">Size</th>
                <th scope="col">Digest</th>
              </tr>
            </thead>
            <tbody>
              {(
                layers ??
                image.layers.map((l) => ({ diffID: l.diffId, digest: l.digest, size: l.size, createdBy: undefined }))
              ).map((l, i) => (
                <tr key={l.diffID}>
                  <td>{i + 1}</td>
                  <td class="mono small break">{l.createdBy ?? '—'}</td>
                  <td>{l.size !== undefined ? `${(l.size / 1024).toFixed(0)} KiB` : '—'}</td>
                  <td class="mono small">{shortDigest(l.digest)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      </section>

      <section id="secrets" aria-labelledby="secrets-h">
        <h2 id="secrets-h">Secrets ({doc?.secrets?.length ?? 0})</h2>
        {(doc?.secrets ?? []).length === 0 ? (
          <p class="muted">None found (or the secret scanner did not run).</p>
        ) : null}
        <ul class="plain">
          {(doc?.secrets ?? []).map((s) => (
            <li key={`${s.ruleId}@${s.location}:${s.line ?? 0}`}>
              <Sev level={s.severity} /> {s.title ?? s.ruleId} in <span class="mono">{s.location}</span>
              {s.line !== undefined ? `:${s.line}` : ''} — <span class="mono">{redact(s.match ?? '')}</span>
            </li>
          ))}
        </ul>
      </section>

      <section id="misconfig" aria-labelledby="misconfig-h">
        <h2 id="misconfig-h">Misconfiguration ({doc?.misconfigurations?.length ?? 0})</h2>
        {(doc?.misconfigurations ?? []).length === 0 ? (
          <p class="muted">None found (or the checks did not run).</p>
        ) : null}
        <ul class="plain">
          {(doc?.misconfigurations ?? []).map((m) => (
            <li key={`${m.checkId}@${m.target}`}>
              <Sev level={m.severity} /> <strong>{m.checkId}</strong> {m.title}: {m.message}{' '}
              <span class="mono small">{m.target}</span>
            </li>
          ))}
        </ul>
      </section>

      <section id="history" aria-labelledby="history-h">
        <h2 id="history-h">Scan history</h2>
        <ul class="plain">
          {verdicts.map((v) => (
            <li key={v.id}>
              {time(v.createdAt)} — scan {v.scanId ?? '?'} — <Verdict status={v.status} />
            </li>
          ))}
        </ul>
        {scan ? (
          <p class="small muted">
            Latest scan {scan.id}, {time(scan.createdAt)}.
          </p>
        ) : (
          <p class="muted">No stored scan.</p>
        )}
      </section>

      <section id="export" aria-labelledby="export-h">
        <h2 id="export-h">Export</h2>
        {scan ? (
          <ul class="inline">
            <li>
              <a href={`${base}/cyclonedx`} download>
                SBOM (CycloneDX)
              </a>
            </li>
            <li>
              <a href={`${base}/spdx`} download>
                SBOM (SPDX)
              </a>
            </li>
            <li>
              <a href={`${base}/sarif`} download>
                SARIF
              </a>
            </li>
            <li>
              <a href={`${base}/html`} download>
                HTML report
              </a>
            </li>
          </ul>
        ) : (
          <p class="muted">Nothing to export before a scan.</p>
        )}
      </section>
    </>
  );
}

function FailingRules({ verdict }: { verdict: VerdictRecord }) {
  const failing = (verdict.document.rules ?? []).filter((r) => r.action === 'fail' || r.action === 'warn');
  if (failing.length === 0) return <p class="muted">No rule failed.</p>;
  return (
    <ul class="plain">
      {failing.map((r) => (
        <li key={r.ruleId}>
          <span class={r.action === 'fail' ? 'bad' : 'warn'}>{r.action}</span> <strong>{r.ruleId}</strong>: {r.message}
          {r.findings && r.findings.length > 0 ? (
            <span class="small mono"> ({r.findings.map(refOf).slice(0, 10).join(', ')})</span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

const refOf = (f: unknown): string =>
  typeof f === 'string'
    ? f
    : typeof f === 'object' && f !== null
      ? String((f as { ref?: unknown; id?: unknown }).ref ?? (f as { id?: unknown }).id ?? '')
      : '';

function FindingItem(props: {
  f: Finding;
  role: Role;
  digest: string;
  layerIndex: Map<string, number>;
  onChange: () => void;
}) {
  const { f } = props;
  const d = f.data as {
    title?: string;
    installedVersion?: string;
    fixedVersions?: string[];
    layer?: string;
    paths?: string[];
    url?: string;
    match?: { matcher: string; searchedBy: string; advisory: string; constraint: string; comparedVersion?: string };
    package?: { name: string; version: string; purl: string };
  };
  const [open, setOpen] = useState(false);
  // Closing the form gives focus back to the button that opened it, not to the page (WCAG 2.4.3).
  const opener = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (!open && refocus.current) {
      refocus.current = false;
      opener.current?.focus();
    }
  }, [open]);
  return (
    <li class="finding" id={`f-${f.findingId}`}>
      <details>
        <summary>
          <Sev level={f.severity} /> <strong>{f.findingId}</strong> in {d.package?.name ?? f.packagePurl ?? '?'}{' '}
          {d.installedVersion ?? ''}
          {d.fixedVersions && d.fixedVersions.length > 0 ? ` → fixed in ${d.fixedVersions.join(', ')}` : ''}
        </summary>
        <div class="evidence">
          {d.title ? <p>{d.title}</p> : null}
          <dl>
            <dt>Package</dt>
            <dd class="mono break">{d.package?.purl ?? f.packagePurl ?? '—'}</dd>
            <dt>How it matched</dt>
            <dd>
              {d.match
                ? `${d.match.matcher}: searched by ${d.match.searchedBy}, advisory ${d.match.advisory}, affected ${d.match.constraint}${
                    d.match.comparedVersion ? `, compared version ${d.match.comparedVersion}` : ''
                  }`
                : 'no explanation recorded'}
            </dd>
            <dt>Layer</dt>
            <dd>{d.layer ? `#${props.layerIndex.get(d.layer) ?? '?'} ${shortDigest(d.layer)}` : '—'}</dd>
            <dt>Found in</dt>
            <dd class="mono break">{(d.paths ?? []).join(', ') || '—'}</dd>
            <dt>First seen</dt>
            <dd>{time(f.firstSeenAt)}</dd>
            {d.url ? (
              <>
                <dt>Advisory</dt>
                <dd class="break">{d.url}</dd>
              </>
            ) : null}
          </dl>
          {can(props.role, 'ci') ? (
            open ? (
              <ExceptionForm
                finding={f.findingId}
                digest={props.digest}
                role={props.role}
                onDone={props.onChange}
                onCancel={() => {
                  refocus.current = true;
                  setOpen(false);
                }}
              />
            ) : (
              <button type="button" ref={opener} onClick={() => setOpen(true)}>
                Create an exception…
              </button>
            )
          ) : null}
        </div>
      </details>
    </li>
  );
}

function ExceptionForm(props: {
  finding: string;
  digest: string;
  role: Role;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [error, setError] = useState<Error | undefined>();
  // The button that opened the form is gone: focus moves into the form, where the keyboard user is.
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  const [done, setDone] = useState<string | undefined>();
  const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    try {
      const ex = await api<{ id: number; active: boolean }>('POST', '/api/v1/exceptions', {
        finding: props.finding,
        scope: String(form.get('scope') ?? props.digest),
        owner: String(form.get('owner') ?? ''),
        reason: String(form.get('reason') ?? ''),
        expires: String(form.get('expires') ?? soon),
      });
      if (can(props.role, 'admin') && form.get('approve') === 'on') {
        await api('POST', `/api/v1/exceptions/${ex.id}/approve`);
        await api('POST', `/api/v1/images/${encodeURIComponent(props.digest)}/verdicts`);
        setDone(`Exception ${ex.id} approved; the image was judged again.`);
      } else {
        setDone(`Exception ${ex.id} requested; it applies once an admin approves it.`);
      }
      props.onDone();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  const id = props.finding.replace(/[^A-Za-z0-9]/g, '');
  return (
    <form
      class="stack exception-form"
      onSubmit={submit}
      aria-label={`Exception for ${props.finding}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          props.onCancel();
        }
      }}
    >
      <label>
        Scope
        <select name="scope" ref={first}>
          <option value={props.digest}>This image</option>
          <option value="*">Every image</option>
        </select>
      </label>
      <label>
        Owner
        <input name="owner" required maxLength={200} />
      </label>
      <label>
        Reason
        <textarea name="reason" required maxLength={5000} rows={2} />
      </label>
      <label>
        Expires
        <input name="expires" type="date" required value={soon} />
      </label>
      {can(props.role, 'admin') ? (
        <label class="check">
          <input type="checkbox" name="approve" id={`approve-${id}`} checked /> Approve now and judge the image again
        </label>
      ) : null}
      <div class="actions">
        <button type="submit" class="primary">
          Create exception
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {done ? (
        <p role="status" class="ok">
          {done}
        </p>
      ) : null}
    </form>
  );
}

function Packages(props: {
  packages: { name: string; version: string; purl: string; license?: string; layer: string; ecosystem: string }[];
  layerIndex: Map<string, number>;
}) {
  const [shown, setShown] = useState(PACKAGE_PAGE);
  if (props.packages.length === 0) return <p class="muted">No inventory stored.</p>;
  return (
    <>
      <Scroll label="Packages table">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">Layer</th>
              <th scope="col">Licence</th>
              <th scope="col">purl</th>
            </tr>
          </thead>
          <tbody>
            {props.packages.slice(0, shown).map((p) => (
              <tr key={p.purl + p.layer}>
                <td>{p.name}</td>
                <td class="mono small">{p.version}</td>
                <td>#{props.layerIndex.get(p.layer) ?? '?'}</td>
                <td class="small">{p.license ?? '—'}</td>
                <td class="mono small break">{p.purl}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      {props.packages.length > shown ? (
        <button type="button" onClick={() => setShown(shown + PACKAGE_PAGE)}>
          Show {Math.min(PACKAGE_PAGE, props.packages.length - shown)} more of {props.packages.length - shown}
        </button>
      ) : null}
    </>
  );
}
