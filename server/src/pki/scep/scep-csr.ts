/**
 * The PKCS #10 request inside a PKCSReq/RenewalReq, read in place and its self-signature checked
 * with node:crypto (synchronous and native: the pkijs/WebCrypto route took milliseconds).
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import * as pkijs from 'pkijs';
import { toBytes } from '../x509-builders.ts';
import { children, contents, encoding, expectTag, oid, readRoot, text } from './der.ts';
import { CMS_OID } from './scep-constants.ts';

/** The PKCS #10 request inside a PKCSReq/RenewalReq, already signature-checked. */
export interface ScepCsr {
  der: Uint8Array;
  spkiDer: Uint8Array;
  /** Subject CN the device asked for (informational: the challenge decides the identity). */
  commonName: string | null;
  challengePassword: string | null;
}

/** Signature algorithm OID → hash for node:crypto verify (RSA PKCS #1 v1.5, ECDSA, Ed25519). */
const SIGNATURE_HASH: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};

/**
 * Reads a PKCS #10 request; null when it is not one. Throws nothing. `knownKey` (the signer
 * certificate's key) is used for the check when the request carries the very same SPKI bytes,
 * which saves decoding the key again (clients sign the message with a certificate of the key).
 */
export function readCsr(der: Uint8Array, knownKey?: { spkiDer: Uint8Array; publicKey: KeyObject }): { csr: ScepCsr; verify(): Promise<boolean> } | null {
  try {
    const parts = children(expectTag(readRoot(der), 0x30, 'CertificationRequest'));
    const info = expectTag(parts[0], 0x30, 'certificationRequestInfo');
    const algorithm = oid(expectTag(children(expectTag(parts[1], 0x30, 'signatureAlgorithm'))[0], 0x06, 'algorithm'));
    const signatureBits = contents(expectTag(parts[2], 0x03, 'signature'));
    const fields = children(info);
    const subject = expectTag(fields[1], 0x30, 'subject');
    const spkiDer = new Uint8Array(encoding(expectTag(fields[2], 0x30, 'subjectPKInfo')));
    let commonName: string | null = null;
    for (const rdn of children(subject)) {
      for (const atv of children(rdn)) {
        const [type, value] = children(atv);
        if (type && value && oid(type) === '2.5.4.3') commonName = text(value);
      }
    }
    let challengePassword: string | null = null;
    const attributes = fields[3]?.tag === 0xa0 ? children(fields[3]) : [];
    for (const attribute of attributes) {
      const [type, values] = children(attribute);
      const first = values ? children(values)[0] : undefined;
      if (type && first && oid(type) === CMS_OID.challengePassword) challengePassword = text(first);
    }
    const csr: ScepCsr = { der: new Uint8Array(der), spkiDer, commonName, challengePassword };
    const signedBytes = encoding(info);
    return {
      csr,
      async verify() {
        const hash = SIGNATURE_HASH[algorithm];
        if (hash === undefined) return verifyWithPkijs(der);
        if (signatureBits[0] !== 0) return false;
        try {
          const key =
            knownKey && Buffer.from(knownKey.spkiDer).equals(spkiDer)
              ? knownKey.publicKey
              : createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
          return verify(hash, signedBytes, key, signatureBits.subarray(1));
        } catch {
          return false;
        }
      },
    };
  } catch {
    return null;
  }
}

/** Rare signature algorithms (RSA-PSS with parameters): pkijs knows them. */
async function verifyWithPkijs(der: Uint8Array): Promise<boolean> {
  try {
    return await pkijs.CertificationRequest.fromBER(toBytes(der)).verify();
  } catch {
    return false;
  }
}
