/**
 * The HPACK decoder against the examples of RFC 7541 Appendix C (plain and Huffman, with
 * eviction under a 256-octet table), malformed blocks, and random input.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HpackDecoder } from './hpack-decoder.ts';
import { HpackError } from './hpack-table.ts';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const pairs = (flat: string[]) => flat.flatMap((_, i) => (i % 2 === 0 ? [[flat[i], flat[i + 1]]] : []));

/** The dynamic table, newest first, read through indexed fields 62, 63, … (which change nothing). */
function tableOf(decoder: HpackDecoder): string[][] {
  const entries: string[][] = [];
  for (let index = 62; ; index += 1) {
    try {
      entries.push(pairs(decoder.decode(Buffer.from(index < 127 ? [0x80 | index] : [0xff, index - 127])))[0] as string[]);
    } catch {
      return entries;
    }
  }
}

describe('RFC 7541 Appendix C', () => {
  it('C.2: one representation each', () => {
    const decoder = new HpackDecoder();
    expect(pairs(decoder.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')))).toEqual([['custom-key', 'custom-header']]);
    expect(tableOf(decoder)).toEqual([['custom-key', 'custom-header']]);
    expect(decoder.tableSize).toBe(55);

    const plain = new HpackDecoder();
    expect(pairs(plain.decode(hex('040c 2f73 616d 706c 652f 7061 7468')))).toEqual([[':path', '/sample/path']]);
    expect(pairs(plain.decode(hex('1008 7061 7373 776f 7264 0673 6563 7265 74')))).toEqual([['password', 'secret']]);
    expect(pairs(plain.decode(hex('82')))).toEqual([[':method', 'GET']]);
    expect(plain.tableSize).toBe(0);
  });

  const requests = [
    [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
    [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
    [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
  ];
  const requestTables = [
    [[':authority', 'www.example.com']],
    [['cache-control', 'no-cache'], [':authority', 'www.example.com']],
    [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']],
  ];
  const requestSizes = [57, 110, 164];

  it.each([
    ['C.3 (plain)', ['8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', '8286 84be 5808 6e6f 2d63 6163 6865', '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65']],
    ['C.4 (Huffman)', ['8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', '8286 84be 5886 a8eb 1064 9cbf', '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf']],
  ])('%s: three requests on one connection', (_name, blocks) => {
    const decoder = new HpackDecoder();
    blocks.forEach((block, i) => {
      expect(pairs(decoder.decode(hex(block)))).toEqual(requests[i]);
      expect(tableOf(decoder)).toEqual(requestTables[i]);
      expect(decoder.tableSize).toBe(requestSizes[i]);
    });
  });

  const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
  const date2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
  const location = 'https://www.example.com';
  const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
  const responses = [
    [[':status', '302'], ['cache-control', 'private'], ['date', date1], ['location', location]],
    [[':status', '307'], ['cache-control', 'private'], ['date', date1], ['location', location]],
    [[':status', '200'], ['cache-control', 'private'], ['date', date2], ['location', location], ['content-encoding', 'gzip'], ['set-cookie', cookie]],
  ];
  const responseTables = [
    [['location', location], ['date', date1], ['cache-control', 'private'], [':status', '302']],
    [[':status', '307'], ['location', location], ['date', date1], ['cache-control', 'private']],
    [['set-cookie', cookie], ['content-encoding', 'gzip'], ['date', date2]],
  ];
  const responseSizes = [222, 222, 215];

  it.each([
    [
      'C.5 (plain)',
      [
        '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
        '4803 3330 37c1 c0bf',
        '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
      ],
    ],
    [
      'C.6 (Huffman)',
      [
        '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
        '4883 640e ffc1 c0bf',
        '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
      ],
    ],
  ])('%s: three responses, evicting under a 256-octet table', (_name, blocks) => {
    const decoder = new HpackDecoder(256);
    blocks.forEach((block, i) => {
      expect(pairs(decoder.decode(hex(block)))).toEqual(responses[i]);
      expect(tableOf(decoder)).toEqual(responseTables[i]);
      expect(decoder.tableSize).toBe(responseSizes[i]);
    });
  });
});

describe('malformed blocks', () => {
  const rejects = (block: Buffer, message: RegExp, decoder = new HpackDecoder()) => {
    expect(() => decoder.decode(block)).toThrow(HpackError);
    expect(() => decoder.decode(block)).toThrow(message);
  };

  it('refuses index 0 and indices past the tables', () => {
    rejects(hex('80'), /index 0/);
    rejects(hex('be'), /index 62 is not in the table/);
    rejects(hex('7f00'), /index 63 is not in the table/);
  });

  it('refuses integers that overflow 31 bits or never end', () => {
    rejects(hex('ff ff ff ff ff 0f'), /integer overflow/);
    rejects(hex('ff 80 80 80 80 80 80 80 01'), /integer overflow/);
    rejects(hex('ff 80'), /ends inside an integer/);
    // A string length of 2^31 - 1 + 127 octets.
    rejects(hex('00 7f ff ff ff ff 07'), /integer overflow/);
  });

  it('refuses strings that overrun the block', () => {
    rejects(hex('00 05 61 62'), /string of 5 octets overruns/);
    rejects(hex('40'), /ends before a string/);
    rejects(hex('40 01 61'), /ends before a string/);
  });

  it('refuses Huffman strings with EOS, long padding or padding that is not all ones', () => {
    // 'a' is 00011 (5 bits): 00011 111 is 'a' plus 3 padding ones.
    expect(pairs(new HpackDecoder().decode(hex('00 81 1f 81 1f')))).toEqual([['a', 'a']]);
    // EOS (30 ones) padded with two ones: 4 octets of 0xff.
    rejects(hex('00 81 1f 84 ff ff ff ff'), /EOS/);
    // 'a' then a whole octet of ones: 11 bits of padding.
    rejects(hex('00 81 1f 82 1f ff'), /more than 7 bits of padding/);
    // 'a' then 000: padding not made of ones.
    rejects(hex('00 81 1f 81 18'), /not a prefix of EOS/);
  });

  it('bounds dynamic table size updates by our setting, and only at the start of a block', () => {
    rejects(hex('3fe21f'), /size update to 4097 exceeds the limit 4096/);
    rejects(hex('82 20'), /size update after a header field/);
    const decoder = new HpackDecoder();
    decoder.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
    // Two updates may open a block: down to 0 (evicting everything), then back to 4096.
    expect(decoder.decode(hex('20 3f e1 1f'))).toEqual([]);
    expect(decoder.tableSize).toBe(0);
    rejects(hex('be'), /index 62 is not in the table/, decoder);
  });
});

describe('random input', () => {
  it('decodes or throws an HpackError for 2000 random blocks, never hanging', () => {
    let decoded = 0;
    for (let i = 0; i < 2000; i += 1) {
      const decoder = new HpackDecoder();
      const block = randomBytes(1 + (i % 64));
      try {
        const fields = decoder.decode(block);
        expect(fields.length % 2).toBe(0);
        decoded += 1;
      } catch (error) {
        expect(error).toBeInstanceOf(HpackError);
        expect((error as Error).message.length).toBeGreaterThan(5);
      }
    }
    // Some random blocks are valid (e.g. runs of static indices); most are not.
    expect(decoded).toBeGreaterThan(0);
    expect(decoded).toBeLessThan(2000);
  });
});
