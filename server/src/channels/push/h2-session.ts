/**
 * A lean HTTP/2 client connection (RFC 9113) for push requests over an `h2` TLS socket: the
 * preface and SETTINGS, request HEADERS/CONTINUATION + DATA under the peer's flow-control windows
 * and concurrent-stream limit (requests above it wait in a queue), response HEADERS/DATA read
 * with our own windows replenished, and PING, SETTINGS, WINDOW_UPDATE, RST_STREAM and GOAWAY
 * handled. It does what a push sender needs and nothing else: no server push, no priorities,
 * no trailers sent, bodies held in memory.
 *
 * Failures: a protocol violation by the peer ends the connection with GOAWAY(code) and fails every
 * request with a reason naming the problem; a socket error or close fails every request; GOAWAY
 * hands the streams the peer did not process, and queued requests, back (`unsent`) so the pool
 * can send them on a fresh connection (so does REFUSED_STREAM).
 */
import type tls from 'node:tls';
import { ErrorCode, errorName, Flag, FrameType, type FrameWriter, H2ConnectionError, protocolError } from './h2-frames.ts';
import { Deadlines } from './h2-deadlines.ts';
import { FrameReader, type PeerSettings } from './h2-frame-reader.ts';
import { IdleClock } from './h2-idle.ts';
import { CONNECTION_WINDOW, Inbound, MAX_HEADER_LIST, STREAM_WINDOW } from './h2-inbound.ts';
import { Liveness } from './h2-liveness.ts';
import { Outbound } from './h2-outbound.ts';
import { type H2Result, H2Stream, StreamQueue } from './h2-stream.ts';
import { HpackEncoder } from './hpack-encoder.ts';
import { HpackError } from './hpack-table.ts';

const MAX_STREAM_ID = 0x7fffffff;
/** The longest the peer has to answer our PING after a request timed out (see h2-liveness.ts). */
const PING_ANSWER_MS = 5000;

export interface H2SessionOptions {
  /** A connected TLS socket whose ALPN protocol is `h2`. */
  socket: tls.TLSSocket;
  /** The deadline named in timeout reasons. */
  timeoutMs: number;
  /** With no request for this long, the session says GOAWAY and closes. */
  idleMs: number;
  /** Called once, synchronously, when the session stops taking requests. */
  onRetire(): void;
  /** The last stream id to use before retiring (2^31 - 1; lower in tests). */
  maxStreamId?: number;
}

type State = 'open' | 'draining' | 'dead';

export class H2Session {
  private state: State = 'open';
  private retired = false;
  private readonly socket: tls.TLSSocket;
  private readonly out: Outbound;
  private readonly writer: FrameWriter;
  private readonly encoder = new HpackEncoder();
  private readonly inbound: Inbound;
  private readonly validNames = new Set<string>();
  private readonly streams = new Map<number, H2Stream>();
  private readonly deadlines = new Deadlines<H2Stream>((stream) => this.onTimeout(stream));
  /** Requests waiting for a stream slot (or for the peer's SETTINGS). */
  private readonly queue = new StreamQueue();
  private nextId = 1;
  private readonly maxStreamId: number;
  private gotSettings = false;
  private maxConcurrent = 0;
  private readonly reader: FrameReader;
  private goawayNote = '';
  private readonly idle: IdleClock;
  private readonly liveness: Liveness;

