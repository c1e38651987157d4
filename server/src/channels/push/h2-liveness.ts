/**
 * Liveness of an HTTP/2 connection. A request that times out may mean a dead path (a NAT or
 * firewall forgot the connection, the host went away), which TCP notices only after many
 * minutes. Then one PING asks the peer; if nothing at all arrives within the answer window, the
 * connection is given up, so that the next requests open a new one instead of timing out one
 * after another on it. A peer that is merely slow on one stream answers (the PING's ACK, or any
 * other frame) and keeps its connection. At most one PING is outstanding. The same idea as Go's
 * http2 Transport ReadIdleTimeout/PingTimeout.
 */
import { randomBytes } from 'node:crypto';

export interface LivenessOptions {
  /** How long the peer has to answer the PING (with anything). */
  answerMs: number;
  ping(payload: Buffer): void;
  unresponsive(reason: string): void;
}

export class Liveness {
  private lastHeard = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LivenessOptions) {}

  /** Bytes arrived from the peer. */
  heard(): void {
    this.lastHeard = Date.now();
  }

  /** A request timed out: ask the peer whether it is there. */
  suspect(): void {
    if (this.timer) return;
    const askedAt = Date.now();
    this.options.ping(randomBytes(8));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.lastHeard < askedAt) this.options.unresponsive(`HTTP/2 connection unresponsive: no answer to PING within ${this.options.answerMs} ms`);
    }, this.options.answerMs).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
