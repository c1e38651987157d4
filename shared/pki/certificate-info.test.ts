import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { derToPem, parseCertificate, pemToDer } from './certificate-info.ts';
import { PkiError } from './pki-error.ts';
import { type Issued, issue, openssl, opensslText, type Workdir, workdir } from './test-openssl.mts';

let w: Workdir;
let ca: Issued;
let leaf: Issued;

beforeAll(() => {
  w = workdir();
  ca = issue(w, 'ca', {
    kind: 'ec384',
    subj: '/O=Example/CN=Example Root',
    ext: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash'],
  });
  leaf = issue(w, 'leaf', {
    subj: '/C=DE/O=Example, Inc./OU=R\\+D/CN=Alice Example/emailAddress=Alice@Example.COM',
    ext: [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment',
      'extendedKeyUsage=emailProtection,clientAuth',
      'subjectAltName=email:ALICE@example.com,email:alice.alt@example.org,DNS:example.com',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
    ],
    ca: { key: ca.keyPem, cert: ca.certPem },
    serial: '0x00c0ffee0102',
  });
});

afterAll(() => w.cleanup());

describe('parseCertificate', () => {
  it('reads what openssl reports about a CA-issued S/MIME certificate', async () => {
    const info = await parseCertificate(leaf.certDer);
    const text = opensslText(['x509', '-in', leaf.certPem, '-noout', '-serial', '-dates', '-nameopt', 'RFC2253', '-subject', '-issuer']);
    const serial = /serial=([0-9A-F]+)/.exec(text)![1]!.toLowerCase();
    // OpenSSL prints the magnitude; we keep DER's sign byte when the top bit is set.
    expect(info.serialHex.replace(/^00/, '')).toBe(serial);
    expect(info.serialHex).toBe('00c0ffee0102');
    expect(info.subject).toBe(/subject=(.*)/.exec(text)![1]);
    expect(info.subject).toBe('emailAddress=Alice@Example.COM,CN=Alice Example,OU=R\\+D,O=Example\\, Inc.,C=DE');
    expect(info.issuer).toBe('CN=Example Root,O=Example');
    expect(info.subjectCommonName).toBe('Alice Example');
    expect(info.notBefore.getTime()).toBe(new Date(/notBefore=(.*)/.exec(text)![1]!).getTime());
    expect(info.notAfter.getTime()).toBe(new Date(/notAfter=(.*)/.exec(text)![1]!).getTime());
    const fp = (alg: string) =>
      /Fingerprint=([0-9A-F:]+)/.exec(opensslText(['x509', '-in', leaf.certPem, '-noout', '-fingerprint', `-${alg}`]))![1]!
        .replace(/:/g, '')
        .toLowerCase();
    expect(info.sha1).toBe(fp('sha1'));
    expect(info.sha256).toBe(fp('sha256'));
    expect(info.emails).toEqual(['alice@example.com', 'alice.alt@example.org']);
    expect(info.keyUsage).toEqual({
      digitalSignature: true,
      nonRepudiation: true,
      keyEncipherment: true,
      dataEncipherment: false,
      keyAgreement: false,
      keyCertSign: false,
      cRLSign: false,
    });
    expect(info.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.4', '1.3.6.1.5.5.7.3.2']);
    expect(info.keyAlgorithm).toBe('RSA-2048');
    expect(info.isCa).toBe(false);
    const caInfo = await parseCertificate(ca.certDer);
    expect(info.authorityKeyIdentifier).toBe(caInfo.subjectKeyIdentifier);
    expect(info.subjectKeyIdentifier).toMatch(/^[0-9a-f]{40}$/);
    const spki = openssl(['x509', '-in', leaf.certPem, '-noout', '-pubkey'], {});
    expect(toHex(info.spkiDer)).toBe(toHex(pemToDer(new TextDecoder().decode(spki), 'PUBLIC KEY')));
  });

  it('reads a CA certificate with no EKU and no SAN', async () => {
    const info = await parseCertificate(ca.certDer);
    expect(info.isCa).toBe(true);
    expect(info.extKeyUsage).toBeNull();
    expect(info.emails).toEqual([]);
    expect(info.keyAlgorithm).toBe('EC-P384');
    expect(info.authorityKeyIdentifier).toBeNull();
    expect(info.keyUsage?.keyCertSign).toBe(true);
  });

  it('names every key type and size', async () => {
    for (const [kind, expected] of [
      ['rsa3072', 'RSA-3072'],
      ['rsa4096', 'RSA-4096'],
      ['ec256', 'EC-P256'],
    ] as const) {
      const c = issue(w, kind, { kind, subj: `/CN=${kind}`, ext: ['basicConstraints=CA:FALSE'] });
      const info = await parseCertificate(c.certDer);
      expect(info.keyAlgorithm).toBe(expected);
      expect(info.keyUsage).toBeNull();
    }
  });

  it('rejects what is not a certificate', async () => {
    for (const bad of [new Uint8Array([1, 2, 3]), new Uint8Array(0), leaf.keyDer, leaf.certDer.subarray(0, 100)]) {
      const err = await parseCertificate(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PkiError);
      expect((err as PkiError).code).toBe('der_invalid');
    }
  });
});

describe('PEM', () => {
  it('round-trips with openssl', () => {
    const pemText = new TextDecoder().decode(w.read('leaf.crt'));
    expect(toHex(pemToDer(pemText))).toBe(toHex(leaf.certDer));
    const ours = w.write('ours.pem', derToPem(leaf.certDer));
    expect(toHex(openssl(['x509', '-in', ours, '-outform', 'DER']))).toBe(toHex(leaf.certDer));
    expect(derToPem(leaf.certDer).split('\n').every((l) => l.length <= 64)).toBe(true);
  });

  it('finds the block with the wanted label and fails clearly without one', () => {
    const both = `${derToPem(new Uint8Array([1]), 'PRIVATE KEY')}${derToPem(new Uint8Array([2, 3]))}`;
    expect([...pemToDer(both, 'CERTIFICATE')]).toEqual([2, 3]);
    expect(() => pemToDer('hello', 'CERTIFICATE')).toThrow(PkiError);
    expect(() => pemToDer('MI!!')).toThrow(PkiError);
    const bare = derToPem(leaf.certDer).split('\n').filter((l) => !l.startsWith('-----')).join('\n');
    expect(toHex(pemToDer(bare))).toBe(toHex(leaf.certDer));
  });
});
