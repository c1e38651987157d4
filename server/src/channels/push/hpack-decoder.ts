/**
 * The HPACK decoder (RFC 7541) for response header blocks: indexed fields, literals with,
 * without and never indexing, dynamic table size updates, Huffman strings. Every malformed
 * block throws an HpackError (a connection error: the dynamic table can no longer be trusted),
 * and no input makes it loop or allocate more than the block's own size allows.
 */
import { decodeHuffman } from './hpack-huffman.ts';
import { DynamicTable, HpackError, STATIC_LENGTH, STATIC_TABLE } from './hpack-table.ts';

/** Largest integer accepted (RFC 7541 §5.1 leaves the limit to the implementation). */
const MAX_INTEGER = 0x7fffffff;

/** Decodes header blocks of one connection, in the order they arrive. */
export class HpackDecoder {
  private readonly table: DynamicTable;
  private block: Uint8Array = new Uint8Array(0);
  private pos = 0;

  /** `maxTableSize` is our SETTINGS_HEADER_TABLE_SIZE: the most the peer may make the table. */
  constructor(private readonly maxTableSize = 4096) {
    this.table = new DynamicTable(maxTableSize);
  }

  /** Current dynamic table size in octets (for tests). */
  get tableSize(): number {
    return this.table.size;
  }

  /** Decodes one complete header block into a flat `[name, value, name, value, …]` list. */
  decode(block: Uint8Array): string[] {
    this.block = block;
    this.pos = 0;
    const fields: string[] = [];
    while (this.pos < block.length) {
      const first = block[this.pos]!;
      if (first & 0x80) {
        const index = this.integer(7);
        if (index === 0) throw new HpackError('indexed header field with index 0');
        fields.push(this.nameAt(index), this.valueAt(index));
      } else if (first & 0x40) {
        const name = this.literalName(6);
        const value = this.string();
        this.table.add(name, value);
        fields.push(name, value);
      } else if (first & 0x20) {
        // RFC 7541 §4.2: a size update may only open a block.
        if (fields.length > 0) throw new HpackError('dynamic table size update after a header field');
        const size = this.integer(5);
        if (size > this.maxTableSize) throw new HpackError(`dynamic table size update to ${size} exceeds the limit ${this.maxTableSize}`);
        this.table.resize(size);
      } else {
        // Literal without indexing (0000) or never indexed (0001): the same to a decoder.
        const name = this.literalName(4);
        fields.push(name, this.string());
      }
    }
    this.block = new Uint8Array(0);
    return fields;
  }

  private nameAt(index: number): string {
    if (index <= STATIC_LENGTH) return STATIC_TABLE[index - 1]![0];
    return this.table.name(this.dynamicPosition(index));
  }

  private valueAt(index: number): string {
    if (index <= STATIC_LENGTH) return STATIC_TABLE[index - 1]![1];
    return this.table.value(this.dynamicPosition(index));
  }

  private dynamicPosition(index: number): number {
    const position = index - STATIC_LENGTH - 1;
    if (position >= this.table.length) throw new HpackError(`header index ${index} is not in the table (${STATIC_LENGTH + this.table.length} entries)`);
    return position;
  }

  /** The name of a literal: an index in the `prefix` bits, or (index 0) a string that follows. */
  private literalName(prefix: number): string {
    const index = this.integer(prefix);
    return index === 0 ? this.string() : this.nameAt(index);
  }

  /** An integer with an N-bit prefix (RFC 7541 §5.1), bounded by MAX_INTEGER. */
  private integer(prefix: number): number {
    const block = this.block;
    const mask = (1 << prefix) - 1;
    let value = block[this.pos]! & mask;
    this.pos += 1;
    if (value < mask) return value;
    let shift = 0;
    for (;;) {
      if (this.pos >= block.length) throw new HpackError('header block ends inside an integer');
      const octet = block[this.pos]!;
      this.pos += 1;
      value += (octet & 0x7f) * 2 ** shift;
      if (value > MAX_INTEGER) throw new HpackError('integer overflow in header block');
      if ((octet & 0x80) === 0) return value;
      shift += 7;
      // Past 31 bits only zero continuation octets could remain: refuse them as well.
      if (shift > 28) throw new HpackError('integer overflow in header block');
    }
  }

  /** A string literal (RFC 7541 §5.2), plain or Huffman-coded, as latin1 (one char per octet). */
  private string(): string {
    const block = this.block;
    if (this.pos >= block.length) throw new HpackError('header block ends before a string');
    const huffman = (block[this.pos]! & 0x80) !== 0;
    const length = this.integer(7);
    const start = this.pos;
    const end = start + length;
    if (end > block.length) throw new HpackError(`string of ${length} octets overruns the header block`);
    this.pos = end;
    if (huffman) return decodeHuffman(block, start, end);
    return Buffer.from(block.buffer, block.byteOffset + start, length).toString('latin1');
  }
}
