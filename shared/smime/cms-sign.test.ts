import { afterAll, describe, expect, it } from 'vitest';
import { issue, openssl, workdir } from '../pki/test-openssl.mts';
import { signSmime } from './cms-sign.ts';
import { verifySmime } from './cms-verify.ts';

const w = workdir();
afterAll(() => w.cleanup());

const ca = issue(w, 'ca', { subj: '/CN=Sign CA', ext: ['basicConstraints=critical,CA:TRUE', 'keyUsage=keyCertSign,cRLSign'] });
const caRef = { key: ca.keyPem, cert: ca.certPem };
const ext = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,nonRepudiation', 'extendedKeyUsage=emailProtection', 'subjectAltName=email:alice@example.com'];
const rsa = issue(w, 'rsa', { subj: '/CN=Alice RSA', ca: caRef, ext, serial: '0x21' });
const ec = issue(w, 'ec', { subj: '/CN=Alice EC', ca: caRef, ext, serial: '0x22', kind: 'ec256' });
const content = 'Content-Type: text/plain; charset=utf-8\r\n\r\nSigned in the browser.\r\n';

async function importKey(pkcs8: Uint8Array, alg: RsaHashedImportParams | EcKeyImportParams): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('pkcs8', pkcs8.slice().buffer, alg, false, ['sign']);
}

function opensslVerify(eml: string, extra: string[]): string {
  const path = w.write('out.eml', eml);
  return new TextDecoder().decode(openssl(['cms', '-verify', '-in', path, ...extra]));
}

describe('signSmime', () => {
  const keys = [
    { name: 'RSA', id: rsa, alg: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } },
    { name: 'ECDSA P-256', id: ec, alg: { name: 'ECDSA', namedCurve: 'P-256' } },
  ];
  for (const k of keys) {
    it(`makes a multipart/signed .eml that openssl cms -verify accepts (${k.name})`, async () => {
      const eml = await signSmime({
        content,
        certificate: k.id.certDer,
        privateKey: await importKey(k.id.keyDer, k.alg),
        from: 'alice@example.com',
        to: ['bob@example.com'],
        subject: 'Test – signé',
      });
      expect(eml).toContain('multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256');
      expect(eml).toContain('Subject: =?UTF-8?B?');
      const out = opensslVerify(eml, ['-CAfile', ca.certPem, '-purpose', 'smimesign']);
      expect(out.replace(/\r\n/g, '\n')).toBe(content.replace(/\r\n/g, '\n'));
      const print = new TextDecoder().decode(openssl(['cms', '-cmsout', '-print', '-in', w.path('out.eml')]));
      expect(print).toMatch(/signingTime/);
      expect(print).toMatch(/messageDigest/);
      // Our own verifier agrees.
      const result = await verifySmime(eml, [ca.certDer]);
      expect(result).toMatchObject({ valid: true, signatureValid: true, trusted: true });
      expect(result.signer?.certificate).toEqual(k.id.certDer);
    });
  }

  it('refuses header injection', async () => {
    const key = await importKey(rsa.keyDer, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
    await expect(signSmime({ content, certificate: rsa.certDer, privateKey: key, subject: 'x\r\nBcc: eve@example.com' })).rejects.toThrow(/single line/);
  });
});

describe('verifySmime', () => {
  const msg = w.write('msg.txt', content);
  it('verifies an openssl cms -sign message (detached, with chain) and reports its content', async () => {
    const eml = openssl(['cms', '-sign', '-in', msg, '-signer', rsa.certPem, '-inkey', rsa.keyPem, '-md', 'sha256']);
    const result = await verifySmime(eml, [ca.certDer]);
    expect(result.valid).toBe(true);
    expect(result.signer?.certificate).toEqual(rsa.certDer);
    expect(new TextDecoder().decode(result.content)).toContain('Signed in the browser.');
    expect(result.signingTime).toBeInstanceOf(Date);
  });

  it('verifies an opaque (-nodetach) ECDSA message', async () => {
    const eml = openssl(['cms', '-sign', '-nodetach', '-in', msg, '-signer', ec.certPem, '-inkey', ec.keyPem]);
    const result = await verifySmime(eml, [ca.certDer]);
    expect(result.valid).toBe(true);
    expect(new TextDecoder().decode(result.content)).toContain('Signed in the browser.');
  });

  it('flags a changed message and an untrusted signer', async () => {
    const eml = new TextDecoder().decode(openssl(['cms', '-sign', '-in', msg, '-signer', rsa.certPem, '-inkey', rsa.keyPem]));
    const changed = await verifySmime(eml.replace('Signed in the browser.', 'Signed in the browser!'), [ca.certDer]);
    expect(changed.valid).toBe(false);
    expect(changed.reason).toMatch(/changed/);
    const other = issue(w, 'other-ca', { subj: '/CN=Other CA', ext: ['basicConstraints=critical,CA:TRUE'] });
    const untrusted = await verifySmime(eml, [other.certDer]);
    expect(untrusted).toMatchObject({ valid: false, signatureValid: true, trusted: false });
  });
});
