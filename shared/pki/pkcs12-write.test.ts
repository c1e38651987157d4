import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { extractIdentity, readPkcs12 } from './pkcs12-read.ts';
import { writePkcs12 } from './pkcs12-write.ts';
import { PkiError } from './pki-error.ts';
import { type Issued, issue, openssl, opensslText, type Workdir, workdir } from './test-openssl.mts';

let w: Workdir;
let ca: Issued;
let rsa: Issued;
let ec: Issued;

beforeAll(() => {
  w = workdir();
  ca = issue(w, 'ca', { kind: 'ec256', subj: '/CN=Write CA', ext: ['basicConstraints=critical,CA:TRUE'] });
  rsa = issue(w, 'rsa', { subj: '/CN=Alice', ca: { key: ca.keyPem, cert: ca.certPem } });
  ec = issue(w, 'ec', { kind: 'ec384', subj: '/CN=Alice EC', ca: { key: ca.keyPem, cert: ca.certPem }, serial: '0x42' });
});

afterAll(() => w.cleanup());

/** What `openssl pkcs12 -in … -nodes` prints, plus the key re-encoded as PKCS#8 DER. */
function opensslRead(p12: Uint8Array, password: string, extra: string[] = []): { text: string; keyDer: Uint8Array } {
  const file = w.write('out.p12', p12);
  const pass = w.write('pass.txt', `${password}\n`);
  const text = new TextDecoder().decode(openssl(['pkcs12', '-in', file, '-passin', `file:${pass}`, '-nodes', ...extra]));
  const keyPem = openssl(['pkcs12', '-in', file, '-passin', `file:${pass}`, '-nodes', '-nocerts', ...extra]);
  const keyDer = openssl(['pkcs8', '-topk8', '-nocrypt', '-outform', 'DER'], { input: keyPem });
  return { text, keyDer };
}

describe('writePkcs12', () => {
  for (const encoding of ['aes', '3des'] as const) {
    for (const password of ['s3cret!', 'пароль密码', '']) {
      it(`${encoding}, password ${JSON.stringify(password)}: openssl and readPkcs12 read it back`, async () => {
        const p12 = await writePkcs12({
          entries: [{ privateKeyPkcs8: rsa.keyDer, certificate: rsa.certDer, chain: [ca.certDer], friendlyName: 'Alice – S/MIME' }],
          password,
          encoding,
        });
        const { text, keyDer } = opensslRead(p12, password);
        expect(toHex(keyDer)).toBe(toHex(rsa.keyDer));
        expect(text.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
        // OpenSSL prints BMPString names lossily; the exact name is checked through our reader below.
        expect(text).toContain('friendlyName: Alice');
        const info = opensslText(['pkcs12', '-in', w.path('out.p12'), '-passin', `file:${w.path('pass.txt')}`, '-info', '-noout']);
        if (encoding === 'aes') {
          expect(info).toContain('PBES2, PBKDF2, AES-256-CBC');
          expect(info).toContain('MAC: sha256');
        } else {
          expect(info).toContain('pbeWithSHA1And3-KeyTripleDES-CBC');
          expect(info).toContain('MAC: sha1');
        }
        const id = await extractIdentity(p12, password);
        expect(toHex(id.privateKeyPkcs8)).toBe(toHex(rsa.keyDer));
        expect(toHex(id.certificate)).toBe(toHex(rsa.certDer));
        expect(id.chain.map(toHex)).toEqual([toHex(ca.certDer)]);
        expect(id.friendlyName).toBe('Alice – S/MIME');
      });
    }
  }

  it('writes several identities with a shared chain stored once', async () => {
    const p12 = await writePkcs12({
      entries: [
        { privateKeyPkcs8: rsa.keyDer, certificate: rsa.certDer, chain: [ca.certDer] },
        { privateKeyPkcs8: ec.keyDer, certificate: ec.certDer, chain: [ca.certDer] },
      ],
      password: 'pw',
      encoding: 'aes',
    });
    const read = await readPkcs12(p12, 'pw');
    expect(read.keys).toHaveLength(2);
    expect(read.certificates).toHaveLength(3);
    expect(opensslRead(p12, 'pw').text.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const err = await writePkcs12({
      entries: [{ privateKeyPkcs8: ec.keyDer, certificate: rsa.certDer }],
      password: 'pw',
      encoding: 'aes',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PkiError);
    expect((err as PkiError).code).toBe('pkcs12_key_mismatch');
  });
});
