import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../pki/bytes.ts';
import { sha256 } from '../pki/sha.ts';
import { issue, openssl, workdir } from '../pki/test-openssl.mts';
import { decryptSmime } from './cms-decrypt.ts';
import { candidateFromEnvelope } from './envelope-candidate.ts';
import { sealToDevice } from './key-envelope.ts';

const w = workdir();
afterAll(() => w.cleanup());

describe('candidateFromEnvelope', () => {
  it('opens PKCS#1 v1.5 and OAEP (SHA-1 and SHA-256) mail with only the sealed envelope', async () => {
    const id = issue(w, 'alice', { subj: '/CN=Alice', ext: ['keyUsage=keyEncipherment'] });
    const subtle = globalThis.crypto.subtle;
    const device = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveKey'])) as CryptoKeyPair;
    const spki = new Uint8Array(await subtle.exportKey('spki', device.publicKey));
    const thumbprint = toHex(sha256(id.certDer));
    const envelope = await sealToDevice({ devicePublicKeySpki: spki, deviceId: 'd1', thumbprint, privateKeyPkcs8: id.keyDer });
    const candidate = candidateFromEnvelope({ certificate: id.certDer, envelope, devicePrivateKey: device.privateKey, deviceId: 'd1', thumbprint });
    const msg = w.write('m.txt', 'Content-Type: text/plain\r\n\r\nold mail\r\n');
    const variants: [string[], string][] = [
      [[], 'RSAES-PKCS1-v1_5'],
      [['-keyopt', 'rsa_padding_mode:oaep'], 'RSAES-OAEP-SHA-1'],
      [['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha256'], 'RSAES-OAEP-SHA-256'],
    ];
    for (const [args, transport] of variants) {
      const eml = openssl(['cms', '-encrypt', '-in', msg, '-aes256', '-recip', id.certPem, ...args]);
      const start = performance.now();
      const result = await decryptSmime(eml, [candidate]);
      expect(performance.now() - start).toBeLessThan(1000);
      expect(result.keyTransport).toBe(transport);
      expect(new TextDecoder().decode(result.plaintext)).toContain('old mail');
    }
  });
});
