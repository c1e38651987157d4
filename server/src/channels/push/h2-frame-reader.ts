/**
 * Reads the frames a push service sends (RFC 9113 §4–6) from socket chunks and checks what can
 * be checked without stream state: frame sizes, frames that must or must not be on stream 0,
 * fixed payload lengths, padding, PRIORITY fields, CONTINUATION sequences, the opening SETTINGS,
 * PUSH_PROMISE (we disabled push). A violation throws an H2ConnectionError; what passes goes to
 * the session's handler with padding and priority fields removed and header blocks reassembled.
 */
import { DEFAULT_MAX_FRAME_SIZE, ErrorCode, FRAME_HEADER_BYTES, Flag, FrameType, H2ConnectionError, MAX_WINDOW, protocolError, Setting } from './h2-frames.ts';

/** The largest response header block, over all its frames, that we reassemble. */
const MAX_HEADER_BLOCK = 64 * 1024;

/** The settings of one SETTINGS frame that a client acts on; absent ones are unchanged. */
export interface PeerSettings {
  headerTableSize?: number;
  maxConcurrentStreams?: number;
  initialWindowSize?: number;
  maxFrameSize?: number;
}

/** What the session does with each frame. */
export interface FrameHandler {
  /** `data` without padding; `flowLength` (the whole payload) counts against the windows. */
  data(id: number, data: Buffer, flowLength: number, endStream: boolean): void;
  /** A complete header block (HEADERS and its CONTINUATIONs). */
  headers(id: number, block: Buffer, endStream: boolean): void;
  /** A SETTINGS frame (not an ACK), its values checked. */
  settings(settings: PeerSettings): void;
  /** A PING to answer (not an ACK). */
  ping(payload: Buffer): void;
  /** WINDOW_UPDATE; a zero increment is left to the handler only for streams. */
  windowUpdate(id: number, increment: number): void;
  reset(id: number, code: number): void;
  goaway(lastId: number, code: number, debug: Buffer): void;
  /** A stream error found in a frame's shape (RFC 9113 §5.4.2). */
  streamError(id: number, code: number, reason: string): void;
}

export class FrameReader {
  private rest: Buffer | null = null;
  private continuing: { id: number; endStream: boolean; parts: Buffer[]; size: number } | null = null;
  private gotSettings = false;
  private stopped = false;

  constructor(private readonly handler: FrameHandler) {}

