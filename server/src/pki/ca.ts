/**
 * The built-in certification authority: creation of a self-signed root and loading it into a
 * `CaSigner`, the object every issuing function takes. No module state: each loaded CA owns its
 * keys and its pkijs engine.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../errors.ts';
import { generateKeyPair, type KeyAlgorithm, signingParams } from './generate-key-pair.ts';
import { randomSerial } from './serial.ts';
import {
  buildExtension,
  buildKeyUsage,
  buildName,
  buildTime,
  computeKeyIdentifier,
  createCryptoEngine,
  OID,
  toBytes,
} from './x509-builders.ts';

export interface CreateCaOptions {
  commonName: string;
  organization?: string;
  keyAlgorithm: KeyAlgorithm;
  validityYears: number;
  now: Date;
}

export interface CaMaterial {
  certificateDer: Uint8Array;
  /** PKCS #8 DER of the CA key: seal it with the vault, never log it. */
  privateKeyPkcs8: Uint8Array;
}

/** A loaded CA, ready to sign certificates, CRLs and SCEP replies. */
export interface CaSigner {
  readonly certificateDer: Uint8Array;
  readonly certificate: pkijs.Certificate;
  readonly keyAlgorithm: KeyAlgorithm;
  /** WebCrypto signing key (non-extractable). */
  readonly signingKey: CryptoKey;
  /** The same key as a node:crypto object, for RSA key transport (SCEP) which WebCrypto lacks. */
  readonly keyObject: KeyObject;
  readonly subjectKeyIdentifier: Uint8Array;
  readonly engine: pkijs.CryptoEngine;
}

/**
 * Creates a self-signed root CA: basicConstraints CA (critical), keyUsage keyCertSign + cRLSign
 * (critical), subject key identifier.
 */
export async function createCa(options: CreateCaOptions): Promise<CaMaterial> {
  if (!Number.isInteger(options.validityYears) || options.validityYears < 1 || options.validityYears > 30) {
    throw new AppError('validation_failed', 'validityYears must be an integer between 1 and 30');
  }
  if (options.commonName.trim() === '') {
    throw new AppError('validation_failed', 'commonName must not be empty');
  }
  const keys = await generateKeyPair(options.keyAlgorithm);
  const engine = createCryptoEngine();
  const signingKey = await importSigningKey(keys.privateKeyPkcs8, options.keyAlgorithm);

  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: randomSerial().buffer as ArrayBuffer });
  const name = buildName({ commonName: options.commonName, organization: options.organization });
  cert.subject = name;
  cert.issuer = name;
  cert.notBefore = buildTime(options.now);
  const notAfter = new Date(options.now.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + options.validityYears);
  cert.notAfter = buildTime(notAfter);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(toBytes(keys.spkiDer));
  const ski = await computeKeyIdentifier(cert.subjectPublicKeyInfo);
  cert.extensions = [
    buildExtension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: true })),
    buildExtension(OID.keyUsage, true, buildKeyUsage(['keyCertSign', 'cRLSign'])),
    buildExtension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: ski })),
  ];
  await cert.sign(signingKey, 'SHA-256', engine);
  return {
    certificateDer: toBytes(cert.toSchema(true).toBER(false)),
    privateKeyPkcs8: keys.privateKeyPkcs8,
  };
}

/**
 * Loads a CA certificate and its private key. Checks that the key matches the certificate and
 * that the certificate is a CA, so a mixed-up key never signs anything.
 */
export async function loadCa(material: CaMaterial): Promise<CaSigner> {
  let certificate: pkijs.Certificate;
  try {
    certificate = pkijs.Certificate.fromBER(toBytes(material.certificateDer));
  } catch (cause) {
    throw new AppError('certificate_rejected', 'CA certificate is not valid DER', { cause });
  }
  const keyAlgorithm = detectKeyAlgorithm(certificate.subjectPublicKeyInfo);
  const bc = certificate.extensions?.find((e) => e.extnID === OID.basicConstraints);
  if (!(bc?.parsedValue instanceof pkijs.BasicConstraints) || !bc.parsedValue.cA) {
    throw new AppError('certificate_rejected', 'CA certificate lacks basicConstraints cA=true');
  }
  let keyObject: KeyObject;
  let signingKey: CryptoKey;
  try {
    keyObject = createPrivateKey({ key: Buffer.from(material.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
    signingKey = await importSigningKey(material.privateKeyPkcs8, keyAlgorithm);
  } catch (cause) {
    // The cause may quote key bytes in some engines; keep only its message class.
    throw new AppError('certificate_rejected', 'CA private key could not be imported', {
      cause: cause instanceof Error ? new Error(cause.name) : undefined,
    });
  }
  const engine = createCryptoEngine();
  await assertKeyMatches(certificate, signingKey, keyAlgorithm);
  return {
    certificateDer: toBytes(material.certificateDer),
    certificate,
    keyAlgorithm,
    signingKey,
    keyObject,
    subjectKeyIdentifier: await computeKeyIdentifier(certificate.subjectPublicKeyInfo),
    engine,
  };
}

async function importSigningKey(pkcs8: Uint8Array, alg: KeyAlgorithm): Promise<CryptoKey> {
  const params = signingParams(alg);
  const importParams =
    params.name === 'ECDSA' ? params : { name: params.name, hash: (params as RsaHashedKeyGenParams).hash };
  return globalThis.crypto.subtle.importKey('pkcs8', toBytes(pkcs8), importParams, false, ['sign']);
}

function detectKeyAlgorithm(spki: pkijs.PublicKeyInfo): KeyAlgorithm {
  const oid = spki.algorithm.algorithmId;
  if (oid === OID.ecPublicKey) return 'EC-P256';
  if (oid === OID.rsaEncryption) {
    const rsa = spki.parsedKey;
    const bits = rsa instanceof pkijs.RSAPublicKey ? rsa.modulus.valueBlock.valueHexView.length * 8 : 0;
    // The modulus INTEGER may carry a leading zero byte.
    return bits >= 3072 ? 'RSA-3072' : 'RSA-2048';
  }
  throw new AppError('certificate_rejected', `unsupported CA key algorithm ${oid}`);
}

/** Signs a probe and verifies it with the certificate's public key. */
async function assertKeyMatches(cert: pkijs.Certificate, key: CryptoKey, alg: KeyAlgorithm): Promise<void> {
  const probe = new TextEncoder().encode('smime-portal ca key check');
  const params = signingParams(alg);
  const sigParams = params.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: params.name };
  const signature = await globalThis.crypto.subtle.sign(sigParams, key, probe);
  const spkiDer = cert.subjectPublicKeyInfo.toSchema().toBER(false);
  const importParams =
    params.name === 'ECDSA' ? params : { name: params.name, hash: (params as RsaHashedKeyGenParams).hash };
  const publicKey = await globalThis.crypto.subtle.importKey('spki', spkiDer, importParams, false, ['verify']);
  if (!(await globalThis.crypto.subtle.verify(sigParams, publicKey, signature, probe))) {
    throw new AppError('certificate_rejected', 'CA private key does not match the CA certificate');
  }
}
