/**
 * One push request on an HTTP/2 session and the response it assembles: the final header block
 * checked (RFC 9113 §8.1.1, §8.3.2) and turned into Node-style headers, 1xx blocks skipped,
 * trailers checked and dropped, the body read to its end with only its start kept as text.
 * Flow control and framing stay with the session (h2-session.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Expiring } from './h2-deadlines.ts';
import { FIELD_NAME, isConnectionSpecific } from './h2-frames.ts';
import { MAX_TEXT_BYTES } from './push-answer.ts';
import type { PushHttpResult } from './push-http-client.ts';

/** A result, or `unsent`: the request never left (the session went away first), so it may be sent elsewhere. */
export type H2Result = PushHttpResult | { kind: 'unsent'; reason: string };

const FORBIDDEN_IN_VALUE = /[\0\r\n]/;
const STATUS = /^[1-9]\d\d$/;
/** Repeats of these are dropped (first wins), as Node's http and http2 modules do. */
const SINGLE_VALUE = new Set([
  'access-control-allow-credentials', 'access-control-max-age', 'access-control-request-method', 'age',
  'authorization', 'content-encoding', 'content-language', 'content-length', 'content-location',
  'content-md5', 'content-range', 'content-type', 'date', 'dnt', 'etag', 'expires', 'from', 'host',
  'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified',
  'location', 'max-forwards', 'proxy-authorization', 'range', 'referer', 'retry-after', 'tk',
  'upgrade-insecure-requests', 'user-agent', 'x-content-type-options',
]);

export class H2Stream implements Expiring {
  /** Stream id once opened; 0 while queued. */
  id = 0;
  /** Body octets sent so far, and what the peer still lets us send. */
  sent = 0;
  sendWindow = 0;
  /** Whether it waits in the session's list of streams short of send window. */
  blocked = false;
  /** Octets the peer may still send us, and those received since our last WINDOW_UPDATE. */
  recvWindow = 0;
  unacked = 0;
  /** Epoch ms after which the request times out, and its own timer if it has one (h2-deadlines.ts). */
  deadline = 0;
  timer: NodeJS.Timeout | undefined;
  settled = false;
  private status = 0;
  private headers: IncomingHttpHeaders | null = null;
  private contentLength = -1;
  private received = 0;
  private chunks: Buffer[] | null = null;
  private kept = 0;

  constructor(
    /** The request header list, flat `[name, value, …]`, pseudo-headers first. */
    readonly fields: readonly string[],
    readonly body: Buffer,
    private readonly resolve: (result: H2Result) => void,
  ) {}

  /**
   * Takes a decoded header block; returns why the response is malformed, if it is. `validNames`
   * caches names already checked on this connection.
   */
  onHeaders(fields: readonly string[], endStream: boolean, validNames: Set<string>): string | undefined {
    if (this.headers) {
      if (!endStream) return 'trailers without END_STREAM';
      for (let i = 0; i < fields.length; i += 2) if (fields[i]!.startsWith(':')) return 'pseudo-header in trailers';
      return undefined;
    }
    const parsed = parseResponseHeaders(fields, validNames);
    if (typeof parsed === 'string') return parsed;
    if (parsed.status < 200) return endStream ? `informational ${parsed.status} response with END_STREAM` : undefined;
    this.status = parsed.status;
    this.headers = parsed.headers;
    const length = parsed.headers['content-length'];
    if (length !== undefined && parsed.status !== 204 && parsed.status !== 304) {
      if (!/^\d{1,15}$/.test(length)) return 'invalid content-length';
      this.contentLength = Number(length);
    }
    return undefined;
  }

  /** Takes the data of a DATA frame (padding removed). */
  onData(data: Buffer): string | undefined {
    if (!this.headers) return 'DATA before the response headers';
    this.received += data.length;
    if (this.kept < MAX_TEXT_BYTES && data.length > 0) {
      this.chunks ??= [];
      this.chunks.push(data);
      this.kept += data.length;
    }
    return undefined;
  }

  /** The response, at END_STREAM; or why it is malformed. */
  response(): PushHttpResult | string {
    if (this.contentLength >= 0 && this.contentLength !== this.received) {
      return `content-length ${this.contentLength} but ${this.received} octets of data`;
    }
    const text = this.chunks ? Buffer.concat(this.chunks).subarray(0, MAX_TEXT_BYTES).toString('utf8') : '';
    return { kind: 'response', status: this.status, headers: this.headers ?? {}, text };
  }

  /** Settles the request once; later calls are ignored. */
  settle(result: H2Result): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.chunks = null;
    this.resolve(result);
  }
}

/** Requests waiting for a stream, first in first out; those settled meanwhile (timed out) are skipped. */
export class StreamQueue {
  private items: (H2Stream | undefined)[] = [];
  private head = 0;

  /** Waiting entries, including settled ones not yet skipped. */
  get size(): number {
    return this.items.length - this.head;
  }

  push(stream: H2Stream): void {
    this.items.push(stream);
  }

  /** The next unsettled request, or undefined. */
  shift(): H2Stream | undefined {
    while (this.head < this.items.length) {
      const stream = this.items[this.head]!;
      this.items[this.head] = undefined;
      this.head += 1;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      } else if (this.head > 4096) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (!stream.settled) return stream;
    }
    return undefined;
  }

  /** Empties the queue, returning what waited. */
  drain(): H2Stream[] {
    const waiting = this.items.slice(this.head) as H2Stream[];
    this.items = [];
    this.head = 0;
    return waiting;
  }
}

/**
 * Checks a response header list and builds Node-style headers: `set-cookie` as an array, other
 * repeated names joined with `, ` (`cookie` with `; `), single-value names keeping the first.
 * Returns the status and headers, or why the list is malformed (a stream error). Names in
 * `validNames` are known to be valid; names found valid are added (response names repeat, often
 * as the very strings of the HPACK tables).
 */
export function parseResponseHeaders(fields: readonly string[], validNames: Set<string>): { status: number; headers: IncomingHttpHeaders } | string {
  let status = 0;
  let regular = false;
  const headers: IncomingHttpHeaders = {};
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    if (name.charCodeAt(0) === 0x3a) {
      if (regular) return 'pseudo-header after a regular header';
      if (name !== ':status') return `unexpected pseudo-header ${JSON.stringify(name.slice(0, 40))}`;
      if (status !== 0) return 'repeated :status';
      if (!STATUS.test(value)) return 'invalid :status';
      status = Number(value);
      continue;
    }
    regular = true;
    if (!validNames.has(name)) {
      if (!FIELD_NAME.test(name)) return `invalid header name ${JSON.stringify(name.slice(0, 40))}`;
      if (validNames.size > 1000) validNames.clear();
      validNames.add(name);
    }
    if (FORBIDDEN_IN_VALUE.test(value)) return `invalid character in header ${name}`;
    if (isConnectionSpecific(name, value)) return `connection-specific header ${name}`;
    const existing = headers[name];
    if (existing === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else if (!SINGLE_VALUE.has(name)) headers[name] = `${existing}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  if (status === 0) return 'no :status';
  return { status, headers };
}