  /** Reads every whole frame in `chunk` (plus what was left over); keeps a partial one for later. */
  push(chunk: Buffer): void {
    const data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    let at = 0;
    while (!this.stopped && data.length - at >= FRAME_HEADER_BYTES) {
      const length = (data[at]! << 16) | (data[at + 1]! << 8) | data[at + 2]!;
      if (length > DEFAULT_MAX_FRAME_SIZE) {
        throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `frame of ${length} octets exceeds SETTINGS_MAX_FRAME_SIZE ${DEFAULT_MAX_FRAME_SIZE}`);
      }
      const end = at + FRAME_HEADER_BYTES + length;
      if (end > data.length) break;
      this.frame(data[at + 3]!, data[at + 4]!, data.readUInt32BE(at + 5) & MAX_WINDOW, data.subarray(at + FRAME_HEADER_BYTES, end));
      at = end;
    }
    if (!this.stopped && at < data.length) this.rest = data.subarray(at);
  }

  /** Ignores everything from now on (the connection is gone). */
  stop(): void {
    this.stopped = true;
    this.rest = null;
    this.continuing = null;
  }

  private frame(type: number, flags: number, id: number, payload: Buffer): void {
    if (this.continuing && type !== FrameType.CONTINUATION) throw protocolError(`frame type ${type} inside a header block`);
    if (!this.gotSettings && (type !== FrameType.SETTINGS || flags & Flag.ACK)) throw protocolError('the push service did not open with SETTINGS');
    switch (type) {
      case FrameType.DATA: {
        if (id === 0) throw protocolError('DATA on stream 0');
        this.handler.data(id, unpadded(flags, payload, 'DATA'), payload.length, (flags & Flag.END_STREAM) !== 0);
        return;
      }
      case FrameType.HEADERS: {
        if (id === 0) throw protocolError('HEADERS on stream 0');
        let fragment = unpadded(flags, payload, 'HEADERS');
        if (flags & Flag.PRIORITY) {
          if (fragment.length < 5) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'HEADERS too short for its priority fields');
          fragment = fragment.subarray(5);
        }
        const endStream = (flags & Flag.END_STREAM) !== 0;
        if (flags & Flag.END_HEADERS) this.handler.headers(id, fragment, endStream);
        else this.continuing = { id, endStream, parts: [fragment], size: fragment.length };
        return;
      }
      case FrameType.CONTINUATION:
        this.continuation(flags, id, payload);
        return;
      case FrameType.SETTINGS:
        if (id !== 0) throw protocolError('SETTINGS on a stream');
        if (flags & Flag.ACK) {
          if (payload.length !== 0) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, 'SETTINGS ACK with a payload');
          return;
        }
        if (payload.length % 6 !== 0) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `SETTINGS of ${payload.length} octets`);
        this.gotSettings = true;
        this.handler.settings(parseSettings(payload));
        return;
      case FrameType.WINDOW_UPDATE: {
        if (payload.length !== 4) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `WINDOW_UPDATE of ${payload.length} octets`);
        const increment = payload.readUInt32BE(0) & MAX_WINDOW;
        if (id === 0 && increment === 0) throw protocolError('WINDOW_UPDATE of 0 on the connection');
        this.handler.windowUpdate(id, increment);
        return;
      }
      case FrameType.RST_STREAM:
        if (id === 0) throw protocolError('RST_STREAM on stream 0');
        if (payload.length !== 4) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `RST_STREAM of ${payload.length} octets`);
        this.handler.reset(id, payload.readUInt32BE(0));
        return;
      case FrameType.PING:
        if (id !== 0) throw protocolError('PING on a stream');
        if (payload.length !== 8) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `PING of ${payload.length} octets`);
        if (!(flags & Flag.ACK)) this.handler.ping(payload);
        return;
      case FrameType.GOAWAY:
        if (id !== 0) throw protocolError('GOAWAY on a stream');
        if (payload.length < 8) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `GOAWAY of ${payload.length} octets`);
        this.handler.goaway(payload.readUInt32BE(0) & MAX_WINDOW, payload.readUInt32BE(4), payload.subarray(8));
        return;
      case FrameType.PRIORITY:
        // Priorities are advisory; only the frame's shape is checked.
        if (id === 0) throw protocolError('PRIORITY on stream 0');
        if (payload.length !== 5) this.handler.streamError(id, ErrorCode.FRAME_SIZE_ERROR, `PRIORITY of ${payload.length} octets`);
        return;
      case FrameType.PUSH_PROMISE:
        throw protocolError('PUSH_PROMISE although push is disabled');
      default:
      // Unknown frame types are ignored (RFC 9113 §5.5).
    }
  }

  private continuation(flags: number, id: number, payload: Buffer): void {
    const block = this.continuing;
    if (!block || block.id !== id) throw protocolError('CONTINUATION without a header block to continue');
    block.parts.push(payload);
    block.size += payload.length;
    if (block.size > MAX_HEADER_BLOCK) throw new H2ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, `header block larger than ${MAX_HEADER_BLOCK} octets`);
    if (!(flags & Flag.END_HEADERS)) return;
    this.continuing = null;
    this.handler.headers(id, Buffer.concat(block.parts), block.endStream);
  }
}

/** Reads and checks SETTINGS values (RFC 9113 §6.5.2); unknown settings are ignored. */
function parseSettings(payload: Buffer): PeerSettings {
  const settings: PeerSettings = {};
  for (let at = 0; at < payload.length; at += 6) {
    const value = payload.readUInt32BE(at + 2);
    switch (payload.readUInt16BE(at)) {
      case Setting.HEADER_TABLE_SIZE:
        settings.headerTableSize = value;
        break;
      case Setting.ENABLE_PUSH:
        // RFC 9113 wants 0 from a server; RFC 7540 servers may still say 1, which is harmless.
        if (value > 1) throw protocolError(`SETTINGS_ENABLE_PUSH ${value}`);
        break;
      case Setting.MAX_CONCURRENT_STREAMS:
        settings.maxConcurrentStreams = value;
        break;
      case Setting.INITIAL_WINDOW_SIZE:
        if (value > MAX_WINDOW) throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE ${value}`);
        settings.initialWindowSize = value;
        break;
      case Setting.MAX_FRAME_SIZE:
        if (value < DEFAULT_MAX_FRAME_SIZE || value > 0xffffff) throw protocolError(`SETTINGS_MAX_FRAME_SIZE ${value}`);
        settings.maxFrameSize = value;
        break;
      default:
    }
  }
  return settings;
}

/** The payload of a PADDED frame without its pad length and padding (RFC 9113 §6.1, §6.2). */
function unpadded(flags: number, payload: Buffer, frame: string): Buffer {
  if (!(flags & Flag.PADDED)) return payload;
  if (payload.length === 0) throw new H2ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `padded ${frame} without a pad length`);
  const padding = payload[0]!;
  if (padding >= payload.length) throw protocolError(`${frame} padding of ${padding} octets fills the frame`);
  return payload.subarray(1, payload.length - padding);
}
