/**
 * issueCertificate writes its DER directly; these tests hold it to the bytes the pkijs object
 * model writes (kept below as the reference, signed through the CA's engine, whose RSA
 * AlgorithmIdentifiers carry the RFC 4055 NULL), and to OpenSSL for SPKIs sent in BER.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaSigner, createCa, loadCa } from './ca.ts';
import { generateKeyPair, type KeyAlgorithm } from './generate-key-pair.ts';
import { checkSubjectKey, type IssueCertificateRequest, issueCertificate } from './issue-certificate.ts';
import { profileFor } from './profiles.ts';
import { children, encoding, readRoot } from './scep/der.ts';
import { createOpensslWorkspace, toPem } from './testing/openssl.ts';
import { ECDSA_WITH_SHA256, SHA256_WITH_RSA_NULL, signatureAlgorithmsOf } from './testing/signature-algorithms.ts';
import { buildExtension, buildKeyUsage, buildName, buildTime, computeKeyIdentifier, OID, toBytes } from './x509-builders.ts';

const NOW = new Date('2026-01-15T10:00:00Z');
const ws = createOpensslWorkspace();
const cas = new Map<KeyAlgorithm, CaSigner>();

beforeAll(async () => {
  for (const keyAlgorithm of ['RSA-2048', 'EC-P256'] as const) {
    cas.set(keyAlgorithm, await loadCa(await createCa({ commonName: 'Portal Root', organization: 'Example Org', keyAlgorithm, validityYears: 5, now: NOW })));
  }
});
afterAll(() => ws.cleanup());

/**
 * The pkijs builder issueCertificate used before it wrote DER itself (validation left out). It
 * signs with `ca.engine` (createCryptoEngine), which sets the signature AlgorithmIdentifier.
 */
async function pkijsReference(ca: CaSigner, request: IssueCertificateRequest & { serial: Uint8Array }): Promise<Uint8Array> {
  const spki = pkijs.PublicKeyInfo.fromBER(toBytes(request.spkiDer));
  const profile = profileFor(request.purpose, spki.algorithm.algorithmId === OID.rsaEncryption ? 'rsa' : 'ec');
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: toBytes(request.serial).buffer as ArrayBuffer });
  cert.issuer = ca.certificate.subject;
  const displayName = request.displayName?.trim();
  cert.subject = buildName({ commonName: displayName || request.email, emailAddress: request.subjectEmailAddress === false ? undefined : request.email });
  cert.notBefore = buildTime(request.notBefore);
  cert.notAfter = buildTime(request.notAfter);
  cert.subjectPublicKeyInfo = spki;
  const ski = await computeKeyIdentifier(spki);
  const san = new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 1, value: request.email })] });
  const crlDp = new pkijs.CRLDistributionPoints({
    distributionPoints: [new pkijs.DistributionPoint({ distributionPoint: [new pkijs.GeneralName({ type: 6, value: request.crlUrl })] })],
  });
  cert.extensions = [
    buildExtension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: false })),
    buildExtension(OID.keyUsage, true, buildKeyUsage(profile.keyUsage)),
    buildExtension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [...profile.extKeyUsage] })),
    buildExtension(OID.subjectAltName, false, san),
    buildExtension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: ski })),
    buildExtension(OID.authorityKeyIdentifier, false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: ca.subjectKeyIdentifier }) })),
    buildExtension(OID.crlDistributionPoints, false, crlDp),
  ];
  await cert.sign(ca.signingKey, 'SHA-256', ca.engine);
  return toBytes(cert.toSchema(true).toBER(false));
}

const tbsOf = (der: Uint8Array) => Buffer.from(encoding(children(readRoot(der))[0]!)).toString('hex');

