/**
 * The SCEP registration authority certificate (RFC 8894 §2.1.1, §4.2.1.2): an RSA end-entity
 * certificate issued by the CA with keyUsage digitalSignature + keyEncipherment. Clients encrypt
 * their requests to it and verify our CertRep signatures with it, while the CA keeps only
 * keyCertSign + cRLSign (OpenSSL's PKCS7_verify, which certmonger uses, refuses a CertRep whose
 * signer lacks digitalSignature).
 */
import { createPrivateKey, type KeyObject, sign, verify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../../errors.ts';
import type { CaSigner } from '../ca.ts';
import { generateKeyPair } from '../generate-key-pair.ts';
import { buildExtension, buildKeyUsage, buildName, buildTime, computeKeyIdentifier, OID, toBytes } from '../x509-builders.ts';
import { children, encoding, expectTag, readRoot, seq } from './der.ts';

/** A private key we can decrypt pkcsPKIEnvelopes with, and how a RecipientInfo names it. */
export interface RecipientKey {
  /** DER of the certificate's IssuerAndSerialNumber. */
  readonly issuerAndSerialDer: Uint8Array;
  /** The certificate's subjectKeyIdentifier extension, when it has one. */
  readonly subjectKeyIdentifier: Uint8Array | null;
  readonly keyObject: KeyObject;
}

/** A loaded RA: signs CertReps, opens requests encrypted to it. */
export interface ScepRa extends RecipientKey {
  readonly certificateDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface RaMaterial {
  certificateDer: Uint8Array;
  /** PKCS #8 DER of the RA key: seal it with the vault, never log it. */
  privateKeyPkcs8: Uint8Array;
}

export interface CreateRaOptions {
  notBefore: Date;
  notAfter: Date;
  /** A serial the CA has claimed (the store keeps serials unique per CA). */
  serial: Uint8Array;
}

/** "<CA common name> SCEP RA". */
export function raCommonName(ca: CaSigner): string {
  const cn = ca.certificate.subject.typesAndValues.find((t) => t.type === OID.commonName);
  const value = cn ? String(cn.value.valueBlock.value).trim() : '';
  return `${value || 'smime-portal CA'} SCEP RA`;
}

/**
 * Issues a fresh RA key pair and certificate under `ca`. RSA whatever the CA's algorithm (SCEP
 * key transport is RSA), of the CA's strength: RSA-2048 under an RSA-2048 CA, else RSA-3072.
 */
export async function createRaCertificate(ca: CaSigner, options: CreateRaOptions): Promise<RaMaterial> {
  const keys = await generateKeyPair(ca.keyAlgorithm === 'RSA-2048' ? 'RSA-2048' : 'RSA-3072');
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: toBytes(options.serial).buffer as ArrayBuffer });
  cert.issuer = ca.certificate.subject;
  cert.subject = buildName({ commonName: raCommonName(ca) });
  cert.notBefore = buildTime(options.notBefore);
  cert.notAfter = buildTime(options.notAfter);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(toBytes(keys.spkiDer));
  const ski = await computeKeyIdentifier(cert.subjectPublicKeyInfo);
  cert.extensions = [
    buildExtension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: false })),
    buildExtension(OID.keyUsage, true, buildKeyUsage(['digitalSignature', 'keyEncipherment'])),
    buildExtension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: ski })),
    buildExtension(
      OID.authorityKeyIdentifier,
      false,
      new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: ca.subjectKeyIdentifier }) }),
    ),
  ];
  await cert.sign(ca.signingKey, 'SHA-256', ca.engine);
  return { certificateDer: toBytes(cert.toSchema(true).toBER(false)), privateKeyPkcs8: keys.privateKeyPkcs8 };
}

/**
 * Loads an RA and checks it before use: RSA key matching the certificate, digitalSignature +
 * keyEncipherment, issued (and signed) by `ca`. Throws certificate_rejected otherwise, so a
 * stale RA from another CA is replaced rather than served.
 */
export function loadScepRa(material: RaMaterial, ca: CaSigner): ScepRa {
  let x509: X509Certificate;
  let keyObject: KeyObject;
  try {
    x509 = new X509Certificate(material.certificateDer);
    keyObject = createPrivateKey({ key: Buffer.from(material.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new AppError('certificate_rejected', 'the SCEP RA certificate or key does not parse', { cause: cause instanceof Error ? new Error(cause.name) : undefined });
  }
  if (keyObject.asymmetricKeyType !== 'rsa') throw new AppError('certificate_rejected', 'the SCEP RA key must be RSA');
  const probe = Buffer.from('smime-portal scep ra key check');
  if (!verify('sha256', probe, x509.publicKey, sign('sha256', probe, keyObject))) {
    throw new AppError('certificate_rejected', 'the SCEP RA key does not match its certificate');
  }
  const caX509 = new X509Certificate(ca.certificateDer);
  if (!x509.checkIssued(caX509) || !x509.verify(caX509.publicKey)) {
    throw new AppError('certificate_rejected', 'the SCEP RA certificate was not issued by the active CA');
  }
  if (!hasRaKeyUsage(material.certificateDer)) {
    throw new AppError('certificate_rejected', 'the SCEP RA certificate lacks digitalSignature + keyEncipherment');
  }
  return {
    ...recipientKeyOf(material.certificateDer, keyObject),
    certificateDer: toBytes(material.certificateDer),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
  };
}

/** How a RecipientInfo may name this certificate's key: IssuerAndSerialNumber or SKI. */
export function recipientKeyOf(certificateDer: Uint8Array, keyObject: KeyObject): RecipientKey {
  const tbs = children(expectTag(children(expectTag(readRoot(certificateDer), 0x30, 'certificate'))[0], 0x30, 'tbsCertificate'));
  const at = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const issuerAndSerialDer = seq(encoding(expectTag(tbs[at + 2], 0x30, 'issuer')), encoding(expectTag(tbs[at], 0x02, 'serial')));
  const cert = pkijs.Certificate.fromBER(toBytes(certificateDer));
  const ski = cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier)?.parsedValue;
  return {
    issuerAndSerialDer,
    subjectKeyIdentifier: ski instanceof asn1js.OctetString ? new Uint8Array(ski.valueBlock.valueHexView) : null,
    keyObject,
  };
}

function hasRaKeyUsage(certificateDer: Uint8Array): boolean {
  const cert = pkijs.Certificate.fromBER(toBytes(certificateDer));
  const ku = cert.extensions?.find((e) => e.extnID === OID.keyUsage)?.parsedValue;
  if (!(ku instanceof asn1js.BitString)) return false;
  const first = ku.valueBlock.valueHexView[0] ?? 0;
  // Bit 0 (digitalSignature) is the byte's top bit, bit 2 (keyEncipherment) the third.
  return (first & 0x80) !== 0 && (first & 0x20) !== 0;
}
