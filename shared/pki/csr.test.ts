import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { pemToDer } from './certificate-info.ts';
import { buildCsr, parseCsr, parseVerifiedCsr } from './csr.ts';
import { PkiError } from './pki-error.ts';
import { openssl, opensslText, type Workdir, workdir } from './test-openssl.mts';

let w: Workdir;

beforeAll(() => {
  w = workdir();
});
afterAll(() => w.cleanup());

function opensslCsr(name: string, keyArgs: string[], extra: string[] = []): Uint8Array {
  const config = w.write(
    `${name}.cnf`,
    [
      '[req]',
      'distinguished_name=dn',
      'attributes=attrs',
      'req_extensions=ext',
      'prompt=no',
      '[dn]',
      'O=Example',
      'CN=Alice Device',
      'emailAddress=Alice@Example.com',
      '[attrs]',
      'challengePassword=one-time-42',
      '[ext]',
      'subjectAltName=email:alice@example.com,email:ALICE2@example.com',
      '',
    ].join('\n'),
  );
  openssl(['req', '-new', ...keyArgs, '-nodes', '-keyout', w.path(`${name}.key`), '-config', config, '-outform', 'DER', '-out', w.path(`${name}.csr`), ...extra]);
  return w.read(`${name}.csr`);
}

describe('parseCsr on requests made by openssl req -new', () => {
  for (const [label, keyArgs, extra, algo] of [
    ['RSA-2048', ['-newkey', 'rsa:2048'], [], 'RSA-2048'],
    ['RSA-2048 PSS', ['-newkey', 'rsa:2048'], ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'], 'RSA-2048'],
    ['EC P-256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], [], 'EC-P256'],
    ['EC P-384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], [], 'EC-P384'],
  ] as const) {
    it(label, async () => {
      const name = label.replace(/\W/g, '');
      const der = opensslCsr(name, [...keyArgs], [...extra]);
      const csr = await parseCsr(der);
      expect(csr.signatureValid).toBe(true);
      expect(csr.keyAlgorithm).toBe(algo);
      expect(csr.challengePassword).toBe('one-time-42');
      expect(csr.emails).toEqual(['alice@example.com', 'alice2@example.com']);
      const subject = /subject=(.*)/.exec(
        opensslText(['req', '-in', w.path(`${name}.csr`), '-inform', 'DER', '-noout', '-subject', '-nameopt', 'RFC2253']),
      )![1];
      expect(csr.subject).toBe(subject);
      const pub = new TextDecoder().decode(openssl(['req', '-in', w.path(`${name}.csr`), '-inform', 'DER', '-noout', '-pubkey']));
      expect(toHex(csr.spkiDer)).toBe(toHex(pemToDer(pub, 'PUBLIC KEY')));
      await expect(parseVerifiedCsr(der)).resolves.toMatchObject({ signatureValid: true });
    });
  }

  it('a tampered request parses with signatureValid false', async () => {
    const der = opensslCsr('tamper', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const text = new TextDecoder('latin1').decode(der);
    const at = text.indexOf('Alice Device');
    const bad = der.slice();
    bad[at] = 'M'.charCodeAt(0); // "Mlice Device"
    const csr = await parseCsr(bad);
    expect(csr.subject).toContain('CN=Mlice Device');
    expect(csr.signatureValid).toBe(false);
    const err = await parseVerifiedCsr(bad).catch((e: unknown) => e);
    expect((err as PkiError).code).toBe('csr_bad_signature');
  });

  it('rejects data that is not a request', async () => {
    for (const bad of [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), new Uint8Array(50).fill(7), new Uint8Array(0)]) {
      const err = await parseCsr(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PkiError);
      expect((err as PkiError).code).toBe('csr_invalid');
    }
  });
});

describe('buildCsr', () => {
  const subtle = globalThis.crypto.subtle;
  for (const [label, params] of [
    ['RSA-2048', { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }],
    ['ECDSA P-256', { name: 'ECDSA', namedCurve: 'P-256' }],
    ['ECDSA P-384', { name: 'ECDSA', namedCurve: 'P-384' }],
  ] as const) {
    it(`${label}: openssl verifies it and parseCsr reads it back`, async () => {
      const keys = (await subtle.generateKey(params, false, ['sign', 'verify'])) as CryptoKeyPair;
      const der = await buildCsr({ keys, subjectCommonName: 'Алиса Device', email: 'alice@example.com' });
      const file = w.write('built.csr', der);
      const out = opensslText(['req', '-in', file, '-inform', 'DER', '-verify', '-noout', '-text']);
      expect(out).toMatch(/verify OK/);
      expect(out).toContain('email:alice@example.com');
      const csr = await parseCsr(der);
      expect(csr.signatureValid).toBe(true);
      expect(csr.subject).toBe('CN=Алиса Device');
      expect(csr.emails).toEqual(['alice@example.com']);
      expect(toHex(csr.spkiDer)).toBe(toHex(new Uint8Array(await subtle.exportKey('spki', keys.publicKey))));
    });
  }
});
