import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { type CaSigner, createCa, loadCa } from './ca.ts';
import { generateKeyPair } from './generate-key-pair.ts';
import { issueCertificate } from './issue-certificate.ts';
import { createOpensslWorkspace, toPem } from './testing/openssl.ts';
import { SHA256_WITH_RSA_NULL, signatureAlgorithmsOf } from './testing/signature-algorithms.ts';

const NOW = new Date('2026-01-15T10:00:00Z');
const NOT_AFTER = new Date('2027-01-15T10:00:00Z');
const AT = String(Math.floor(NOW.getTime() / 1000) + 3600);
const ws = createOpensslWorkspace();
let ca: CaSigner;
let caPem: string;

beforeAll(async () => {
  const material = await createCa({ commonName: 'Portal Root', keyAlgorithm: 'RSA-2048', validityYears: 5, now: NOW });
  ca = await loadCa(material);
  caPem = ws.write('ca.pem', toPem(material.certificateDer, 'CERTIFICATE'));
});
afterAll(() => ws.cleanup());

const base = {
  email: 'alice@example.org',
  notBefore: NOW,
  notAfter: NOT_AFTER,
  crlUrl: 'http://127.0.0.1:8080/crl/root.crl',
};

function opensslVerify(certPem: string, purpose: string) {
  return ws.run(['verify', '-attime', AT, '-CAfile', caPem, '-purpose', purpose, certPem]);
}

describe('issueCertificate', () => {
  it('issues a signing certificate openssl accepts for smimesign (golden extensions)', async () => {
    const { spkiDer } = await generateKeyPair('EC-P256');
    const serial = new Uint8Array([0x12, 0x34, 0x56, 0x78]);
    const der = await issueCertificate(ca, { ...base, spkiDer, displayName: 'Alice Liddell', purpose: 'smimeSigning', serial });
    const pem = ws.write('sign.pem', toPem(der, 'CERTIFICATE'));
    expect(opensslVerify(pem, 'smimesign').output).toContain(': OK');
    const text = ws.run(['x509', '-in', pem, '-noout', '-text']).output;
    expect(text).toContain('Serial Number: 305419896 (0x12345678)');
    expect(text).toContain('Not Before: Jan 15 10:00:00 2026 GMT');
    expect(text).toContain('Not After : Jan 15 10:00:00 2027 GMT');
    expect(text).toContain('Subject: CN = Alice Liddell, emailAddress = alice@example.org');
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
    expect(text).toMatch(/Extended Key Usage: \s+E-mail Protection/);
    expect(text).toMatch(/Subject Alternative Name: \s+email:alice@example.org/);
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toContain('X509v3 Subject Key Identifier');
    expect(text).toMatch(/CRL Distribution Points: \s+Full Name:\s+URI:http:\/\/127.0.0.1:8080\/crl\/root.crl/);
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(signatureAlgorithmsOf(der)).toEqual({ tbs: SHA256_WITH_RSA_NULL, outer: SHA256_WITH_RSA_NULL });
    expect(opensslVerify(pem, 'smimeencrypt').output).not.toContain(': OK');
  });

  it('issues an RSA encryption certificate (keyEncipherment) valid for smimeencrypt only', async () => {
    const { spkiDer } = await generateKeyPair('RSA-2048');
    const der = await issueCertificate(ca, { ...base, spkiDer, purpose: 'smimeEncryption' });
    const pem = ws.write('enc.pem', toPem(der, 'CERTIFICATE'));
    expect(opensslVerify(pem, 'smimeencrypt').output).toContain(': OK');
    expect(opensslVerify(pem, 'smimesign').output).not.toContain(': OK');
    const text = ws.run(['x509', '-in', pem, '-noout', '-text']).output;
    expect(text).toMatch(/Key Usage: critical\s+Key Encipherment\n/);
    expect(text).toContain('Subject: CN = alice@example.org, emailAddress = alice@example.org');
  });

  it('uses keyAgreement for EC encryption keys', async () => {
    const { spkiDer } = await generateKeyPair('EC-P256');
    const der = await issueCertificate(ca, { ...base, spkiDer, purpose: 'smimeEncryption', subjectEmailAddress: false });
    const pem = ws.write('enc-ec.pem', toPem(der, 'CERTIFICATE'));
    const text = ws.run(['x509', '-in', pem, '-noout', '-text']).output;
    expect(text).toMatch(/Key Usage: critical\s+Key Agreement\n/);
    expect(text).toContain('Subject: CN = alice@example.org\n');
    // OpenSSL's smimeencrypt purpose insists on keyEncipherment, so only the chain is checked here.
    expect(ws.run(['verify', '-attime', AT, '-CAfile', caPem, pem]).output).toContain(': OK');
  });

  it('gives random positive 16-byte serials', async () => {
    const { spkiDer } = await generateKeyPair('EC-P256');
    const serials = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const der = await issueCertificate(ca, { ...base, spkiDer, purpose: 'smimeSigning' });
      const pem = ws.write('s.pem', toPem(der, 'CERTIFICATE'));
      const serial = ws.run(['x509', '-in', pem, '-noout', '-serial']).output.trim().replace('serial=', '');
      expect(serial).toMatch(/^[0-7][0-9A-F]{31}$/);
      expect(serial.slice(0, 2)).not.toBe('00');
      serials.add(serial);
    }
    expect(serials.size).toBe(20);
  });

  it('rejects weak keys, bad emails, bad serials and inverted dates', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' });
    const { spkiDer } = await generateKeyPair('EC-P256');
    const cases = [
      { ...base, spkiDer: new Uint8Array(weak), purpose: 'smimeSigning' as const },
      { ...base, spkiDer, email: 'not an email', purpose: 'smimeSigning' as const },
      { ...base, spkiDer, serial: new Uint8Array([0x80, 1]), purpose: 'smimeSigning' as const },
      { ...base, spkiDer, serial: new Uint8Array([0x00, 1]), purpose: 'smimeSigning' as const },
      { ...base, spkiDer, notAfter: NOW, purpose: 'smimeSigning' as const },
      { ...base, spkiDer: new Uint8Array([1, 2, 3]), purpose: 'smimeSigning' as const },
    ];
    for (const request of cases) {
      const error = await issueCertificate(ca, request).catch((e) => e);
      expect(isAppError(error)).toBe(true);
    }
  });
});
