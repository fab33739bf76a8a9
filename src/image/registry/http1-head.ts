/**
 * The head of an HTTP/1.1 response (RFC 9112 §4–6): status line, header
 * fields, and how the body that follows is framed. Strict: a head this does
 * not read exactly as the RFC defines it is an error, never a guess, since the
 * body's framing decides which bytes are the blob.
 */

/** How the body after a head ends (RFC 9112 §6.3). */
export type BodyFraming =
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  /** No length given: the body is everything until the server closes the connection. */
  | { readonly kind: 'close' };

export interface ResponseHead {
  readonly statusCode: number;
  /** Field names in lower case; a field given more than once keeps every value, in order. */
  readonly headers: Record<string, string | string[]>;
  readonly framing: BodyFraming;
}

/** A response whose head cannot be read: the message says what was wrong. */
export class HeadError extends Error {
  readonly code = 'CUSTOMS_HTTP_HEAD';
}

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d) [\t -~\x80-\xff]*$/;
/** field-name ":" OWS field-value OWS, where field-name is a token (RFC 9110 §5.1, §5.5). */
export const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([\t -~\x80-\xff]*?)[ \t]*$/;
const DIGITS = /^\d{1,15}$/;
/** Optional whitespace around a list element: SP and HTAB only (String.trim takes more). */
const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

/** The index just past the blank line that ends a head in `bytes[0, end)`, or -1 when it has not ended yet. */
export function headEnd(bytes: Uint8Array, end: number): number {
  for (let i = 3; i < end; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) return i + 1;
  }
  return -1;
}

/**
 * Read a response head: `text` is everything before the blank line (the status line and the
 * field lines, each ended by CRLF but the last), in latin1. `method` decides whether a body follows.
 */
export function parseHead(text: string, method: 'GET' | 'HEAD'): ResponseHead {
  const lines = text.split('\r\n');
  const statusLine = lines[0] ?? '';
  const status = STATUS_LINE.exec(statusLine);
  if (!status) throw new HeadError(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const statusCode = Number(status[2]);
  // RFC 9110 §15.2: no 1xx goes to an HTTP/1.0 client, and an HTTP/1.0 one would close the connection.
  if (statusCode < 200 && status[1] === '0') throw new HeadError(`an HTTP/1.0 interim response (${statusCode})`);
  const headers: Record<string, string | string[]> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    // A bare LF inside a line would let a server smuggle a second field past this parser.
    if (line.includes('\n')) throw new HeadError('a header line contains a bare LF');
    if (line.startsWith(' ') || line.startsWith('\t'))
      throw new HeadError('a header line is folded (obs-fold, RFC 9112 §5.2)');
    const field = FIELD_LINE.exec(line);
    if (!field) throw new HeadError(`not a header field: ${JSON.stringify(line.slice(0, 80))}`);
    const name = (field[1] as string).toLowerCase();
    const value = field[2] as string;
    const had = headers[name];
    if (had === undefined) headers[name] = value;
    else if (Array.isArray(had)) had.push(value);
    else headers[name] = [had, value];
  }
  return { statusCode, headers, framing: framingOf(statusCode, headers, method) };
}

/**
 * RFC 9112 §6.3. Transfer-Encoding and Content-Length are checked even where no body follows
 * (HEAD, 1xx, 204, 304): a response that gets them wrong is refused, not half-read.
 */
function framingOf(status: number, headers: Record<string, string | string[]>, method: 'GET' | 'HEAD'): BodyFraming {
  const te = headers['transfer-encoding'];
  const cl = headers['content-length'];
  // §6.3 (3): both at once "ought to be handled as an error" (response smuggling).
  if (te !== undefined && cl !== undefined)
    throw new HeadError('the response has both Transfer-Encoding and Content-Length');
  let framing: BodyFraming = { kind: 'close' };
  if (te !== undefined) {
    const codings = (Array.isArray(te) ? te : [te])
      .flatMap((v) => v.split(','))
      .map((c) => c.replace(OWS_EDGES, '').toLowerCase())
      .filter((c) => c !== '');
    // Any other coding would have to be undone before the digest could match; none is asked for.
    if (codings.length !== 1 || codings[0] !== 'chunked')
      throw new HeadError(`unsupported Transfer-Encoding: ${JSON.stringify(Array.isArray(te) ? te.join(', ') : te)}`);
    framing = { kind: 'chunked' };
  }
  if (cl !== undefined) {
    // One field, one value: llhttp refuses repeats and lists even when they agree, and so does customs.
    if (Array.isArray(cl) || !DIGITS.test(cl))
      throw new HeadError(`invalid Content-Length: ${JSON.stringify(Array.isArray(cl) ? cl.join(', ') : cl)}`);
    framing = { kind: 'length', length: Number(cl) };
  }
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) return { kind: 'length', length: 0 };
  return framing;
}
