/**
 * The HPACK tables (RFC 7541 §2.3): the static table of Appendix A and the dynamic table that
 * encoder and decoder each keep in step with their peer — entry size = name + value + 32 octets,
 * the oldest entries evicted first.
 */

/** A malformed or unsupported header block: an HTTP/2 connection error of type COMPRESSION_ERROR. */
export class HpackError extends Error {
  override name = 'HpackError';
}

/** RFC 7541 Appendix A; index i + 1 is STATIC_TABLE[i]. */
export const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority'], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset'],
  ['accept-encoding', 'gzip, deflate'], ['accept-language'], ['accept-ranges'], ['accept'],
  ['access-control-allow-origin'], ['age'], ['allow'], ['authorization'], ['cache-control'],
  ['content-disposition'], ['content-encoding'], ['content-language'], ['content-length'],
  ['content-location'], ['content-range'], ['content-type'], ['cookie'], ['date'], ['etag'], ['expect'],
  ['expires'], ['from'], ['host'], ['if-match'], ['if-modified-since'], ['if-none-match'], ['if-range'],
  ['if-unmodified-since'], ['last-modified'], ['link'], ['location'], ['max-forwards'],
  ['proxy-authenticate'], ['proxy-authorization'], ['range'], ['referer'], ['refresh'], ['retry-after'],
  ['server'], ['set-cookie'], ['strict-transport-security'], ['transfer-encoding'], ['user-agent'], ['vary'],
  ['via'], ['www-authenticate'],
].map(([name, value]) => [name!, value ?? ''] as const);

/** Entries in the static table; dynamic indices start after it. */
export const STATIC_LENGTH = STATIC_TABLE.length;

/** Octets an entry counts against the table size (RFC 7541 §4.1); strings hold one char per octet. */
export function entrySize(name: string, value: string): number {
  return name.length + value.length + 32;
}

/** The dynamic table as a ring buffer, newest entry at position 0. */
export class DynamicTable {
  private names: string[] = new Array(16);
  private values: string[] = new Array(16);
  /** Ring slot of the newest entry. */
  private head = 0;
  length = 0;
  size = 0;

  constructor(public maxSize: number) {}

  /** Name of the entry at `position` (0 = newest); the caller checks `position < length`. */
  name(position: number): string {
    return this.names[(this.head + position) % this.names.length]!;
  }

  value(position: number): string {
    return this.values[(this.head + position) % this.values.length]!;
  }

  /** Inserts an entry, evicting old ones; an entry larger than the table empties it (§4.4). */
  add(name: string, value: string): void {
    const size = entrySize(name, value);
    if (size > this.maxSize) {
      this.evictTo(0);
      return;
    }
    this.evictTo(this.maxSize - size);
    if (this.length === this.names.length) this.grow();
    this.head = (this.head - 1 + this.names.length) % this.names.length;
    this.names[this.head] = name;
    this.values[this.head] = value;
    this.length += 1;
    this.size += size;
  }

  /** Changes the maximum size, evicting entries that no longer fit (§4.3). */
  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evictTo(maxSize);
  }

  private evictTo(limit: number): void {
    while (this.size > limit) {
      const oldest = (this.head + this.length - 1) % this.names.length;
      this.size -= entrySize(this.names[oldest]!, this.values[oldest]!);
      this.names[oldest] = '';
      this.values[oldest] = '';
      this.length -= 1;
    }
  }

  private grow(): void {
    const names: string[] = new Array(this.names.length * 2);
    const values: string[] = new Array(this.names.length * 2);
    for (let i = 0; i < this.length; i += 1) {
      names[i] = this.name(i);
      values[i] = this.value(i);
    }
    this.names = names;
    this.values = values;
    this.head = 0;
  }
}
