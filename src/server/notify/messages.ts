/**
 * What a delivery says. A delivery's stored payload is either one event or a
 * digest of `finding.new` events for one CVE; at send time it becomes the
 * generic JSON body or a Slack incoming-webhook message (Slack "Sending
 * messages using incoming webhooks": `text` is the notification fallback,
 * `blocks` the Block Kit layout).
 */
import { clip, severityRank } from '../../core/index.js';
import type { EventRecord } from '../../store/index.js';
import { EVENT_TYPES } from '../event-types.js';

/** The stored payload of a delivery. */
export type DeliveryPayload =
  | { readonly kind: 'event'; readonly event: EventRecord }
  | { readonly kind: 'digest'; readonly digest: CveDigest };

/**
 * `finding.new` for one CVE within one window. Each event read adds a part:
 * an event about one image (data.imageDigest) names that image and the
 * repositories it is tagged in; an event that already counts several images
 * (data.images, data.imageDigests, data.repositoryNames — the rescan's form)
 * names the ones it lists and says how many there are in all.
 */
export interface CveDigest {
  readonly cve: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** By event id: a part is added once however often its event is read. */
  readonly parts: Readonly<Record<string, DigestPart>>;
}

export interface DigestPart {
  readonly images: readonly string[];
  readonly imageCount: number;
  readonly repositories: readonly string[];
  readonly repositoryCount: number;
  readonly severity?: string;
}

export interface DigestCounts {
  readonly images: number;
  readonly repositories: number;
  /** Images the parts list (an event may list fewer than it counts). */
  readonly listed: readonly string[];
  readonly severity?: string;
}

/**
 * Images and repositories over all parts: the listed ones are counted once,
 * and what a part counts beyond its list is added (exact when every part
 * lists all it counts, which per-image events and rescans under their list
 * limit do).
 */
export function digestCounts(d: CveDigest): DigestCounts {
  const images = new Set<string>();
  const repos = new Set<string>();
  let moreImages = 0;
  let moreRepos = 0;
  let severity: string | undefined;
  for (const p of Object.values(d.parts)) {
    for (const i of p.images) images.add(i);
    for (const r of p.repositories) repos.add(r);
    moreImages += Math.max(0, p.imageCount - p.images.length);
    moreRepos += Math.max(0, p.repositoryCount - p.repositories.length);
    if (p.severity !== undefined && (severity === undefined || severityRank(p.severity) < severityRank(severity))) {
      severity = p.severity;
    }
  }
  return {
    images: images.size + moreImages,
    repositories: repos.size + moreRepos,
    listed: [...images].sort(),
    ...(severity !== undefined ? { severity } : {}),
  };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function field(data: unknown, ...names: string[]): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  for (const n of names) {
    const v = (data as Record<string, unknown>)[n];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return undefined;
}

/** ": 2 critical, 5 high" from findings counted by severity (data.severities, or data.counts). */
function counts(data: unknown): string {
  const o = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const c = o.severities ?? o.counts;
  if (typeof c !== 'object' || c === null) return '';
  const parts = Object.entries(c as Record<string, unknown>)
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .map(([sev, n]) => `${n} ${sev}`);
  return parts.length > 0 ? `: ${parts.join(', ')}` : '';
}

/** "registry/repository:tag@digest" (what of it the event says), or undefined. */
function where(data: unknown): string | undefined {
  const image = field(data, 'image');
  if (image !== undefined) return image;
  const repo = field(data, 'repository');
  if (repo === undefined) return undefined;
  const registry = field(data, 'registry');
  const tag = field(data, 'tag');
  const digest = field(data, 'digest');
  return `${registry ? `${registry}/` : ''}${repo}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

/** One line about an event, for a message's text and the JSON body's `summary`. */
export function eventSummary(e: EventRecord): string {
  const d = e.data;
  switch (e.type) {
    case EVENT_TYPES.imageNew:
      return `New image ${where(d) ?? e.subject}`;
    case EVENT_TYPES.scanFinished: {
      const verdict = field(d, 'verdict');
      return `Scan finished for ${where(d) ?? field(d, 'digest', 'imageDigest') ?? e.subject}${counts(d)}${verdict ? ` (verdict ${verdict})` : ''}`;
    }
    case EVENT_TYPES.scanFailed:
      return `Job ${field(d, 'id') ?? e.subject} (${field(d, 'kind') ?? 'job'}) failed: ${field(d, 'error') ?? 'unknown error'}`;
    case EVENT_TYPES.verdictChanged: {
      const from = field(d, 'from', 'previous');
      const to = field(d, 'to', 'status');
      return `Verdict for ${field(d, 'imageDigest', 'digest') ?? e.subject} changed${from && to ? `: ${from} → ${to}` : to ? ` to ${to}` : ''}`;
    }
    case EVENT_TYPES.findingNew:
      return field(d, 'message') ?? `${cveOf(e) ?? 'A new finding'} now affects ${imageOf(e)}`;
    case EVENT_TYPES.exceptionExpiring: {
      const at = Number(field(d, 'expiresAt'));
      return `Exception #${field(d, 'id') ?? '?'} for ${field(d, 'finding') ?? 'a finding'} (owner ${field(d, 'owner') ?? 'unknown'}) expires ${Number.isFinite(at) ? new Date(at).toISOString() : 'soon'}`;
    }
    case EVENT_TYPES.dbUpdateFailed:
      return `Vulnerability DB update failed: ${field(d, 'error', 'message') ?? e.subject}`;
    default:
      return `${e.type}: ${e.subject}`;
  }
}

