/**
 * A webhook URL is a credential: a Slack incoming webhook's path
 * (https://hooks.slack.com/services/T…/B…/<token>) is all a sender needs, and
 * other receivers put tokens in the path or query too. The API shows only
 * the scheme and host, never logs or stores it in an error text; the store
 * keeps it for sending (docs/notifications.md "Subscribing").
 */

/** Scheme + host (and port) + "…": enough to recognise the receiver, nothing to send with. */
export function maskWebhookUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    // Not parseable (a typo such as a port out of range): keep what precedes the path, minus any user info.
    const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/?#]*@)?([^/?#]*)/i.exec(url);
    return m ? `${m[1]}${m[2]}/…` : '…';
  }
}

/**
 * `text` (a delivery's error, a receiver's answer) with the subscription's URL
 * and its secret parts (path with query, user info) replaced by the mask:
 * receivers and HTTP clients may echo what they were sent to.
 */
export function withoutWebhookUrl(text: string, url: string): string {
  const secrets = new Set<string>([url, JSON.stringify(url)]);
  try {
    const u = new URL(url);
    secrets.add(u.href);
    if (u.pathname.length > 1) secrets.add(`${u.pathname}${u.search}`).add(u.pathname);
    if (u.search.length > 1) secrets.add(u.search.slice(1));
    if (u.username) secrets.add(u.username);
    if (u.password) secrets.add(u.password);
  } catch {
    const rest = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.+)$/i.exec(url)?.[1];
    if (rest !== undefined && rest.length > 1) secrets.add(rest);
  }
  const mask = maskWebhookUrl(url);
  let out = text;
  // Longest first, so the whole URL is replaced before its path is.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length > 1) out = out.split(s).join(mask);
  }
  return out;
}
