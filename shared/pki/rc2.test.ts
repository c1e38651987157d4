import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './bytes.ts';
import { rc2CbcDecrypt, rc2CbcEncrypt, rc2DecryptBlock, rc2EncryptBlock } from './rc2.ts';

// RFC 2268 §5 test vectors: key, effective bits, plaintext, ciphertext.
const VECTORS: [string, number, string, string][] = [
  ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
  ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
  ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
  ['88', 64, '0000000000000000', '61a8a244adacccf0'],
  ['88bca90e90875a', 64, '0000000000000000', '6ccf4308974c267f'],
  ['88bca90e90875a7f0f79c384627bafb2', 64, '0000000000000000', '1a807d272bbe5db1'],
  ['88bca90e90875a7f0f79c384627bafb2', 128, '0000000000000000', '2269552ab0f85ca6'],
  [
    '88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e',
    129,
    '0000000000000000',
    '5b78d3a43dfff1f1',
  ],
];

describe('rc2', () => {
  it.each(VECTORS)('RFC 2268 vector key=%s bits=%i', (key, bits, pt, ct) => {
    expect(toHex(rc2EncryptBlock(fromHex(key), bits, fromHex(pt)))).toBe(ct);
    expect(toHex(rc2DecryptBlock(fromHex(key), bits, fromHex(ct)))).toBe(pt);
  });

  it('CBC round-trips with 40- and 128-bit effective keys', () => {
    for (const [keyLen, bits] of [
      [5, 40],
      [16, 128],
    ] as const) {
      for (const len of [0, 5, 8, 63, 1000]) {
        const key = randomBytes(keyLen);
        const iv = randomBytes(8);
        const pt = randomBytes(len);
        const ct = rc2CbcEncrypt(key, bits, iv, pt);
        expect(ct.length).toBe(len + 8 - (len % 8));
        expect(toHex(rc2CbcDecrypt(key, bits, iv, ct)!)).toBe(pt.toString('hex'));
      }
    }
  });
});
