import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaSigner, createCa, loadCa } from '../ca.ts';
import { toPem } from '../testing/openssl.ts';
import { EnvelopeError, openEnvelope, sealEnvelope } from './envelope.ts';
import { readSignerCertificate } from './signer-certificate.ts';

let ca: CaSigner;
const dir = mkdtempSync(join(tmpdir(), 'envelope-'));
const secret = new Uint8Array(32).fill(7);

beforeAll(async () => {
  ca = await loadCa(await createCa({ commonName: 'Envelope Root', keyAlgorithm: 'RSA-2048', validityYears: 1, now: new Date() }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SCEP envelope', () => {
  it('opens what OpenSSL encrypts to the CA (AES-256 and 3DES, PKCS #1 v1.5 key transport)', () => {
    writeFileSync(join(dir, 'ca.pem'), toPem(ca.certificateDer, 'CERTIFICATE'));
    writeFileSync(join(dir, 'in.bin'), 'a PKCS #10 request, say');
    for (const [flag, cipher] of [['-aes256', 'aes-256-cbc'], ['-des3', 'des-ede3-cbc']] as const) {
      execFileSync('openssl', ['cms', '-encrypt', '-binary', flag, '-in', join(dir, 'in.bin'), '-outform', 'DER', '-out', join(dir, 'env.der'), join(dir, 'ca.pem')]);
      const opened = openEnvelope(new Uint8Array(readFileSync(join(dir, 'env.der'))), { caKey: ca.keyObject, allowLegacyDes: false, rejectionSecret: secret });
      expect(opened.cipher).toBe(cipher);
      expect(new TextDecoder().decode(opened.content)).toBe('a PKCS #10 request, say');
    }
  });

  it('seals what OpenSSL can decrypt with the recipient key', () => {
    const recipient = readSignerCertificate(ca.certificateDer);
    writeFileSync(join(dir, 'sealed.der'), sealEnvelope(new TextEncoder().encode('issued certificate'), recipient, 'aes-128-cbc'));
    writeFileSync(join(dir, 'key.pem'), ca.keyObject.export({ type: 'pkcs8', format: 'pem' }));
    const out = execFileSync('openssl', ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', join(dir, 'sealed.der'), '-inkey', join(dir, 'key.pem')]);
    expect(out.toString()).toBe('issued certificate');
  });

  it('answers a tampered key with the same failure as a wrong content key (implicit rejection)', () => {
    const sealed = sealEnvelope(new TextEncoder().encode('x'.repeat(40)), readSignerCertificate(ca.certificateDer), 'aes-256-cbc');
    // The encrypted key is the 256-byte OCTET STRING; flip a byte inside it.
    const at = Buffer.from(sealed).indexOf(Buffer.from([0x04, 0x82, 0x01, 0x00])) + 10;
    const tampered = new Uint8Array(sealed);
    tampered[at]! ^= 0xff;
    // The padding check never throws: a pseudo-random key is used, and the content decryption
    // fails (or, 1 time in 256, yields other bytes) — never a separate "bad padding" error.
    let outcome: string;
    try {
      outcome = new TextDecoder().decode(openEnvelope(tampered, { caKey: ca.keyObject, allowLegacyDes: false, rejectionSecret: secret }).content);
    } catch (e) {
      expect(e).toBeInstanceOf(EnvelopeError);
      outcome = (e as EnvelopeError).reason;
    }
    expect(outcome).not.toBe('x'.repeat(40));
    if (outcome.length < 20) expect(outcome).toBe('decryptFailed');
  });
});