describe('issueCertificate DER', () => {
  it('writes the bytes the pkijs builder wrote (RSA CA: whole certificate; EC CA: to be signed part)', async () => {
    const keys = await Promise.all((['RSA-2048', 'EC-P256'] as const).map((alg) => generateKeyPair(alg)));
    const periods = [
      [new Date('2026-01-15T10:00:00.123Z'), new Date('2027-01-15T10:00:00Z')],
      [new Date('2049-06-01T00:00:00Z'), new Date('2051-02-03T04:05:06.999Z')], // UTCTime, then GeneralizedTime
    ] as const;
    let compared = 0;
    for (const [alg, ca] of cas) {
      for (const { spkiDer } of keys) {
        for (const [notBefore, notAfter] of periods) {
          for (const purpose of ['smimeSigning', 'smimeEncryption'] as const) {
            for (const extra of [{}, { displayName: ' Ålice "L", +1 ' }, { subjectEmailAddress: false }]) {
              const request = { spkiDer, email: 'alice@example.org', notBefore, notAfter, purpose, crlUrl: 'http://127.0.0.1:8080/crl', serial: new Uint8Array([0, 0x81, 2]), ...extra };
              const ours = await issueCertificate(ca, request);
              const reference = await pkijsReference(ca, request);
              // Both sides must carry the encoding under test, not merely agree with each other.
              const algorithm = alg === 'RSA-2048' ? SHA256_WITH_RSA_NULL : ECDSA_WITH_SHA256;
              expect(signatureAlgorithmsOf(reference)).toEqual({ tbs: algorithm, outer: algorithm });
              expect(signatureAlgorithmsOf(ours)).toEqual({ tbs: algorithm, outer: algorithm });
              if (alg === 'RSA-2048') expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(reference).toString('hex'));
              else expect(tbsOf(ours)).toBe(tbsOf(reference));
              compared++;
            }
          }
        }
      }
    }
    expect(compared).toBe(48);
  });

  it('verifies under OpenSSL with an EC CA (ECDSA signature in DER)', async () => {
    const { spkiDer } = await generateKeyPair('RSA-2048');
    const ca = cas.get('EC-P256')!;
    const der = await issueCertificate(ca, { spkiDer, email: 'bob@example.org', purpose: 'smimeEncryption', notBefore: NOW, notAfter: new Date('2027-01-15T10:00:00Z'), crlUrl: 'http://127.0.0.1/crl' });
    const caPem = ws.write('ec-ca.pem', toPem(ca.certificateDer, 'CERTIFICATE'));
    const pem = ws.write('ec-leaf.pem', toPem(der, 'CERTIFICATE'));
    expect(ws.run(['verify', '-attime', String(NOW.getTime() / 1000 + 60), '-CAfile', caPem, '-purpose', 'smimeencrypt', pem]).output).toContain(': OK');
  });

  it('carries a BER-encoded SubjectPublicKeyInfo as DER', async () => {
    const { spkiDer } = await generateKeyPair('EC-P256');
    // The same SPKI with indefinite lengths on both SEQUENCEs (BER, as some clients send).
    const [algorithm, key] = children(readRoot(spkiDer));
    const ber = Buffer.concat([Buffer.from([0x30, 0x80, 0x30, 0x80]), ...children(algorithm!).map(encoding), Buffer.from([0, 0]), encoding(key!), Buffer.from([0, 0])]);
    expect(Buffer.from(checkSubjectKey(new Uint8Array(ber)).spkiDer).equals(Buffer.from(spkiDer))).toBe(true);
    const ca = cas.get('RSA-2048')!;
    const der = await issueCertificate(ca, { spkiDer: new Uint8Array(ber), email: 'carol@example.org', purpose: 'smimeSigning', notBefore: NOW, notAfter: new Date('2027-01-15T10:00:00Z'), crlUrl: 'http://127.0.0.1/crl' });
    const pem = ws.write('ber-leaf.pem', toPem(der, 'CERTIFICATE'));
    expect(ws.run(['x509', '-in', pem, '-noout', '-pubkey']).output).toContain(toPem(spkiDer, 'PUBLIC KEY').trim());
  });

  it('refuses SPKIs that are not keys we certify, with csr_invalid', () => {
    const noKey = new Uint8Array([0x30, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
    for (const bad of [new Uint8Array([0x30, 0x03, 0x30, 0x01, 0x00]), new Uint8Array([0x30, 0x00]), new Uint8Array(0), noKey]) {
      expect(() => checkSubjectKey(bad)).toThrow(expect.objectContaining({ code: 'csr_invalid' }));
    }
  });
});
