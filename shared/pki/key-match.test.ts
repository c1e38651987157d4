import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyMatchesCertificate } from './key-match.ts';
import { PkiError } from './pki-error.ts';
import { type Issued, issue, openssl, type Workdir, workdir } from './test-openssl.mts';

let w: Workdir;
let rsa: Issued;
let rsa2: Issued;
let p256: Issued;
let p384: Issued;

beforeAll(() => {
  w = workdir();
  rsa = issue(w, 'rsa', { subj: '/CN=rsa' });
  rsa2 = issue(w, 'rsa2', { subj: '/CN=rsa2' });
  p256 = issue(w, 'p256', { kind: 'ec256', subj: '/CN=p256' });
  p384 = issue(w, 'p384', { kind: 'ec384', subj: '/CN=p384' });
});
afterAll(() => w.cleanup());

describe('keyMatchesCertificate', () => {
  it('matches each key with its own certificate only', async () => {
    const all = [rsa, rsa2, p256, p384];
    for (const k of all) {
      for (const c of all) {
        expect(await keyMatchesCertificate(k.keyDer, c.certDer)).toBe(k === c);
      }
    }
  });

  it('matches an EC key stored without its public point (computed through WebCrypto)', async () => {
    openssl(['ec', '-in', p256.keyPem, '-no_public', '-out', w.path('nopub.pem')]);
    const der = openssl(['pkcs8', '-topk8', '-nocrypt', '-in', w.path('nopub.pem'), '-outform', 'DER']);
    expect(der.length).toBeLessThan(p256.keyDer.length);
    expect(await keyMatchesCertificate(der, p256.certDer)).toBe(true);
    expect(await keyMatchesCertificate(der, p384.certDer)).toBe(false);
  });

  it('reports garbage as der_invalid', async () => {
    const err = await keyMatchesCertificate(new Uint8Array([1, 2, 3]), rsa.certDer).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PkiError);
    expect((err as PkiError).code).toBe('der_invalid');
    const err2 = await keyMatchesCertificate(rsa.keyDer, new Uint8Array([0x30, 0])).catch((e: unknown) => e);
    expect((err2 as PkiError).code).toBe('der_invalid');
  });
});
