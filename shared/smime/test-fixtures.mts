/**
 * Test-only: keychain candidates over real PKCS#8 keys, the way the PWA builds them (a
 * non-extractable RSA-OAEP key for OAEP, the in-memory PKCS#1 v1.5 path otherwise).
 * A .mts file so the browser-targeted shared/tsconfig does not include it.
 */

import type { DecryptCandidate } from './cms-decrypt.ts';
import { rsaPkcs1v15DecryptWithPkcs8 } from './rsa-pkcs1v15.ts';

export function candidate(certificate: Uint8Array, pkcs8: Uint8Array): DecryptCandidate {
  return {
    certificate,
    decryptOaep: async (encryptedKey, hash) => {
      const key = await globalThis.crypto.subtle.importKey('pkcs8', pkcs8.slice().buffer, { name: 'RSA-OAEP', hash }, false, [
        'decrypt',
      ]);
      return new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'RSA-OAEP' }, key, encryptedKey.slice().buffer));
    },
    decryptPkcs1v15: async (encryptedKey, cekLength) => rsaPkcs1v15DecryptWithPkcs8(pkcs8, encryptedKey, cekLength),
  };
}
