/**
 * The HPACK encoder: what it sends for push requests (indices for repeated fields, literals
 * without indexing for per-request values), round trips through the decoder while the table
 * evicts, and size updates when the peer shrinks its table.
 */
import { describe, expect, it } from 'vitest';
import { HpackDecoder } from './hpack-decoder.ts';
import { HpackEncoder } from './hpack-encoder.ts';

const VAPID = `vapid t=${'x'.repeat(380)}, k=${'y'.repeat(87)}`;

function push(path: string, length = 300): string[] {
  return [
    ':method', 'POST', ':scheme', 'https', ':authority', 'fcm.googleapis.com', ':path', path,
    'ttl', '86400', 'urgency', 'high', 'topic', 'smime-certificates', 'content-encoding', 'aes128gcm',
    'content-type', 'application/octet-stream', 'content-length', String(length), 'authorization', VAPID,
  ];
}

describe('HpackEncoder', () => {
  it('indexes repeated push headers after the first request and keeps :path and content-length literal', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder();
    const first = Buffer.from(encoder.encode(push('/fcm/send/a')));
    expect(decoder.decode(first)).toEqual(push('/fcm/send/a'));
    expect(first.length).toBeGreaterThan(VAPID.length);
    // :method POST and :scheme https are static indices 3 and 7.
    expect([first[0], first[1]]).toEqual([0x83, 0x87]);

    const second = Buffer.from(encoder.encode(push('/fcm/send/b', 301)));
    expect(decoder.decode(second)).toEqual(push('/fcm/send/b', 301));
    // Indices for the repeated fields; ':path' and 'content-length' as literals with indexed names
    // (content-length is static index 28, two octets under a 4-bit prefix).
    expect(second.length).toBe(2 + 1 + (2 + '/fcm/send/b'.length) + 5 + (3 + 3) + 1);
    expect(second.includes(Buffer.from('/fcm/send/b'))).toBe(true);
    expect(second.includes(Buffer.from('vapid'))).toBe(false);
  });

  it('stays in step with the decoder while a small table evicts', () => {
    const encoder = new HpackEncoder();
    encoder.setPeerTableSize(256);
    const decoder = new HpackDecoder(256);
    for (let i = 0; i < 200; i += 1) {
      const fields = [
        ':method', 'POST', ':scheme', 'https', ':authority', `host${i % 3}.example`, ':path', `/p/${i}`,
        `x-name-${i % 7}`, `value-${i % 11}`, 'x-fixed', 'same', 'x-long', 'v'.repeat(i % 90),
      ];
      expect(decoder.decode(Buffer.from(encoder.encode(fields)))).toEqual(fields);
      expect(decoder.tableSize).toBeLessThanOrEqual(256);
    }
  });

  it('stays in step over a thousand insertions of new names, a steady field staying indexed', async () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder();
    let literalSame = 0;
    for (let i = 0; i < 1000; i += 1) {
      const fields = [':method', 'POST', ':scheme', 'https', ':authority', 'a.example', ':path', '/', 'x-fixed', 'same', `x-n${i}`, `v${i}`];
      const block = Buffer.from(encoder.encode(fields));
      expect(decoder.decode(block)).toEqual(fields);
      if (block.includes('same')) literalSame += 1;
    }
    // x-fixed is sent as an index except after the new names pushed it out of the table (~100
    // entries of ~40 octets fit in 4096): a handful of re-insertions in 1000 blocks.
    expect(literalSame).toBeGreaterThan(1);
    expect(literalSame).toBeLessThan(20);
  });

  it('opens the next block with size updates when the peer shrinks its table, the smallest first', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder();
    decoder.decode(Buffer.from(encoder.encode(push('/a'))));
    expect(decoder.tableSize).toBeGreaterThan(500);

    encoder.setPeerTableSize(0);
    const zero = Buffer.from(encoder.encode(push('/b')));
    expect(zero[0]).toBe(0x20);
    expect(decoder.decode(zero)).toEqual(push('/b'));
    expect(decoder.tableSize).toBe(0);

    encoder.setPeerTableSize(64);
    encoder.setPeerTableSize(4096);
    const back = Buffer.from(encoder.encode(push('/c')));
    // 64 (001 11111 00100001), then 4096 (001 11111 11100001 00011111).
    expect([...back.subarray(0, 5)]).toEqual([0x3f, 0x21, 0x3f, 0xe1, 0x1f]);
    expect(decoder.decode(back)).toEqual(push('/c'));
    expect(Buffer.from(encoder.encode(push('/d'))).length).toBeLessThan(40);
  });

  it('a peer table larger than 4096 is used only up to 4096, without a size update', () => {
    const encoder = new HpackEncoder();
    encoder.setPeerTableSize(65_536);
    expect(encoder.encode(['a', 'b'])[0]).toBe(0x40);
  });

  it('stops indexing a name whose value changes on every request', () => {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder();
    const sizes: number[] = [];
    for (let i = 0; i < 40; i += 1) {
      const fields = [...push('/x'), 'x-request-id', `id-${i}`];
      const block = Buffer.from(encoder.encode(fields));
      expect(decoder.decode(block)).toEqual(fields);
      sizes.push(decoder.tableSize);
    }
    // After 16 insertions the varying field goes without indexing: the table stops changing.
    expect(sizes.at(-1)).toBe(sizes[20]);
    expect(sizes[10]).not.toBe(sizes[9]);
  });
});
