import { afterAll, describe, expect, it } from 'vitest';
import { issue, openssl, workdir } from '../pki/test-openssl.mts';
import { decryptSmime } from './cms-decrypt.ts';
import { encryptSmime } from './cms-encrypt.ts';
import { isSmimeError } from './smime-error.ts';
import { candidate } from './test-fixtures.mts';

const w = workdir();
afterAll(() => w.cleanup());

const ext = ['basicConstraints=CA:FALSE', 'keyUsage=keyEncipherment', 'extendedKeyUsage=emailProtection'];
const alice = issue(w, 'alice', { subj: '/CN=Alice', ext, serial: '0x31' });
const bob = issue(w, 'bob', { subj: '/CN=Bob', ext, serial: '0x32', kind: 'rsa3072' });
const content = 'Content-Type: text/plain; charset=utf-8\n\nConfidential: the launch is on Friday.\n';

function opensslDecrypt(eml: string, who: { certPem: string; keyPem: string }): string {
  const path = w.write('x.eml', eml);
  return new TextDecoder().decode(openssl(['cms', '-decrypt', '-in', path, '-recip', who.certPem, '-inkey', who.keyPem]));
}

describe('encryptSmime', () => {
  for (const oaepHash of ['SHA-256', 'SHA-1'] as const) {
    it(`makes an .eml that openssl cms -decrypt opens for every recipient (OAEP ${oaepHash})`, async () => {
      const eml = await encryptSmime({ content, recipients: [alice.certDer, bob.certDer], oaepHash, from: 'alice@example.com', to: 'bob@example.com', subject: 'Secret' });
      expect(eml).toContain('Content-Type: application/pkcs7-mime; smime-type=enveloped-data');
      for (const who of [alice, bob]) {
        expect(opensslDecrypt(eml, who).replace(/\r\n/g, '\n')).toBe(content);
      }
      const print = new TextDecoder().decode(openssl(['cms', '-cmsout', '-print', '-in', w.path('x.eml')]));
      expect(print).toContain('rsaesOaep');
      expect(print).toContain('aes-256-cbc');
      if (oaepHash === 'SHA-256') expect(print).toContain('sha256');
    });
  }

  it('round-trips through decryptSmime', async () => {
    const eml = await encryptSmime({ content, recipients: [bob.certDer] });
    const result = await decryptSmime(new TextEncoder().encode(eml), [candidate(bob.certDer, bob.keyDer)]);
    expect(result.keyTransport).toBe('RSAES-OAEP-SHA-256');
    expect(new TextDecoder().decode(result.plaintext)).toContain('the launch is on Friday');
  });

  it('refuses no recipients and non-RSA recipients', async () => {
    const ec = issue(w, 'ec', { subj: '/CN=EC', ext, kind: 'ec256' });
    for (const recipients of [[], [ec.certDer]]) {
      const err = await encryptSmime({ content, recipients }).catch((e: unknown) => e);
      expect(isSmimeError(err)).toBe(true);
    }
  });
});
