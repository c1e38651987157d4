/**
 * Does a private key belong to a certificate? Compared on the public part (RSA modulus and
 * exponent, EC curve and point) read straight from the ASN.1, so no key import is needed
 * except for an EC key that does not carry its public point.
 */

import * as asn1js from 'asn1js';
import { concatBytes, fromBase64Url, toArrayBuffer, toHex } from './bytes.ts';
import { type AsnNode, children, decodeAsn1, isTag, octetsOf, oidOf } from './der.ts';
import { OID } from './oids.ts';
import { PkiError } from './pki-error.ts';

const CURVE_NAMES: Record<string, string> = {
  [OID.secp256r1]: 'P-256',
  [OID.secp384r1]: 'P-384',
  [OID.secp521r1]: 'P-521',
};

function bitStringBytes(node: AsnNode | undefined, what: string): Uint8Array {
  if (!(node instanceof asn1js.BitString)) throw new PkiError('der_invalid', `${what} is not a bit string`);
  return node.valueBlock.valueHexView;
}

function intHex(node: AsnNode | undefined, what: string): string {
  if (!(node instanceof asn1js.Integer)) throw new PkiError('der_invalid', `${what} is not an integer`);
  return toHex(node.valueBlock.valueHexView);
}

/** Wraps the PKCS#12 structural error type into der_invalid for callers outside PKCS#12. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PkiError && err.code === 'pkcs12_not_pkcs12') {
      throw new PkiError('der_invalid', err.message, { cause: err });
    }
    throw err;
  }
}

/** The SubjectPublicKeyInfo DER of a certificate, without a full certificate parse. */
export function spkiOfCertificate(certDer: Uint8Array): Uint8Array {
  return guard(() => {
    const cert = decodeAsn1(certDer, 'der_invalid', 'The certificate is not valid DER.');
    const tbs = children(children(cert, 'certificate')[0], 'certificate body');
    // tbsCertificate: [0] version is optional, then serial, signature, issuer, validity, subject, spki.
    const start = isTag(tbs[0], 3, 0) ? 1 : 0;
    const spki = tbs[start + 5];
    if (!spki) throw new PkiError('der_invalid', 'The certificate has no public key.');
    return spki.valueBeforeDecodeView;
  });
}

/** A canonical string for the public key in an SPKI: equal strings mean the same key. */
export function publicKeyIdOfSpki(spkiDer: Uint8Array): string {
  return guard(() => {
    const [alg, bits] = children(decodeAsn1(spkiDer, 'der_invalid', 'The public key is not valid DER.'), 'public key');
    const [oidNode, params] = children(alg, 'public key algorithm');
    const oid = oidOf(oidNode, 'public key algorithm');
    const key = bitStringBytes(bits, 'public key');
    if (oid === OID.rsaEncryption) {
      const [n, e] = children(decodeAsn1(key, 'der_invalid', 'The RSA public key is not valid DER.'), 'RSA public key');
      return `rsa:${intHex(n, 'modulus')}:${intHex(e, 'exponent')}`;
    }
    if (oid === OID.ecPublicKey) return `ec:${oidOf(params, 'EC curve')}:${toHex(key)}`;
    return `${oid}:${toHex(key)}`;
  });
}

/**
 * The same canonical string computed from a PKCS#8 private key, so that the key can be
 * matched against many certificates after one parse.
 */
export async function publicKeyIdOfPkcs8(pkcs8: Uint8Array): Promise<string> {
  const parsed = guard(() => {
    const [, alg, keyNode, ...rest] = children(
      decodeAsn1(pkcs8, 'der_invalid', 'The private key is not valid PKCS#8 DER.'),
      'private key',
    );
    const [oidNode, params] = children(alg, 'private key algorithm');
    return { oid: oidOf(oidNode, 'private key algorithm'), params, key: octetsOf(keyNode, 'private key'), rest };
  });
  const { oid, params, key } = parsed;
  if (oid === OID.rsaEncryption) {
    return guard(() => {
      const [, n, e] = children(decodeAsn1(key, 'der_invalid', 'The RSA private key is not valid DER.'), 'RSA private key');
      return `rsa:${intHex(n, 'modulus')}:${intHex(e, 'exponent')}`;
    });
  }
  if (oid === OID.ecPublicKey) {
    const ecKey = guard(() => children(decodeAsn1(key, 'der_invalid', 'The EC private key is not valid DER.'), 'EC private key'));
    // ECPrivateKey: version, privateKey, [0] parameters OPTIONAL, [1] publicKey OPTIONAL.
    const paramsInKey = ecKey.find((n) => isTag(n, 3, 0));
    const curveOid = params instanceof asn1js.ObjectIdentifier
      ? params.valueBlock.toString()
      : guard(() => oidOf(children(paramsInKey, 'EC parameters')[0], 'EC curve'));
    const pubNode = ecKey.find((n) => isTag(n, 3, 1));
    if (pubNode) {
      return `ec:${curveOid}:${toHex(bitStringBytes(children(pubNode, 'EC public key')[0], 'EC public key'))}`;
    }
    return `ec:${curveOid}:${toHex(await ecPointFromWebCrypto(pkcs8, curveOid))}`;
  }
  // Other key types are compared on nothing we can compute cheaply: never equal to an SPKI id.
  return `unsupported:${oid}`;
}

/** Lets WebCrypto compute the public point of an EC key that was stored without it. */
async function ecPointFromWebCrypto(pkcs8: Uint8Array, curveOid: string): Promise<Uint8Array> {
  const namedCurve = CURVE_NAMES[curveOid];
  if (!namedCurve) return new Uint8Array(0);
  const key = await globalThis.crypto.subtle.importKey('pkcs8', toArrayBuffer(pkcs8), { name: 'ECDSA', namedCurve }, true, [
    'sign',
  ]);
  const jwk = await globalThis.crypto.subtle.exportKey('jwk', key);
  return concatBytes(new Uint8Array([4]), fromBase64Url(jwk.x ?? ''), fromBase64Url(jwk.y ?? ''));
}

/**
 * True when the PKCS#8 private key is the one whose public key the certificate carries.
 * Supports RSA and EC (P-256, P-384, P-521); other key types return false.
 */
export async function keyMatchesCertificate(pkcs8: Uint8Array, certDer: Uint8Array): Promise<boolean> {
  const fromCert = publicKeyIdOfSpki(spkiOfCertificate(certDer));
  const fromKey = await publicKeyIdOfPkcs8(pkcs8);
  return !fromKey.startsWith('unsupported:') && fromKey === fromCert;
}
