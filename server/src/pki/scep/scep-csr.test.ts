import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createOpensslWorkspace } from '../testing/openssl.ts';
import { readCsr } from './scep-csr.ts';

const ws = createOpensslWorkspace();
afterAll(() => ws.cleanup());

function csrOf(name: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPath = ws.write(`${name}.key`, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const run = ws.run(['req', '-new', '-key', keyPath, '-subj', `/CN=${name}`, '-addext', 'subjectAltName=email:x@example.org', '-outform', 'DER', '-out', `${name}.csr`]);
  expect(run.status).toBe(0);
  return { der: ws.read(`${name}.csr`), spkiDer: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })), publicKey };
}

describe('readCsr', () => {
  it('checks the self-signature with its own key, or with the signer key when the SPKI bytes are the same', async () => {
    const a = csrOf('a');
    const b = csrOf('b');
    expect(await readCsr(a.der)!.verify()).toBe(true);
    expect(await readCsr(a.der, a)!.verify()).toBe(true);
    // Another signer key is not used for a request with a different SPKI.
    expect(await readCsr(a.der, b)!.verify()).toBe(true);
    // The signer key is what checks the signature when the bytes match: a wrong one fails it.
    expect(await readCsr(a.der, { spkiDer: a.spkiDer, publicKey: b.publicKey })!.verify()).toBe(false);
    expect(createPublicKey({ key: Buffer.from(readCsr(a.der)!.csr.spkiDer), format: 'der', type: 'spki' }).equals(a.publicKey)).toBe(true);
  });

  it('refuses a request whose signed part was altered, with or without the signer key', async () => {
    const a = csrOf('c');
    const tampered = new Uint8Array(a.der);
    const at = Buffer.from(tampered).indexOf(Buffer.from('x@example.org'));
    tampered[at] = 'y'.charCodeAt(0);
    expect(await readCsr(tampered)!.verify()).toBe(false);
    expect(await readCsr(tampered, a)!.verify()).toBe(false);
  });
});
