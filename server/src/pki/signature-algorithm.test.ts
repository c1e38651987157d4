/**
 * The signature AlgorithmIdentifier of everything the CA signs: sha256WithRSAEncryption with
 * NULL parameters (RFC 4055 §5, RFC 8017 A.2.4), in the signed part and the outer field alike;
 * ecdsa-with-SHA256 without parameters (RFC 5758 §3.2). Read with our DER reader and, as a
 * second opinion, with `openssl asn1parse`; the results must still verify under OpenSSL.
 */
import { createPrivateKey } from 'node:crypto';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaMaterial, type CaSigner, createCa, loadCa } from './ca.ts';
import { buildCrl } from './crl.ts';
import { generateKeyPair } from './generate-key-pair.ts';
import { issueCertificate } from './issue-certificate.ts';
import { createRaCertificate, loadScepRa } from './scep/ra-certificate.ts';
import { createOpensslWorkspace, toPem } from './testing/openssl.ts';
import { ECDSA_WITH_SHA256, SHA256_WITH_RSA_BARE, SHA256_WITH_RSA_NULL, signatureAlgorithmsOf, withoutRsaNull } from './testing/signature-algorithms.ts';
import { createCryptoEngine, toHex } from './x509-builders.ts';

const NOW = new Date('2026-01-15T10:00:00Z');
const LATER = new Date('2027-01-15T10:00:00Z');
const AT = String(Math.floor(NOW.getTime() / 1000) + 3600);
const ws = createOpensslWorkspace();
interface TestCa {
  material: CaMaterial;
  ca: CaSigner;
}
let rsa: TestCa;
let ec: TestCa;

async function makeCa(commonName: string, keyAlgorithm: 'RSA-2048' | 'EC-P256'): Promise<TestCa> {
  const material = await createCa({ commonName, keyAlgorithm, validityYears: 5, now: NOW });
  return { material, ca: await loadCa(material) };
}

beforeAll(async () => {
  rsa = await makeCa('RSA Root', 'RSA-2048');
  ec = await makeCa('EC Root', 'EC-P256');
});
afterAll(() => ws.cleanup());

/** Everything a CA signs: its own certificate, issued RSA and EC leaves, the RA, a CRL. */
async function signedBy(ca: CaSigner, caDer: Uint8Array) {
  const request = { email: 'alice@example.org', notBefore: NOW, notAfter: LATER, crlUrl: 'http://127.0.0.1/crl', purpose: 'smimeSigning' as const };
  return {
    ca: caDer,
    rsaLeaf: await issueCertificate(ca, { ...request, spkiDer: (await generateKeyPair('RSA-2048')).spkiDer }),
    ecLeaf: await issueCertificate(ca, { ...request, spkiDer: (await generateKeyPair('EC-P256')).spkiDer }),
    ra: (await createRaCertificate(ca, { notBefore: NOW, notAfter: LATER, serial: new Uint8Array([0x11, 0x22]) })).certificateDer,
    crl: await buildCrl(ca, { revoked: [{ serialHex: '1122', revokedAt: NOW }], thisUpdate: NOW, nextUpdate: LATER, crlNumber: 3 }),
  };
}

/** The AlgorithmIdentifiers `openssl asn1parse` sees: OID name plus `NULL` when a NULL follows. */
function asn1parseAlgorithms(name: string, der: Uint8Array): string[] {
  const lines = ws.run(['asn1parse', '-inform', 'DER', '-in', ws.write(name, der)]).output.split('\n');
  const found: string[] = [];
  lines.forEach((line, i) => {
    const match = /prim: OBJECT\s+:(sha256WithRSAEncryption|ecdsa-with-SHA256)\s*$/.exec(line);
    if (match) found.push(/prim: NULL/.test(lines[i + 1] ?? '') ? `${match[1]} NULL` : `${match[1]}`);
  });
  return found;
}

function opensslVerify(caDer: Uint8Array, leafDer: Uint8Array, purpose: string): string {
  const caPem = ws.write('verify-ca.pem', toPem(caDer, 'CERTIFICATE'));
  const leafPem = ws.write('verify-leaf.pem', toPem(leafDer, 'CERTIFICATE'));
  return ws.run(['verify', '-attime', AT, '-CAfile', caPem, '-purpose', purpose, leafPem]).output;
}

function opensslCrlVerify(caDer: Uint8Array, crlDer: Uint8Array): string {
  const caPem = ws.write('crl-ca.pem', toPem(caDer, 'CERTIFICATE'));
  return ws.run(['crl', '-inform', 'DER', '-in', ws.write('verify.crl', crlDer), '-noout', '-verify', '-CAfile', caPem]).output;
}

