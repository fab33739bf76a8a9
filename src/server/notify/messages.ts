/**
 * What a delivery says. A delivery's stored payload is either one event or a
 * digest of `finding.new` events for one CVE; at send time it becomes the
 * generic JSON body or a Slack incoming-webhook message (Slack "Sending
 * messages using incoming webhooks": `text` is the notification fallback,
 * `blocks` the Block Kit layout).
 */
import type { EventRecord } from '../../store/index.js';
import { EVENT_TYPES } from '../event-types.js';

/** The stored payload of a delivery. */
export type DeliveryPayload =
  | { readonly kind: 'event'; readonly event: EventRecord }
  | { readonly kind: 'digest'; readonly digest: CveDigest };

/** `finding.new` for one CVE within one window, by image. */
export interface CveDigest {
  readonly cve: string;
  readonly severity?: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Image digest → the repositories (ids) it is tagged in, and the event that reported it. */
  readonly images: Readonly<Record<string, { readonly repositories: readonly number[]; readonly eventId: number }>>;
}

export interface DigestCounts {
  readonly images: number;
  readonly repositories: number;
}

export function digestCounts(d: CveDigest): DigestCounts {
  const repos = new Set<number>();
  for (const img of Object.values(d.images)) for (const r of img.repositories) repos.add(r);
  return { images: Object.keys(d.images).length, repositories: repos.size };
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

function counts(data: unknown): string {
  const c = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).counts : undefined;
  if (typeof c !== 'object' || c === null) return '';
  const parts = Object.entries(c as Record<string, unknown>)
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .map(([sev, n]) => `${n} ${sev}`);
  return parts.length > 0 ? `: ${parts.join(', ')}` : '';
}

/** One line about an event, for a message's text and the JSON body's `summary`. */
export function eventSummary(e: EventRecord): string {
  const d = e.data;
  switch (e.type) {
    case EVENT_TYPES.imageNew:
      return `New image ${e.subject}`;
    case EVENT_TYPES.scanFinished:
      return `Scan finished for ${field(d, 'digest', 'imageDigest') ?? e.subject}${counts(d)}`;
    case EVENT_TYPES.scanFailed:
      return `Job ${field(d, 'id') ?? e.subject} (${field(d, 'kind') ?? 'job'}) failed: ${field(d, 'error') ?? 'unknown error'}`;
    case EVENT_TYPES.verdictChanged: {
      const from = field(d, 'from', 'previous');
      const to = field(d, 'to', 'status');
      return `Verdict for ${field(d, 'imageDigest', 'digest') ?? e.subject} changed${from && to ? `: ${from} → ${to}` : to ? ` to ${to}` : ''}`;
    }
    case EVENT_TYPES.findingNew:
      return `${cveOf(e) ?? 'A new finding'} now affects ${imageOf(e)}`;
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

/** The image digest a finding.new event is about. */
export function imageOf(e: EventRecord): string {
  return field(e.data, 'imageDigest', 'digest') ?? e.subject;
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
      ...(d.severity !== undefined ? { severity: d.severity } : {}),
      imageCount: c.images,
      repositoryCount: c.repositories,
      images: Object.keys(d.images).sort(),
      eventIds: Object.values(d.images)
        .map((i) => i.eventId)
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

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

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
    const images = Object.keys(p.digest.images).sort();
    const listed = images.slice(0, DIGEST_IMAGES_LISTED).map((i) => `• \`${slackEscape(i)}\``);
    if (images.length > listed.length) listed.push(`… and ${images.length - listed.length} more`);
    details = [
      `*${slackEscape(summary)}*${p.digest.severity ? ` (${slackEscape(p.digest.severity)})` : ''}`,
      ...listed,
    ].join('\n');
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
