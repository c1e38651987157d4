/**
 * The receiving side of an HTTP/2 connection: our flow-control windows (RFC 9113 §6.9) — DATA
 * counted against the connection and stream windows, WINDOW_UPDATE sent once half of a window is
 * consumed — and response header blocks decoded (every block, so the HPACK dynamic table stays in
 * step) and held to the header list size we announce.
 */
import { ErrorCode, FrameType, type FrameWriter, H2ConnectionError } from './h2-frames.ts';
import type { H2Stream } from './h2-stream.ts';
import { HpackDecoder } from './hpack-decoder.ts';

/** Our receive windows: generous, since response data is consumed as soon as it arrives. */
export const STREAM_WINDOW = 1 << 20;
export const CONNECTION_WINDOW = 16 << 20;
/** The largest response header list (RFC 7541 §4.1 sizes) we accept, and announce. */
export const MAX_HEADER_LIST = 64 * 1024;

export class Inbound {
  private readonly decoder = new HpackDecoder();
  private window = CONNECTION_WINDOW;
  private unacked = 0;

  constructor(private readonly writer: FrameWriter) {}

  /** A new stream's receive window. */
  open(stream: H2Stream): void {
    stream.recvWindow = STREAM_WINDOW;
  }

  /** DATA of `length` octets (padding included) on the connection; throws past its window. */
  connectionData(length: number): void {
    this.window -= length;
    if (this.window < 0) throw new H2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, 'DATA beyond the connection window');
    this.unacked += length;
    if (this.unacked >= CONNECTION_WINDOW / 2) {
      this.writer.frame32(FrameType.WINDOW_UPDATE, 0, this.unacked);
      this.window += this.unacked;
      this.unacked = 0;
    }
  }

  /** DATA of `length` octets on an open stream; false when it went past the stream's window. */
  streamData(stream: H2Stream, length: number): boolean {
    stream.recvWindow -= length;
    return stream.recvWindow >= 0;
  }

  /** DATA consumed on a stream that stays open: its window is replenished once half is used. */
  consumed(stream: H2Stream, length: number): void {
    stream.unacked += length;
    if (stream.unacked >= STREAM_WINDOW / 2) {
      this.writer.frame32(FrameType.WINDOW_UPDATE, stream.id, stream.unacked);
      stream.recvWindow += stream.unacked;
      stream.unacked = 0;
    }
  }

  /** A header block's fields (flat `[name, value, …]`), or why the list is too large. */
  headers(block: Buffer): { fields: string[]; tooLarge: string | null } {
    const fields = this.decoder.decode(block);
    let listSize = 0;
    for (let i = 0; i < fields.length; i += 2) listSize += fields[i]!.length + fields[i + 1]!.length + 32;
    return { fields, tooLarge: listSize > MAX_HEADER_LIST ? `header list larger than ${MAX_HEADER_LIST} octets` : null };
  }
}