describe('signature AlgorithmIdentifier', () => {
  it('createCryptoEngine adds the NULL to RSASSA-PKCS1-v1_5 only: ECDSA and RSA-PSS stay as plain pkijs makes them', async () => {
    const rsaKey = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    const keys = {
      rsa: await crypto.subtle.generateKey(rsaKey, false, ['sign', 'verify']),
      pss: await crypto.subtle.generateKey({ ...rsaKey, name: 'RSA-PSS' }, false, ['sign', 'verify']),
      ecdsa: await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']),
    };
    const plain = new pkijs.CryptoEngine({ name: 'plain', crypto: globalThis.crypto });
    const encode = async (engine: pkijs.CryptoEngine, key: CryptoKey) => toHex(new Uint8Array((await engine.getSignatureParameters(key, 'SHA-256')).signatureAlgorithm.toSchema().toBER(false)));
    expect(await encode(createCryptoEngine(), keys.rsa.privateKey)).toBe(SHA256_WITH_RSA_NULL);
    expect(await encode(plain, keys.rsa.privateKey)).toBe(SHA256_WITH_RSA_BARE);
    expect(await encode(createCryptoEngine(), keys.ecdsa.privateKey)).toBe(ECDSA_WITH_SHA256);
    const pss = await encode(createCryptoEngine(), keys.pss.privateKey);
    expect(pss).toBe(await encode(plain, keys.pss.privateKey));
    expect(pss.startsWith('06092a864886f70d01010a', 4)).toBe(true);
  });

  it('RSA CA: sha256WithRSAEncryption with NULL in both places of its certificate, issued certificates, the RA and the CRL', async () => {
    const signed = await signedBy(rsa.ca, rsa.material.certificateDer);
    for (const [name, der] of Object.entries(signed)) {
      expect({ name, ...signatureAlgorithmsOf(der) }).toEqual({ name, tbs: SHA256_WITH_RSA_NULL, outer: SHA256_WITH_RSA_NULL });
      expect({ name, openssl: asn1parseAlgorithms(`${name}.der`, der) }).toEqual({ name, openssl: ['sha256WithRSAEncryption NULL', 'sha256WithRSAEncryption NULL'] });
    }
  });

  it('EC CA: ecdsa-with-SHA256 without parameters, the RSA-keyed RA included', async () => {
    const signed = await signedBy(ec.ca, ec.material.certificateDer);
    for (const [name, der] of Object.entries(signed)) {
      expect({ name, ...signatureAlgorithmsOf(der) }).toEqual({ name, tbs: ECDSA_WITH_SHA256, outer: ECDSA_WITH_SHA256 });
      expect({ name, openssl: asn1parseAlgorithms(`ec-${name}.der`, der) }).toEqual({ name, openssl: ['ecdsa-with-SHA256', 'ecdsa-with-SHA256'] });
    }
  });

  it('still verifies: OpenSSL smimesign for issued certificates, the CRL signature, the RA chain (node:crypto)', async () => {
    for (const { material, ca } of [rsa, ec]) {
      const signed = await signedBy(ca, material.certificateDer);
      expect(opensslVerify(material.certificateDer, material.certificateDer, 'any')).toContain(': OK');
      expect(opensslVerify(material.certificateDer, signed.rsaLeaf, 'smimesign')).toContain(': OK');
      expect(opensslVerify(material.certificateDer, signed.ecLeaf, 'smimesign')).toContain(': OK');
      expect(opensslCrlVerify(material.certificateDer, signed.crl)).toContain('verify OK');
      const raKeys = await createRaCertificate(ca, { notBefore: NOW, notAfter: LATER, serial: new Uint8Array([0x33]) });
      expect(loadScepRa(raKeys, ca).certificateDer).toEqual(raKeys.certificateDer);
    }
  });

  it('a CA certificate made before the NULL (no parameters) still loads, and what it signs now carries the NULL and verifies', async () => {
    const legacyDer = withoutRsaNull(rsa.material.certificateDer, createPrivateKey({ key: Buffer.from(rsa.material.privateKeyPkcs8), format: 'der', type: 'pkcs8' }));
    expect(signatureAlgorithmsOf(legacyDer)).toEqual({ tbs: SHA256_WITH_RSA_BARE, outer: SHA256_WITH_RSA_BARE });
    expect(opensslVerify(legacyDer, legacyDer, 'any')).toContain(': OK');
    const legacyCa = await loadCa({ certificateDer: legacyDer, privateKeyPkcs8: rsa.material.privateKeyPkcs8 });
    const signed = await signedBy(legacyCa, legacyDer);
    for (const name of ['rsaLeaf', 'ecLeaf', 'ra', 'crl'] as const) {
      expect({ name, ...signatureAlgorithmsOf(signed[name]) }).toEqual({ name, tbs: SHA256_WITH_RSA_NULL, outer: SHA256_WITH_RSA_NULL });
    }
    expect(opensslVerify(legacyDer, signed.rsaLeaf, 'smimesign')).toContain(': OK');
    expect(opensslCrlVerify(legacyDer, signed.crl)).toContain('verify OK');
    const raKeys = await createRaCertificate(legacyCa, { notBefore: NOW, notAfter: LATER, serial: new Uint8Array([0x44]) });
    expect(loadScepRa(raKeys, legacyCa).certificateDer).toEqual(raKeys.certificateDer);
  });
});
