/**
 * X.509-style signatures with WebCrypto: verify a signature given an SPKI and an
 * AlgorithmIdentifier, and sign for CSRs. Maps between X.509's DER ECDSA signatures and
 * WebCrypto's raw r||s form.
 */

import * as asn1js from 'asn1js';
import { toArrayBuffer } from './bytes.ts';
import { type AsnNode, isTag } from './der.ts';
import { OID } from './oids.ts';

const HASH_OF: Record<string, string> = {
  [OID.sha1]: 'SHA-1',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};
const RSA_SIG: Record<string, string> = {
  [OID.sha1WithRSAEncryption]: 'SHA-1',
  [OID.sha256WithRSAEncryption]: 'SHA-256',
  [OID.sha384WithRSAEncryption]: 'SHA-384',
  [OID.sha512WithRSAEncryption]: 'SHA-512',
};
const ECDSA_SIG: Record<string, string> = {
  [OID.ecdsaWithSHA256]: 'SHA-256',
  [OID.ecdsaWithSHA384]: 'SHA-384',
  [OID.ecdsaWithSHA512]: 'SHA-512',
};
const CURVES: Record<string, { name: string; size: number }> = {
  [OID.secp256r1]: { name: 'P-256', size: 32 },
  [OID.secp384r1]: { name: 'P-384', size: 48 },
  [OID.secp521r1]: { name: 'P-521', size: 66 },
};
const ED25519 = '1.3.101.112';

const items = (node: AsnNode | undefined): AsnNode[] => (node?.valueBlock as { value?: AsnNode[] })?.value ?? [];
const oidText = (node: AsnNode | undefined): string =>
  node instanceof asn1js.ObjectIdentifier ? node.valueBlock.toString() : '';

/** DER ECDSA-Sig-Value → fixed-size r||s; null when malformed. */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array | null {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1) return null;
  const [r, s] = items(parsed.result);
  if (!(r instanceof asn1js.Integer) || !(s instanceof asn1js.Integer)) return null;
  const out = new Uint8Array(size * 2);
  for (const [i, int] of [r, s].entries()) {
    let v = int.valueBlock.valueHexView;
    while (v.length > 1 && v[0] === 0) v = v.subarray(1);
    if (v.length > size) return null;
    out.set(v, size * (i + 1) - v.length);
  }
  return out;
}

/** Fixed-size r||s → DER ECDSA-Sig-Value with minimal INTEGERs. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const int = (v: Uint8Array) => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const trimmed = v.subarray(i);
    const bytes = trimmed[0]! & 0x80 ? new Uint8Array([0, ...trimmed]) : trimmed.slice();
    return new asn1js.Integer({ valueHex: toArrayBuffer(bytes) });
  };
  const seq = new asn1js.Sequence({ value: [int(raw.subarray(0, half)), int(raw.subarray(half))] });
  return new Uint8Array(seq.toBER(false));
}

/**
 * Verifies `signature` over `data` with the key in `spkiDer`, for RSA PKCS#1 v1.5, RSA-PSS,
 * ECDSA (P-256/384/521) and Ed25519. Unknown algorithms and malformed input verify as false.
 */
export async function verifySignature(
  spkiDer: Uint8Array,
  algorithm: AsnNode | undefined,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const subtle = globalThis.crypto.subtle;
  const [algOidNode, params] = items(algorithm);
  const algOid = oidText(algOidNode);
  try {
    const spkiBuf = toArrayBuffer(spkiDer);
    if (RSA_SIG[algOid]) {
      const hash = RSA_SIG[algOid]!;
      const key = await subtle.importKey('spki', spkiBuf, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
      return await subtle.verify('RSASSA-PKCS1-v1_5', key, toArrayBuffer(signature), toArrayBuffer(data));
    }
    if (algOid === OID.rsassaPss) {
      // RSASSA-PSS-params: [0] hash (default SHA-1), [1] MGF1 (assumed to use the same hash), [2] salt length (20).
      let hash = 'SHA-1';
      let saltLength = 20;
      for (const p of items(params)) {
        if (isTag(p, 3, 0)) hash = HASH_OF[oidText(items(items(p)[0])[0])] ?? 'unknown';
        if (isTag(p, 3, 2)) {
          const v = items(p)[0];
          if (v instanceof asn1js.Integer) saltLength = v.valueBlock.valueDec;
        }
      }
      if (hash === 'unknown') return false;
      // The SPKI may say rsaEncryption or id-RSASSA-PSS; WebCrypto imports only the former.
      const key = await subtle.importKey('spki', spkiBuf, { name: 'RSA-PSS', hash }, false, ['verify']);
      return await subtle.verify({ name: 'RSA-PSS', saltLength }, key, toArrayBuffer(signature), toArrayBuffer(data));
    }
    if (ECDSA_SIG[algOid]) {
      const spki = asn1js.fromBER(spkiDer).result;
      const curve = CURVES[oidText(items(items(spki)[0])[1])];
      if (!curve) return false;
      const raw = ecdsaDerToRaw(signature, curve.size);
      if (!raw) return false;
      const key = await subtle.importKey('spki', spkiBuf, { name: 'ECDSA', namedCurve: curve.name }, false, ['verify']);
      return await subtle.verify({ name: 'ECDSA', hash: ECDSA_SIG[algOid]! }, key, toArrayBuffer(raw), toArrayBuffer(data));
    }
    if (algOid === ED25519) {
      const key = await subtle.importKey('spki', spkiBuf, { name: 'Ed25519' }, false, ['verify']);
      return await subtle.verify('Ed25519', key, toArrayBuffer(signature), toArrayBuffer(data));
    }
  } catch {
    // A key WebCrypto refuses or a malformed signature cannot verify.
    return false;
  }
  return false;
}

/** The AlgorithmIdentifier and WebCrypto parameters to sign with a given private key. */
export function signatureAlgorithmFor(key: CryptoKey): { algorithm: asn1js.Sequence; params: AlgorithmIdentifier | EcdsaParams } {
  const alg = key.algorithm as KeyAlgorithm & { hash?: { name: string }; namedCurve?: string };
  const id = (oid: string, withNull: boolean) =>
    new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), ...(withNull ? [new asn1js.Null()] : [])] });
  if (alg.name === 'RSASSA-PKCS1-v1_5') {
    const hash = alg.hash?.name ?? 'SHA-256';
    const oid = Object.keys(RSA_SIG).find((k) => RSA_SIG[k] === hash);
    if (!oid) throw new TypeError(`Unsupported RSA hash ${hash}`);
    return { algorithm: id(oid, true), params: { name: 'RSASSA-PKCS1-v1_5' } };
  }
  if (alg.name === 'ECDSA') {
    const hash = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' }[alg.namedCurve ?? ''];
    const oid = Object.keys(ECDSA_SIG).find((k) => ECDSA_SIG[k] === hash);
    if (!hash || !oid) throw new TypeError(`Unsupported curve ${alg.namedCurve}`);
    return { algorithm: id(oid, false), params: { name: 'ECDSA', hash } };
  }
  throw new TypeError(`Unsupported key algorithm ${alg.name}`);
}

/** Signs `data` and returns the signature in X.509 form (DER for ECDSA). */
export async function signData(key: CryptoKey, params: AlgorithmIdentifier | EcdsaParams, data: Uint8Array): Promise<Uint8Array> {
  const sig = new Uint8Array(await globalThis.crypto.subtle.sign(params, key, toArrayBuffer(data)));
  return key.algorithm.name === 'ECDSA' ? ecdsaRawToDer(sig) : sig;
}
