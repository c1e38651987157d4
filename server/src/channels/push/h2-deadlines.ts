/**
 * Request deadlines with one timer per session rather than one per request. Requests of a pool
 * share one timeout, so deadlines arrive in order: a list in arrival order whose head carries the
 * only timer. Answers mostly come in order too, so settled requests leave from the head as they
 * finish and the list stays short; once it is empty the timer is cleared, so a finished session
 * keeps no timer (and no process) alive. A request whose deadline is earlier than the last one
 * listed gets a timer of its own.
 */

/** What the list holds: a request that is settled once answered, failed or expired. */
export interface Expiring {
  readonly settled: boolean;
  deadline: number;
  timer: NodeJS.Timeout | undefined;
}

export class Deadlines<T extends Expiring> {
  private items: (T | undefined)[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `expire` is called once for each item still unsettled at its deadline. */
  constructor(private readonly expire: (item: T) => void) {}

  add(item: T, timeoutMs: number): void {
    item.deadline = Date.now() + timeoutMs;
    const last = this.items.length > this.head ? this.items[this.items.length - 1]! : undefined;
    if (last && last.deadline > item.deadline) {
      item.timer = setTimeout(this.expire, timeoutMs, item);
      return;
    }
    this.items.push(item);
    this.timer ??= setTimeout(this.sweep, timeoutMs);
  }

  /** Drops settled items from the head; call after settling one. */
  trim(): void {
    while (this.head < this.items.length && this.items[this.head]!.settled) {
      this.items[this.head] = undefined;
      this.head += 1;
    }
    this.compact();
  }

  /** Forgets every item and the timer (the session is gone; its requests are settled). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.items = [];
    this.head = 0;
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    const now = Date.now();
    while (this.head < this.items.length) {
      const item = this.items[this.head]!;
      if (!item.settled && item.deadline > now) break;
      this.items[this.head] = undefined;
      this.head += 1;
      if (!item.settled) this.expire(item);
    }
    this.compact();
    if (this.head < this.items.length) this.timer = setTimeout(this.sweep, this.items[this.head]!.deadline - now);
  };

  private compact(): void {
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
