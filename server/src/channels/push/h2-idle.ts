/**
 * Idleness of an HTTP/2 connection: with no request for `idleMs`, the session says GOAWAY and
 * closes. One timer, re-armed only when it fires, so a busy session pays nothing per request.
 */
export class IdleClock {
  private since = Date.now();
  private timer: NodeJS.Timeout;

  constructor(
    private readonly idleMs: number,
    /** Whether requests are open or queued now. */
    private readonly busy: () => boolean,
    /** Called once, when the session has been idle for `idleMs`. */
    private readonly expire: () => void,
  ) {
    this.timer = setTimeout(this.check, idleMs).unref();
  }

  /** The last open request just finished. */
  rest(): void {
    this.since = Date.now();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private readonly check = (): void => {
    const idleFor = this.busy() ? 0 : Date.now() - this.since;
    if (idleFor >= this.idleMs) this.expire();
    else this.timer = setTimeout(this.check, this.idleMs - idleFor).unref();
  };
}
