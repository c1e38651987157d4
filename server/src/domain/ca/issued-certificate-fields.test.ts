import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../../shared/pki/certificate-info.ts';
import { createCa, loadCa } from '../../pki/ca.ts';
import { generateKeyPair } from '../../pki/generate-key-pair.ts';
import { issueCertificate } from '../../pki/issue-certificate.ts';
import { certificateFields } from '../credentials/credential-service.ts';
import { issuedCertificateFields } from './issued-certificate-fields.ts';

const NOW = new Date('2026-01-15T10:00:00Z');

describe('issuedCertificateFields', () => {
  it('reads what parseCertificate reads, for RSA and EC CAs and keys, UTCTime and GeneralizedTime', async () => {
    const keys = await Promise.all((['RSA-3072', 'EC-P256'] as const).map((alg) => generateKeyPair(alg)));
    for (const keyAlgorithm of ['RSA-2048', 'EC-P256'] as const) {
      const ca = await loadCa(await createCa({ commonName: 'Fields Root, "Test"', organization: 'Example + Org', keyAlgorithm, validityYears: 5, now: NOW }));
      for (const { spkiDer } of keys) {
        for (const [notBefore, notAfter, displayName] of [
          [new Date('2026-01-15T10:00:00.250Z'), new Date('2027-01-15T10:00:00Z'), null],
          [new Date('2049-12-31T23:59:59Z'), new Date('2050-01-01T00:00:01.5Z'), ' #Zoë <z>; '],
        ] as const) {
          const der = await issueCertificate(ca, { spkiDer, email: 'zoe@example.org', displayName, purpose: 'smimeSigning', notBefore, notAfter, crlUrl: 'http://127.0.0.1/crl' });
          // Twice: the second call takes the issuer name from the per-CA cache.
          for (let i = 0; i < 2; i++) expect(issuedCertificateFields(der, ca)).toEqual(certificateFields(await parseCertificate(der)));
        }
      }
    }
  });
});
