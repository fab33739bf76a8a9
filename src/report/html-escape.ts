/**
 * Escaping for the HTML report. Everything that comes from the image or the
 * feeds (package names, paths, history, advisory titles) goes through these:
 * HTML5 §13.1.2.6 forbids control characters in text, so they become U+FFFD;
 * the five characters that can end text or an attribute value are entities.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is being replaced
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text or a double-quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(CONTROL, '\ufffd').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** An href only for http(s) URLs: a feed could carry "javascript:" or "data:" links. */
export function safeHref(url: string): string | undefined {
  return /^https?:\/\/[^\s]+$/i.test(url) ? escapeHtml(url) : undefined;
}
