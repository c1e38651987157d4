/**
 * Huffman decoding (RFC 7541 §5.2, Appendix B): every symbol round-trips through an encoder
 * built from the same table, the code is a complete prefix code, and padding rules hold.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeHuffman, HUFFMAN_CODES } from './hpack-huffman.ts';
import { HpackError } from './hpack-table.ts';

/** A straightforward encoder: codes MSB first, the last octet padded with ones (EOS prefix). */
function encode(octets: Uint8Array): Buffer {
  const out: number[] = [];
  let current = 0;
  let bits = 0;
  for (const octet of octets) {
    const code = HUFFMAN_CODES[2 * octet]!;
    for (let bit = HUFFMAN_CODES[2 * octet + 1]! - 1; bit >= 0; bit -= 1) {
      current = (current << 1) | (Math.floor(code / 2 ** bit) & 1);
      bits += 1;
      if (bits === 8) {
        out.push(current);
        current = 0;
        bits = 0;
      }
    }
  }
  if (bits > 0) out.push((current << (8 - bits)) | (0xff >> bits));
  return Buffer.from(out);
}

const decode = (octets: Buffer) => decodeHuffman(octets, 0, octets.length);

describe('Huffman code', () => {
  it('is a complete prefix code of 257 symbols, 5 to 30 bits long, EOS being 30 ones', () => {
    let kraft = 0;
    for (let symbol = 0; symbol <= 256; symbol += 1) {
      const length = HUFFMAN_CODES[2 * symbol + 1]!;
      expect(length).toBeGreaterThanOrEqual(5);
      expect(length).toBeLessThanOrEqual(30);
      kraft += 2 ** -length;
    }
    expect(kraft).toBe(1);
    expect([HUFFMAN_CODES[512], HUFFMAN_CODES[513]]).toEqual([0x3fffffff, 30]);
  });

  it('decodes every octet value, alone and in random strings', () => {
    for (let octet = 0; octet < 256; octet += 1) {
      expect(decode(encode(Buffer.from([octet, octet, 0x61])))).toBe(Buffer.from([octet, octet, 0x61]).toString('latin1'));
    }
    for (let i = 0; i < 200; i += 1) {
      const octets = randomBytes(i);
      expect(decode(encode(octets))).toBe(octets.toString('latin1'));
    }
  });

  it('decodes a slice of a larger buffer', () => {
    const inner = encode(Buffer.from('www.example.com'));
    const outer = Buffer.concat([Buffer.from([0, 0xff]), inner, Buffer.from([0])]);
    expect(decodeHuffman(outer, 2, 2 + inner.length)).toBe('www.example.com');
  });

  it('accepts up to 7 bits of ones as padding, refuses more, zeros, and EOS', () => {
    expect(decode(Buffer.from([]))).toBe('');
    // '0' is 00000 (5 bits): three ones of padding.
    expect(decode(Buffer.from([0b00000111]))).toBe('0');
    expect(() => decode(Buffer.from([0b00000111, 0xff]))).toThrow(/more than 7 bits of padding/);
    expect(() => decode(Buffer.from([0xff]))).toThrow(/more than 7 bits of padding/);
    expect(() => decode(Buffer.from([0b00000110]))).toThrow(/not a prefix of EOS/);
    expect(() => decode(Buffer.from([0xff, 0xff, 0xff, 0xfc]))).toThrow(HpackError);
    expect(() => decode(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow(/EOS/);
  });
});
