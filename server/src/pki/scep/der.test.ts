import { describe, expect, it } from 'vitest';
import { children, DerError, der, octetString, oid, oidDer, readRoot, readTlv, seq, setOf, text } from './der.ts';

describe('der', () => {
  it('round-trips OIDs, including large arcs', () => {
    for (const dotted of ['1.2.840.113549.1.7.2', '2.16.840.1.113733.1.9.7', '2.999.3', '1.3.14.3.2.26']) {
      expect(oid(readRoot(oidDer(dotted)))).toBe(dotted);
    }
  });

  it('writes short and long lengths that it reads back', () => {
    for (const n of [0, 127, 128, 255, 256, 70_000]) {
      const element = der(0x04, new Uint8Array(n));
      const tlv = readRoot(element);
      expect(tlv.contentEnd - tlv.contentStart).toBe(n);
    }
  });

  it('reads BER indefinite lengths and joins constructed OCTET STRINGs', () => {
    // SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "c" } }
    const ber = new Uint8Array([0x30, 0x80, 0x24, 0x80, 0x04, 0x02, 0x61, 0x62, 0x04, 0x01, 0x63, 0x00, 0x00, 0x00, 0x00]);
    const [inner] = children(readRoot(ber));
    expect(new TextDecoder().decode(octetString(inner!))).toBe('abc');
  });

  it('refuses truncated input, trailing bytes and absurd lengths', () => {
    expect(() => readRoot(new Uint8Array([0x30, 0x05, 0x01]))).toThrow(DerError);
    expect(() => readRoot(new Uint8Array([0x05, 0x00, 0x00]))).toThrow(DerError);
    expect(() => readTlv(new Uint8Array([0x04, 0x85, 1, 1, 1, 1, 1]))).toThrow(DerError);
  });

  it('sorts SET OF by encoding and decodes strings', () => {
    const set = setOf([seq(der(0x13, new TextEncoder().encode('b'))), seq(der(0x13, new TextEncoder().encode('a')))]);
    const values = children(readRoot(set)).map((s) => text(children(s)[0]!));
    expect(values).toEqual(['a', 'b']);
    expect(text(readRoot(new Uint8Array([0x1e, 0x04, 0x00, 0xe4, 0x00, 0x41])))).toBe('äA');
  });
});
