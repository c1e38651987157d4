import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { certificateInfoOf, decodeCertificate, parseCertificate } from './certificate-info.ts';
import { extractIdentities, extractIdentity } from './pkcs12-identity.ts';
import { encodePkcs12 } from './pkcs12-write.ts';
import { PkiError } from './pki-error.ts';
import { exportP12, type Issued, issue, type Workdir, workdir } from './test-openssl.mts';

let w: Workdir;
let ca: Issued;
let rsa: Issued;
let ec: Issued;

beforeAll(() => {
  w = workdir();
  ca = issue(w, 'ca', { kind: 'ec256', subj: '/CN=Test Root CA', ext: ['basicConstraints=critical,CA:TRUE', 'keyUsage=keyCertSign,cRLSign'] });
  const caRef = { key: ca.keyPem, cert: ca.certPem };
  const leafExt = ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature,keyEncipherment', 'extendedKeyUsage=emailProtection', 'subjectAltName=email:alice@example.com'];
  rsa = issue(w, 'rsa', { subj: '/CN=Alice/emailAddress=Alice@Example.com', ext: leafExt, ca: caRef });
  ec = issue(w, 'ec', { kind: 'ec256', subj: '/CN=Alice EC', ext: leafExt, ca: caRef, serial: '0x99' });
});

afterAll(() => w.cleanup());

describe('extractIdentity with { certificateInfo: true }', () => {
  it('carries the same CertificateInfo that parseCertificate reads from the certificate', async () => {
    const p12 = exportP12(w, 'info', ['-inkey', rsa.keyPem, '-in', rsa.certPem, '-certfile', ca.certPem, '-name', 'Alice'], 'pw');
    const plain = await extractIdentity(p12, 'pw');
    const withInfo = await extractIdentity(p12, 'pw', { certificateInfo: true });
    expect(withInfo.info).toEqual(await parseCertificate(rsa.certDer));
    expect(withInfo.info.emails).toEqual(['alice@example.com']);
    const { info: _, ...identity } = withInfo;
    expect(identity).toEqual(plain);
    // Without the option the identity stays as it always was: no info field.
    expect('info' in plain).toBe(false);
  });

  it('gives every identity of a two-key file its own certificate info', async () => {
    const p12 = await encodePkcs12({
      entries: [
        { privateKeyPkcs8: rsa.keyDer, certificate: rsa.certDer, chain: [ca.certDer] },
        { privateKeyPkcs8: ec.keyDer, certificate: ec.certDer, chain: [ca.certDer] },
      ],
      password: 'pw',
      encoding: 'aes',
    });
    const ids = await extractIdentities(p12, 'pw', { certificateInfo: true });
    expect(ids.map((i) => toHex(i.certificate))).toEqual([toHex(rsa.certDer), toHex(ec.certDer)]);
    expect(ids.map((i) => i.info.keyAlgorithm)).toEqual(['RSA-2048', 'EC-P256']);
    expect(ids.map((i) => i.info.sha256)).toEqual([(await parseCertificate(rsa.certDer)).sha256, (await parseCertificate(ec.certDer)).sha256]);
  });
});

describe('certificateInfoOf / decodeCertificate', () => {
  it('equals parseCertificate on the same bytes', async () => {
    for (const c of [ca, rsa, ec]) expect(certificateInfoOf(decodeCertificate(c.certDer), c.certDer)).toEqual(await parseCertificate(c.certDer));
  });

  it('reports garbage as der_invalid', () => {
    const err = (() => {
      try {
        return decodeCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x01]));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PkiError);
    expect((err as PkiError).code).toBe('der_invalid');
  });
});
