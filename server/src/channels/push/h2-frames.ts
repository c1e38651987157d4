/**
 * HTTP/2 framing (RFC 9113 §4, §6): frame types, flags, settings, error codes, and the writer
 * that batches outgoing frames. Frames are copied into one slab and written once per event-loop
 * turn, so the requests issued in the same turn leave in one socket write (one TLS record run)
 * instead of one write per frame.
 */

/** An HTTP/2 field name: a lower-case token (RFC 9110 §5.1, RFC 9113 §8.2.1). */
export const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** Connection-specific fields have no place in HTTP/2 (RFC 9113 §8.2.2); `te` only as "trailers". */
export function isConnectionSpecific(name: string, value: string): boolean {
  return CONNECTION_SPECIFIC.has(name) || (name === 'te' && value !== 'trailers');
}

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

const ERROR_NAMES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
] as const;

export const ErrorCode = Object.fromEntries(ERROR_NAMES.map((name, code) => [name, code])) as { readonly [K in (typeof ERROR_NAMES)[number]]: number };

/** The name of an HTTP/2 error code (RFC 9113 §7), or its number for unknown codes. */
export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `error 0x${code.toString(16)}`;
}

/** The client connection preface (RFC 9113 §3.4). */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const FRAME_HEADER_BYTES = 9;
/** The largest frame payload we accept: the default SETTINGS_MAX_FRAME_SIZE, which we keep. */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;
export const DEFAULT_WINDOW = 65_535;
export const MAX_WINDOW = 0x7fffffff;

/** A violation that ends the connection with GOAWAY(code) (RFC 9113 §5.4.1). */
export class H2ConnectionError extends Error {
  override name = 'H2ConnectionError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A connection error of type PROTOCOL_ERROR. */
export function protocolError(message: string): H2ConnectionError {
  return new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, message);
}

/** Where frames go: a socket, with cork/uncork for writev batching. */
export interface FrameSink {
  write(chunk: Buffer): boolean;
  cork(): void;
  uncork(): void;
}

const SLAB_BYTES = 64 * 1024;

/** Appends frames to a slab and flushes them on the next event-loop turn (or on `flush()`). */
export class FrameWriter {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  /** Written but not yet flushed: slab[start..end) after the `full` slabs. */
  private start = 0;
  private end = 0;
  private full: Buffer[] = [];
  private scheduled = false;
  private closed = false;
  private readonly flushSoon = () => this.flush();

  constructor(private readonly sink: FrameSink) {}

  /** Raw octets (the connection preface). */
  raw(octets: Buffer): void {
    const at = this.reserve(octets.length);
    octets.copy(this.slab, at);
  }

  /** A frame whose payload is a copy of `payload[from..to)`. */
  frame(type: number, flags: number, streamId: number, payload?: Buffer, from = 0, to = payload?.length ?? 0): void {
    const length = to - from;
    const at = this.header(length, type, flags, streamId);
    if (payload && length > 0) payload.copy(this.slab, at + FRAME_HEADER_BYTES, from, to);
  }

  /** A frame with a 4-octet payload: WINDOW_UPDATE, RST_STREAM. */
  frame32(type: number, streamId: number, value: number): void {
    const at = this.header(4, type, 0, streamId);
    this.slab.writeUInt32BE(value, at + FRAME_HEADER_BYTES);
  }

  /** Writes everything appended so far to the sink now. */
  flush(): void {
    this.scheduled = false;
    if (this.closed) return;
    const last = this.end > this.start ? this.slab.subarray(this.start, this.end) : null;
    this.start = this.end;
    if (this.full.length === 0) {
      if (last) this.sink.write(last);
      return;
    }
    this.sink.cork();
    for (const chunk of this.full) this.sink.write(chunk);
    if (last) this.sink.write(last);
    this.full = [];
    this.sink.uncork();
  }

  /** Drops anything unflushed and ignores later frames (the socket is gone). */
  close(): void {
    this.closed = true;
    this.full = [];
  }

  private header(length: number, type: number, flags: number, streamId: number): number {
    const at = this.reserve(FRAME_HEADER_BYTES + length);
    const slab = this.slab;
    slab[at] = length >>> 16;
    slab[at + 1] = (length >>> 8) & 0xff;
    slab[at + 2] = length & 0xff;
    slab[at + 3] = type;
    slab[at + 4] = flags;
    slab.writeUInt32BE(streamId, at + 5);
    return at;
  }

  private reserve(octets: number): number {
    if (this.end + octets > this.slab.length) {
      if (this.end > this.start) this.full.push(this.slab.subarray(this.start, this.end));
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, octets));
      this.start = 0;
      this.end = 0;
    }
    const at = this.end;
    this.end += octets;
    if (!this.scheduled && !this.closed) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
    return at;
  }
}
