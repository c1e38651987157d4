/**
 * Our certificates carry sha256WithRSAEncryption with NULL parameters now; those issued before
 * carry it without (nothing is re-issued). Every reader of our certificates must take both: the
 * stored-field reader, the PKCS #12 trust anchors' fast signature check, the SCEP certificate
 * readers, and pkijs verification (S/MIME chain checks).
 */
import { createPrivateKey } from 'node:crypto';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../../shared/pki/certificate-info.ts';
import { type CaSigner, createCa, loadCa } from '../../pki/ca.ts';
import { generateKeyPair } from '../../pki/generate-key-pair.ts';
import { issueCertificate } from '../../pki/issue-certificate.ts';
import { createRaCertificate, loadScepRa, recipientKeyOf } from '../../pki/scep/ra-certificate.ts';
import { readSignerCertificate } from '../../pki/scep/signer-certificate.ts';
import { SHA256_WITH_RSA_BARE, SHA256_WITH_RSA_NULL, signatureAlgorithmsOf, withoutRsaNull } from '../../pki/testing/signature-algorithms.ts';
import { createCryptoEngine, toBytes } from '../../pki/x509-builders.ts';
import { certificateFields } from '../credentials/credential-service.ts';
import { createTrustAnchors } from '../credentials/trust-anchors.ts';
import { issuedCertificateFields } from './issued-certificate-fields.ts';

const NOW = new Date('2026-01-15T10:00:00Z');
const LATER = new Date('2027-01-15T10:00:00Z');
let ca: CaSigner;
/** The same CA certificate without the NULL, as a CA created before carries it. */
let legacyCa: CaSigner;
/** An issued leaf with the NULL, and the same leaf without it (re-signed by the CA). */
let leaves: { current: Uint8Array; legacy: Uint8Array };

beforeAll(async () => {
  const material = await createCa({ commonName: 'Forms Root', keyAlgorithm: 'RSA-2048', validityYears: 5, now: NOW });
  ca = await loadCa(material);
  const caKey = createPrivateKey({ key: Buffer.from(material.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
  legacyCa = await loadCa({ certificateDer: withoutRsaNull(material.certificateDer, caKey), privateKeyPkcs8: material.privateKeyPkcs8 });
  const { spkiDer } = await generateKeyPair('RSA-2048');
  const current = await issueCertificate(ca, { spkiDer, email: 'old@example.org', purpose: 'smimeSigning', notBefore: NOW, notAfter: LATER, crlUrl: 'http://127.0.0.1/crl' });
  leaves = { current, legacy: withoutRsaNull(current, ca.keyObject) };
  expect(signatureAlgorithmsOf(leaves.current)).toEqual({ tbs: SHA256_WITH_RSA_NULL, outer: SHA256_WITH_RSA_NULL });
  expect(signatureAlgorithmsOf(leaves.legacy)).toEqual({ tbs: SHA256_WITH_RSA_BARE, outer: SHA256_WITH_RSA_BARE });
});

/** The certificate with one bit of its signature flipped. */
function tampered(der: Uint8Array): Uint8Array {
  const copy = new Uint8Array(der);
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01;
  return copy;
}

describe('certificates with and without the sha256WithRSAEncryption NULL', () => {
  it('issuedCertificateFields reads both as parseCertificate does', async () => {
    for (const der of [leaves.current, leaves.legacy]) {
      expect(issuedCertificateFields(der, ca)).toEqual(certificateFields(await parseCertificate(der)));
    }
    expect(issuedCertificateFields(leaves.legacy, ca).serialHex).toBe(issuedCertificateFields(leaves.current, ca).serialHex);
  });

  it('trust anchors take the fast signature check for both, under either form of the CA certificate, and refuse a bad signature', async () => {
    for (const anchor of [ca.certificateDer, legacyCa.certificateDer]) {
      const anchors = createTrustAnchors([anchor], { systemRoots: false });
      for (const der of [leaves.current, leaves.legacy]) {
        expect(await anchors.isTrusted(der, [])).toBe(true);
        expect(await anchors.isTrusted(tampered(der), [])).toBe(false);
      }
    }
  });

  it('the SCEP readers read both (signer certificate, RA recipient key, RA load)', async () => {
    const current = readSignerCertificate(leaves.current);
    const legacy = readSignerCertificate(leaves.legacy);
    expect(Buffer.from(legacy.serialDer)).toEqual(Buffer.from(current.serialDer));
    expect(Buffer.from(legacy.issuerDer)).toEqual(Buffer.from(current.issuerDer));
    expect(legacy.keyAlgorithm).toBe('1.2.840.113549.1.1.1');
    const raMaterial = await createRaCertificate(ca, { notBefore: NOW, notAfter: LATER, serial: new Uint8Array([0x55]) });
    const legacyRa = { ...raMaterial, certificateDer: withoutRsaNull(raMaterial.certificateDer, ca.keyObject) };
    for (const [material, signer] of [[raMaterial, ca], [legacyRa, ca], [raMaterial, legacyCa], [legacyRa, legacyCa]] as const) {
      const ra = loadScepRa(material, signer);
      expect(ra.issuerAndSerialDer).toEqual(recipientKeyOf(raMaterial.certificateDer, ra.keyObject).issuerAndSerialDer);
      expect(ra.subjectKeyIdentifier).not.toBeNull();
    }
  });

  it('pkijs verifies both against either form of the CA certificate', async () => {
    const engine = createCryptoEngine();
    for (const issuer of [ca.certificate, legacyCa.certificate]) {
      for (const der of [leaves.current, leaves.legacy]) {
        expect(await pkijs.Certificate.fromBER(toBytes(der)).verify(issuer, engine)).toBe(true);
        expect(await pkijs.Certificate.fromBER(toBytes(tampered(der))).verify(issuer, engine)).toBe(false);
      }
    }
  });
});