/** The CVE (or other finding ID) a finding.new event names. */
export function cveOf(e: EventRecord): string | undefined {
  return field(e.data, 'findingId', 'cve', 'id', 'vulnerability');
}

/** The image digest a finding.new event is about, when it is about one image. */
export function imageOf(e: EventRecord): string {
  return field(e.data, 'imageDigest', 'digest') ?? e.subject;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The part of a CVE digest an event adds; `tagged` finds the repositories of one image. */
export async function digestPartOf(e: EventRecord, tagged: (image: string) => Promise<string[]>): Promise<DigestPart> {
  const d = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
  const own = typeof d.severity === 'string' ? d.severity : undefined;
  const bySeverity = typeof d.bySeverity === 'object' && d.bySeverity !== null ? Object.keys(d.bySeverity) : [];
  const severity = [own, ...bySeverity]
    .filter((x): x is string => x !== undefined)
    .sort((a, b) => severityRank(a) - severityRank(b))[0];
  if (typeof d.images === 'number' || Array.isArray(d.imageDigests)) {
    const images = strings(d.imageDigests);
    const repositories = strings(d.repositoryNames);
    return {
      images,
      imageCount: typeof d.images === 'number' ? Math.max(d.images, images.length) : images.length,
      repositories,
      repositoryCount:
        typeof d.repositories === 'number' ? Math.max(d.repositories, repositories.length) : repositories.length,
      ...(severity !== undefined ? { severity } : {}),
    };
  }
  const image = imageOf(e);
  const repositories = await tagged(image);
  return {
    images: [image],
    imageCount: 1,
    repositories,
    repositoryCount: repositories.length,
    ...(severity !== undefined ? { severity } : {}),
  };
}

export function digestSummary(d: CveDigest): string {
  const c = digestCounts(d);
  return `${d.cve} now affects ${plural(c.images, 'image')} in ${plural(c.repositories, 'repository', 'repositories')}`;
}

export function summaryOf(p: DeliveryPayload): string {
  return p.kind === 'event' ? eventSummary(p.event) : digestSummary(p.digest);
}

/** The generic JSON body; `timestamp` is inside the signed bytes so a replayed body is recognisably old. */
export function jsonBody(deliveryId: number, p: DeliveryPayload, now: number): string {
  const common = { delivery: deliveryId, timestamp: new Date(now).toISOString(), summary: summaryOf(p) };
  if (p.kind === 'event') {
    const e = p.event;
    return JSON.stringify({
      ...common,
      type: e.type,
      subject: e.subject,
      event: {
        id: e.id,
        type: e.type,
        subject: e.subject,
        data: e.data,
        createdAt: new Date(e.createdAt).toISOString(),
      },
    });
  }
  const d = p.digest;
  const c = digestCounts(d);
  return JSON.stringify({
    ...common,
    type: EVENT_TYPES.findingNew,
    subject: d.cve,
    digest: {
      cve: d.cve,
      ...(c.severity !== undefined ? { severity: c.severity } : {}),
      imageCount: c.images,
      repositoryCount: c.repositories,
      images: c.listed,
      eventIds: Object.keys(d.parts)
        .map(Number)
        .sort((a, b) => a - b),
      windowStart: new Date(d.windowStart).toISOString(),
      windowEnd: new Date(d.windowEnd).toISOString(),
    },
  });
}

/** Slack mrkdwn needs &, < and > escaped ("Formatting text for app surfaces": escaping). */
export function slackEscape(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Block Kit limits: header text 150 characters, section text 3000. */
export const SLACK_HEADER_MAX = 150;
export const SLACK_SECTION_MAX = 3000;
const DIGEST_IMAGES_LISTED = 10;

export function slackBody(deliveryId: number, p: DeliveryPayload): string {
  const summary = summaryOf(p);
  let details: string;
  let type: string;
  if (p.kind === 'event') {
    type = p.event.type;
    details = `*${slackEscape(summary)}*\nSubject: \`${slackEscape(p.event.subject)}\``;
  } else {
    type = EVENT_TYPES.findingNew;
    const c = digestCounts(p.digest);
    const listed = c.listed.slice(0, DIGEST_IMAGES_LISTED).map((i) => `• \`${slackEscape(i)}\``);
    if (c.images > listed.length) listed.push(`… and ${c.images - listed.length} more`);
    details = [`*${slackEscape(summary)}*${c.severity ? ` (${slackEscape(c.severity)})` : ''}`, ...listed].join('\n');
  }
  return JSON.stringify({
    text: summary,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(summary, SLACK_HEADER_MAX) } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(details, SLACK_SECTION_MAX) } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `customs · ${slackEscape(type)} · delivery ${deliveryId}` }],
      },
    ],
  });
}