  constructor(private readonly options: H2SessionOptions) {
    this.socket = options.socket;
    this.maxStreamId = options.maxStreamId ?? MAX_STREAM_ID;
    this.out = new Outbound(this.socket);
    this.writer = this.out.writer;
    this.inbound = new Inbound(this.writer);
    this.reader = new FrameReader({
      data: (id, data, length, endStream) => this.onData(id, data, length, endStream),
      headers: (id, block, endStream) => this.onHeaders(id, block, endStream),
      settings: (payload) => this.onSettings(payload),
      ping: (payload) => this.writer.frame(FrameType.PING, Flag.ACK, 0, payload),
      windowUpdate: (id, increment) => this.onWindowUpdate(id, increment),
      reset: (id, code) => this.onReset(id, code),
      goaway: (lastId, code, debug) => this.onGoaway(lastId, code, debug),
      streamError: (id, code, reason) => {
        if (this.streams.has(id)) this.resetStream(id, code, reason);
      },
    });
    this.liveness = new Liveness({
      answerMs: Math.min(options.timeoutMs, PING_ANSWER_MS),
      ping: (payload) => this.writer.frame(FrameType.PING, 0, 0, payload),
      unresponsive: (reason) => this.terminate(reason, null),
    });
    this.out.preface(STREAM_WINDOW, MAX_HEADER_LIST, CONNECTION_WINDOW);
    this.socket.setNoDelay(true);
    this.socket.on('data', this.onSocketData);
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.terminate(error.code ? `${error.code}: ${error.message}` : error.message, null));
    this.socket.on('close', () => this.terminate(`HTTP/2 connection closed by the push service${this.goawayNote}`, null));
    // Like node:http2's session.unref(): an idle session does not keep the process alive.
    this.socket.unref();
    this.idle = new IdleClock(
      options.idleMs,
      () => this.streams.size > 0 || this.queue.size > 0,
      () => {
        if (this.state === 'open') this.terminate('HTTP/2 session idle', ErrorCode.NO_ERROR);
      },
    );
  }

  /** Whether new requests may be sent on this session. */
  get usable(): boolean {
    return this.state === 'open';
  }

  /** Sends one request; settles with the response, a network failure, or `unsent`. */
  request(fields: readonly string[], body: Buffer, timeoutMs: number): Promise<H2Result> {
    if (this.state !== 'open') return Promise.resolve({ kind: 'unsent', reason: 'HTTP/2 session closing' });
    return new Promise<H2Result>((resolve) => {
      const stream = new H2Stream(fields, body, resolve);
      this.deadlines.add(stream, timeoutMs);
      this.queue.push(stream);
      this.pump();
    });
  }

  /** Ends the session now (GOAWAY NO_ERROR), failing whatever is in flight with `reason`. */
  close(reason: string): void {
    this.terminate(reason, ErrorCode.NO_ERROR);
  }

  private pump(): void {
    while (this.state === 'open' && this.gotSettings && this.streams.size < this.maxConcurrent) {
      const stream = this.queue.shift();
      if (!stream) return;
      this.open(stream);
    }
  }

  private open(stream: H2Stream): void {
    stream.id = this.nextId;
    this.nextId += 2;
    this.inbound.open(stream);
    this.streams.set(stream.id, stream);
    this.out.open(stream, this.encoder.encode(stream.fields));
    if (this.nextId > this.maxStreamId) this.retire('HTTP/2 stream ids used up');
  }

  private readonly onSocketData = (chunk: Buffer): void => {
    this.liveness.heard();
    try {
      this.reader.push(chunk);
    } catch (error) {
      const code = error instanceof H2ConnectionError ? error.code : error instanceof HpackError ? ErrorCode.COMPRESSION_ERROR : ErrorCode.INTERNAL_ERROR;
      const message = error instanceof Error ? error.message : String(error);
      this.terminate(`HTTP/2 connection error ${errorName(code)}: ${message}`, code);
    }
  };

  private onData(id: number, data: Buffer, length: number, endStream: boolean): void {
    this.inbound.connectionData(length);
    const stream = this.streamFor(id, 'DATA');
    if (!stream) return;
    if (!this.inbound.streamData(stream, length)) {
      this.resetStream(id, ErrorCode.FLOW_CONTROL_ERROR, 'DATA beyond the stream window');
      return;
    }
    const malformed = stream.onData(data);
    if (malformed) {
      this.resetStream(id, ErrorCode.PROTOCOL_ERROR, `malformed response: ${malformed}`);
    } else if (endStream) {
      this.complete(stream);
    } else {
      this.inbound.consumed(stream, length);
    }
  }

  private onHeaders(id: number, block: Buffer, endStream: boolean): void {
    // Decoded even for a stream we gave up on: the dynamic table must stay in step.
    const { fields, tooLarge } = this.inbound.headers(block);
    const stream = this.streamFor(id, 'HEADERS');
    if (!stream) return;
    const malformed = tooLarge ?? stream.onHeaders(fields, endStream, this.validNames);
    if (malformed) this.resetStream(id, ErrorCode.PROTOCOL_ERROR, `malformed response: ${malformed}`);
    else if (endStream) this.complete(stream);
  }

  private onSettings(settings: PeerSettings): void {
    if (settings.headerTableSize !== undefined) this.encoder.setPeerTableSize(settings.headerTableSize);
    if (settings.initialWindowSize !== undefined) this.out.setInitialWindow(settings.initialWindowSize, this.streams.values());
    if (settings.maxFrameSize !== undefined) this.out.setMaxFrame(settings.maxFrameSize);
    // Until the peer's first SETTINGS nothing is sent; then its limit, or none.
    this.maxConcurrent = settings.maxConcurrentStreams ?? (this.gotSettings ? this.maxConcurrent : Number.POSITIVE_INFINITY);
    this.gotSettings = true;
    this.writer.frame(FrameType.SETTINGS, Flag.ACK, 0);
    this.out.resume();
    this.pump();
  }

  private onWindowUpdate(id: number, increment: number): void {
    if (id === 0) {
      this.out.addWindow(increment);
      return;
    }
    const stream = this.streamFor(id, 'WINDOW_UPDATE');
    const error = stream && this.out.addStreamWindow(stream, increment);
    if (error) this.resetStream(id, error.code, error.reason);
  }

  private onReset(id: number, code: number): void {
    const stream = this.streamFor(id, 'RST_STREAM');
    if (!stream) return;
    this.streams.delete(id);
    const reason = `push service reset the stream (${errorName(code)})`;
    // REFUSED_STREAM: the peer did no processing (RFC 9113 §8.7), so the pool may send it again.
    this.end(stream, code === ErrorCode.REFUSED_STREAM ? { kind: 'unsent', reason } : { kind: 'network', reason });
  }

  private onGoaway(lastId: number, code: number, debugData: Buffer): void {
    const debug = debugData.subarray(0, 120).toString('latin1').replace(/[^\x20-\x7e]/g, '?');
    const what = `GOAWAY (${errorName(code)}${debug ? `: ${debug}` : ''})`;
    this.goawayNote = ` after ${what}`;
    this.retire(`push service sent ${what}`);
    // Streams above lastId were not processed (RFC 9113 §6.8): they go back to the pool, which
    // sends them on a fresh session. The others may still finish here.
    const failure: H2Result = { kind: 'unsent', reason: `push service sent ${what} without processing the request` };
    for (const stream of [...this.streams.values()]) {
      if (stream.id > lastId) {
        this.streams.delete(stream.id);
        this.end(stream, failure);
      }
    }
  }

  /** The open stream `id`, or undefined for one already closed; an idle stream is a protocol error. */
  private streamFor(id: number, frame: string): H2Stream | undefined {
    const stream = this.streams.get(id);
    if (stream) return stream;
    if ((id & 1) === 0 || id >= this.nextId) throw protocolError(`${frame} on idle stream ${id}`);
    return undefined;
  }

  /** A stream error (RFC 9113 §5.4.2): RST_STREAM(code), the request failing with `reason`. */
  private resetStream(id: number, code: number, reason: string): void {
    this.writer.frame32(FrameType.RST_STREAM, id, code);
    const stream = this.streams.get(id);
    if (!stream) return;
    this.streams.delete(id);
    this.end(stream, { kind: 'network', reason });
  }

  /** END_STREAM from the peer: the response is complete (or malformed). */
  private complete(stream: H2Stream): void {
    const response = stream.response();
    if (typeof response === 'string') {
      this.resetStream(stream.id, ErrorCode.PROTOCOL_ERROR, `malformed response: ${response}`);
      return;
    }
    this.streams.delete(stream.id);
    // The service answered before taking the whole body: stop sending it (RFC 9113 §8.1).
    if (stream.sent < stream.body.length) this.writer.frame32(FrameType.RST_STREAM, stream.id, ErrorCode.NO_ERROR);
    this.end(stream, response);
  }

  /** Settles a stream already removed from `streams`, then opens queued requests or drains. */
  private end(stream: H2Stream, result: H2Result): void {
    stream.settle(result);
    this.deadlines.trim();
    if (this.streams.size === 0) {
      if (this.state === 'draining') {
        this.terminate('HTTP/2 session closed', ErrorCode.NO_ERROR);
        return;
      }
      this.idle.rest();
    }
    this.pump();
  }

  private onTimeout(stream: H2Stream): void {
    if (stream.settled) return;
    const reason = `timeout after ${this.options.timeoutMs} ms`;
    if (stream.id !== 0 && this.streams.get(stream.id) === stream) this.resetStream(stream.id, ErrorCode.CANCEL, reason);
    else stream.settle({ kind: 'network', reason });
    if (this.state !== 'dead') this.liveness.suspect();
  }

  /** No new streams: queued requests are handed back; open ones finish, then the session ends. */
  private retire(reason: string): void {
    if (this.state === 'open') this.state = 'draining';
    this.notifyRetired();
    const unsent: H2Result = { kind: 'unsent', reason };
    for (const stream of this.queue.drain()) stream.settle(unsent);
    if (this.streams.size === 0) this.terminate('HTTP/2 session closed', ErrorCode.NO_ERROR);
  }

  private notifyRetired(): void {
    if (this.retired) return;
    this.retired = true;
    this.options.onRetire();
  }

  /** Ends the session: GOAWAY(code) when given, every request failed with `reason`, socket closed. */
  private terminate(reason: string, goawayCode: number | null): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    this.notifyRetired();
    this.idle.stop();
    this.liveness.stop();
    this.deadlines.clear();
    const failure: H2Result = { kind: 'network', reason };
    for (const stream of this.streams.values()) stream.settle(failure);
    for (const stream of this.queue.drain()) stream.settle(failure);
    this.streams.clear();
    this.out.clear();
    this.reader.stop();
    if (goawayCode === null || this.socket.destroyed) {
      this.writer.close();
      this.socket.destroy();
      return;
    }
    this.out.goaway(goawayCode);
    this.writer.close();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}
