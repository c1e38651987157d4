/**
 * The PKCS#12 password-integrity MAC (RFC 7292 §4 MacData): HMAC over the AuthenticatedSafe
 * contents with a key from the PKCS#12 KDF (purpose 3). It is checked before anything is
 * decrypted, so a wrong password is told apart from a damaged or unsupported file.
 */

import * as asn1js from 'asn1js';
import { toArrayBuffer, timingSafeEqual } from './bytes.ts';
import { type AsnNode, children, intOf, octetsOf, oidOf } from './der.ts';
import { OID } from './oids.ts';
import { KDF_MAC, pkcs12Kdf } from './pkcs12-kdf.ts';
import { PkiError } from './pki-error.ts';
import { hmac, SHA1, SHA256, type SyncHash } from './sha.ts';

const MAC_HASHES: Record<string, SyncHash> = { [OID.sha1]: SHA1, [OID.sha256]: SHA256 };

/** HMAC of `data` under the password-derived MAC key. */
export function computePkcs12Mac(
  hash: SyncHash,
  bmpPassword: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  data: Uint8Array,
): Uint8Array {
  const key = pkcs12Kdf(hash, bmpPassword, salt, iterations, KDF_MAC, hash.outputLength);
  return hmac(hash, key, data);
}

/**
 * Checks MacData against each candidate password encoding in turn and returns the one that
 * verifies, or null. Candidates after the first are only tried when the first fails, so the
 * common case derives the MAC key once.
 */
export function verifyPkcs12Mac(macData: AsnNode, authSafe: Uint8Array, candidates: Uint8Array[]): Uint8Array | null {
  const parts = children(macData, 'MAC data');
  const [digestInfo, saltNode, iterNode] = parts;
  const [alg, digestNode] = children(digestInfo, 'MAC digest');
  const hashOid = oidOf(children(alg, 'MAC algorithm')[0], 'MAC algorithm');
  const hash = MAC_HASHES[hashOid];
  if (!hash) {
    throw new PkiError(
      'pkcs12_unsupported',
      `The file's integrity check uses a digest this portal cannot verify (${hashOid}). Export it again with a SHA-1 or SHA-256 MAC.`,
    );
  }
  const expected = octetsOf(digestNode, 'MAC digest');
  const salt = octetsOf(saltNode, 'MAC salt');
  const iterations = iterNode ? intOf(iterNode, 'MAC iterations') : 1;
  for (const bmp of candidates) {
    if (timingSafeEqual(computePkcs12Mac(hash, bmp, salt, iterations, authSafe), expected)) return bmp;
  }
  return null;
}

/** Builds MacData for the writer. */
export function buildPkcs12MacData(
  hash: SyncHash,
  bmpPassword: Uint8Array,
  iterations: number,
  authSafe: Uint8Array,
): asn1js.Sequence {
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(hash === SHA1 ? 8 : 16));
  const mac = computePkcs12Mac(hash, bmpPassword, salt, iterations, authSafe);
  return new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.ObjectIdentifier({ value: hash === SHA1 ? OID.sha1 : OID.sha256 }),
              new asn1js.Null(),
            ],
          }),
          new asn1js.OctetString({ valueHex: toArrayBuffer(mac) }),
        ],
      }),
      new asn1js.OctetString({ valueHex: toArrayBuffer(salt) }),
      new asn1js.Integer({ value: iterations }),
    ],
  });
}
