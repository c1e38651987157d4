/**
 * The sending side of an HTTP/2 connection: the frame writer plus what the peer allows — its
 * flow-control windows (RFC 9113 §6.9) and SETTINGS_MAX_FRAME_SIZE. Request header blocks larger
 * than a frame continue in CONTINUATION frames; DATA goes out as far as the connection and stream
 * windows allow, and the rest waits, in order, for WINDOW_UPDATE or a larger initial window.
 */
import { DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, ErrorCode, Flag, type FrameSink, FrameType, FrameWriter, H2ConnectionError, MAX_WINDOW, PREFACE, Setting } from './h2-frames.ts';
import type { H2Stream } from './h2-stream.ts';

export class Outbound {
  readonly writer: FrameWriter;
  /** The peer's connection window, initial stream window and largest frame payload. */
  private window = DEFAULT_WINDOW;
  private initialWindow = DEFAULT_WINDOW;
  private maxFrame = DEFAULT_MAX_FRAME_SIZE;
  /** Open streams with body left and no window. */
  private blocked: H2Stream[] = [];

  constructor(sink: FrameSink) {
    this.writer = new FrameWriter(sink);
  }

  /**
   * The connection preface (RFC 9113 §3.4) with our SETTINGS — no server push, our initial stream
   * window and header list limit — and a WINDOW_UPDATE raising the connection window.
   */
  preface(streamWindow: number, maxHeaderList: number, connectionWindow: number): void {
    const settings = Buffer.alloc(18);
    settings.writeUInt16BE(Setting.ENABLE_PUSH, 0);
    settings.writeUInt32BE(0, 2);
    settings.writeUInt16BE(Setting.INITIAL_WINDOW_SIZE, 6);
    settings.writeUInt32BE(streamWindow, 8);
    settings.writeUInt16BE(Setting.MAX_HEADER_LIST_SIZE, 12);
    settings.writeUInt32BE(maxHeaderList, 14);
    this.writer.raw(PREFACE);
    this.writer.frame(FrameType.SETTINGS, 0, 0, settings);
    this.writer.frame32(FrameType.WINDOW_UPDATE, 0, connectionWindow - DEFAULT_WINDOW);
  }

  /** Sends a new stream's HEADERS (END_STREAM when it has no body) and what DATA fits. */
  open(stream: H2Stream, block: Buffer): void {
    const { id } = stream;
    stream.sendWindow = this.initialWindow;
    const endStream = stream.body.length === 0 ? Flag.END_STREAM : 0;
    const max = this.maxFrame;
    if (block.length <= max) {
      this.writer.frame(FrameType.HEADERS, Flag.END_HEADERS | endStream, id, block);
    } else {
      this.writer.frame(FrameType.HEADERS, endStream, id, block, 0, max);
      for (let at = max; at < block.length; at += max) {
        const end = Math.min(at + max, block.length);
        this.writer.frame(FrameType.CONTINUATION, end === block.length ? Flag.END_HEADERS : 0, id, block, at, end);
      }
    }
    if (stream.body.length > 0) this.sendData(stream);
  }

  /** A connection WINDOW_UPDATE; blocked streams resume. */
  addWindow(increment: number): void {
    this.window += increment;
    if (this.window > MAX_WINDOW) throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, 'connection window overflow');
    this.resume();
  }

  /** A stream WINDOW_UPDATE; the stream error it amounts to, if any (RFC 9113 §6.9, §6.9.1). */
  addStreamWindow(stream: H2Stream, increment: number): { code: number; reason: string } | null {
    if (increment === 0) return { code: ErrorCode.PROTOCOL_ERROR, reason: 'WINDOW_UPDATE of 0 on the stream' };
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return { code: ErrorCode.FLOW_CONTROL_ERROR, reason: 'stream window overflow' };
    this.resume();
    return null;
  }

  /** GOAWAY(code), written at once. We accept no streams from the peer: the last stream id is 0. */
  goaway(code: number): void {
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(code, 4);
    this.writer.frame(FrameType.GOAWAY, 0, 0, payload);
    this.writer.flush();
  }

  /**
   * SETTINGS_INITIAL_WINDOW_SIZE: the change applies to every open stream, possibly taking a
   * window below zero (RFC 9113 §6.9.2).
   */
  setInitialWindow(value: number, open: Iterable<H2Stream>): void {
    if (value > MAX_WINDOW) throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE ${value}`);
    const delta = value - this.initialWindow;
    this.initialWindow = value;
    for (const stream of open) {
      stream.sendWindow += delta;
      if (stream.sendWindow > MAX_WINDOW) throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, 'stream window overflow');
    }
  }

  setMaxFrame(value: number): void {
    this.maxFrame = value;
  }

  /** Sends what blocked streams can now send; streams settled meanwhile are dropped. */
  resume(): void {
    if (this.blocked.length === 0) return;
    const waiting = this.blocked;
    this.blocked = [];
    for (const stream of waiting) {
      stream.blocked = false;
      if (!stream.settled) this.sendData(stream);
    }
  }

  /** Forgets the blocked streams (the connection is gone). */
  clear(): void {
    this.blocked = [];
  }

  private sendData(stream: H2Stream): void {
    const body = stream.body;
    while (stream.sent < body.length) {
      const size = Math.min(body.length - stream.sent, stream.sendWindow, this.window, this.maxFrame);
      if (size <= 0) {
        if (!stream.blocked) {
          stream.blocked = true;
          this.blocked.push(stream);
        }
        return;
      }
      const end = stream.sent + size;
      this.writer.frame(FrameType.DATA, end === body.length ? Flag.END_STREAM : 0, stream.id, body, stream.sent, end);
      stream.sent = end;
      stream.sendWindow -= size;
      this.window -= size;
    }
  }
}
