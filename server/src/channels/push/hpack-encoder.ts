/**
 * The HPACK encoder (RFC 7541) for push requests. A push sender repeats nearly the same header
 * block on every request of a session, so the encoder:
 * - sends static-table pairs (`:method POST`, `:scheme https`) as one-octet indices;
 * - adds every other field to the dynamic table the first time (literal with incremental
 *   indexing) and sends it as an index afterwards — `:authority`, TTL, Urgency, Topic,
 *   Content-Encoding/-Type and the VAPID Authorization, which stays the same for hours;
 * - sends fields whose values change per request (`:path`, `content-length`) as literals
 *   without indexing, with an indexed name, so they never evict the useful entries; a name whose
 *   value keeps changing (more than CHURN_LIMIT insertions) is treated the same way.
 * It mirrors the peer decoder's table exactly, within the peer's SETTINGS_HEADER_TABLE_SIZE
 * (capped at 4096), and opens the next block with a size update when that changes. Strings are
 * sent without Huffman coding: it would save a few octets once per session, at a CPU cost.
 */
import { DynamicTable, entrySize, STATIC_LENGTH, STATIC_TABLE } from './hpack-table.ts';

/** Our table never grows past this, whatever the peer allows: the header set is small. */
const MAX_OWN_TABLE = 4096;
/** Names that are never indexed: their values differ on (nearly) every request. */
const NOT_INDEXED = new Set([':path', 'content-length']);
/**
 * A name inserted more than CHURN_LIMIT times within CHURN_WINDOW blocks counts as per-request
 * varying and is sent without indexing until the window ends; slow changes (a renewed VAPID token)
 * stay indexed.
 */
const CHURN_LIMIT = 16;
const CHURN_WINDOW = 4096;

const STATIC_PAIRS = new Map<string, Map<string, number>>();
const STATIC_NAMES = new Map<string, number>();
STATIC_TABLE.forEach(([name, value], i) => {
  if (!STATIC_NAMES.has(name)) STATIC_NAMES.set(name, i + 1);
  if (value) {
    const values = STATIC_PAIRS.get(name) ?? new Map<string, number>();
    values.set(value, i + 1);
    STATIC_PAIRS.set(name, values);
  }
});

/** Encodes the request header blocks of one connection, in the order they are sent. */
export class HpackEncoder {
  private readonly table = new DynamicTable(MAX_OWN_TABLE);
  /** Insertion number of each (name, value) added; entry n is present while n > inserted - length. */
  private readonly inserted = new Map<string, Map<string, number>>();
  private insertions = 0;
  /** Insertions recorded in `inserted` since it was last rebuilt. */
  private remembered = 0;
  private readonly insertionsByName = new Map<string, number>();
  /** Size updates owed at the start of the next block: the smallest size since the last one, then the final. */
  private smallestSize = Number.POSITIVE_INFINITY;
  private finalSize = -1;
  private blocks = 0;
  private out = Buffer.allocUnsafe(1024);
  private pos = 0;

  /** Applies the peer's SETTINGS_HEADER_TABLE_SIZE (RFC 7541 §4.2, RFC 9113 §6.5.2). */
  setPeerTableSize(peerSize: number): void {
    const size = Math.min(peerSize, MAX_OWN_TABLE);
    if (size === this.table.maxSize) return;
    this.smallestSize = Math.min(this.smallestSize, size);
    this.finalSize = size;
    this.table.resize(size);
  }

  /**
   * Encodes a flat `[name, value, …]` list (lower-case names, pseudo-headers first). The result
   * is a view of an internal buffer, valid until the next call.
   */
  encode(fields: readonly string[]): Buffer {
    this.pos = 0;
    this.blocks += 1;
    if (this.blocks % CHURN_WINDOW === 0) this.insertionsByName.clear();
    if (this.finalSize >= 0) {
      if (this.smallestSize < this.finalSize) this.integer(0x20, 5, this.smallestSize);
      this.integer(0x20, 5, this.finalSize);
      this.smallestSize = Number.POSITIVE_INFINITY;
      this.finalSize = -1;
    }
    for (let i = 0; i < fields.length; i += 2) this.field(fields[i]!, fields[i + 1]!);
    return this.out.subarray(0, this.pos);
  }

  private field(name: string, value: string): void {
    const nameIndex = STATIC_NAMES.get(name) ?? 0;
    const staticIndex = NOT_INDEXED.has(name) ? undefined : STATIC_PAIRS.get(name)?.get(value);
    const insertion = staticIndex === undefined ? this.inserted.get(name)?.get(value) : undefined;
    if (staticIndex !== undefined) {
      this.integer(0x80, 7, staticIndex);
    } else if (insertion !== undefined && insertion > this.insertions - this.table.length) {
      this.integer(0x80, 7, STATIC_LENGTH + 1 + this.insertions - insertion);
    } else if (NOT_INDEXED.has(name) || (this.insertionsByName.get(name) ?? 0) >= CHURN_LIMIT || entrySize(name, value) > this.table.maxSize / 2) {
      // Literal without indexing (RFC 7541 §6.2.2).
      this.literal(0x00, 4, nameIndex, name, value);
    } else {
      // Literal with incremental indexing (§6.2.1), mirrored in our copy of the table.
      this.literal(0x40, 6, nameIndex, name, value);
      this.table.add(name, value);
      this.insertions += 1;
      this.insertionsByName.set(name, (this.insertionsByName.get(name) ?? 0) + 1);
      this.remember(name, value);
    }
  }

  /** A literal field (RFC 7541 §6.2): the pattern, the name's index or the name, the value. */
  private literal(head: number, prefix: number, nameIndex: number, name: string, value: string): void {
    this.integer(head, prefix, nameIndex);
    if (nameIndex === 0) this.string(name);
    this.string(value);
  }

  /**
   * Records the newest insertion in `inserted`. Evicted pairs are noticed only when looked up,
   * so once far more pairs were recorded than the table can hold, the record is rebuilt from the
   * table itself: memory stays bounded whatever the headers.
   */
  private remember(name: string, value: string): void {
    if (this.remembered < (4 * MAX_OWN_TABLE) / 32) {
      this.record(name, value, this.insertions);
      this.remembered += 1;
      return;
    }
    this.inserted.clear();
    for (let position = this.table.length - 1; position >= 0; position -= 1) {
      this.record(this.table.name(position), this.table.value(position), this.insertions - position);
    }
    this.remembered = this.table.length;
  }

  private record(name: string, value: string, insertion: number): void {
    const values = this.inserted.get(name);
    if (values) values.set(value, insertion);
    else this.inserted.set(name, new Map([[value, insertion]]));
  }

  /** An integer with an N-bit prefix after the pattern bits `head` (RFC 7541 §5.1). */
  private integer(head: number, prefix: number, value: number): void {
    this.reserve(6);
    const max = (1 << prefix) - 1;
    if (value < max) {
      this.out[this.pos++] = head | value;
      return;
    }
    this.out[this.pos++] = head | max;
    let rest = value - max;
    while (rest >= 0x80) {
      this.out[this.pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.out[this.pos++] = rest;
  }

  /** A plain (not Huffman-coded) string literal; header strings are latin1, one octet per char. */
  private string(text: string): void {
    this.integer(0x00, 7, text.length);
    this.reserve(text.length);
    this.pos += this.out.write(text, this.pos, 'latin1');
  }

  private reserve(octets: number): void {
    if (this.pos + octets <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.out.length, this.pos + octets));
    this.out.copy(bigger, 0, 0, this.pos);
    this.out = bigger;
  }
}
