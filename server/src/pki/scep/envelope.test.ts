import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaSigner, createCa, loadCa } from '../ca.ts';
import { toPem } from '../testing/openssl.ts';
import { randomSerial } from '../serial.ts';
import { EnvelopeError, type OpenEnvelopeOptions, openEnvelope, sealEnvelope } from './envelope.ts';
import { createRaCertificate, loadScepRa, recipientKeyOf, type ScepRa } from './ra-certificate.ts';
import { readSignerCertificate } from './signer-certificate.ts';

let ca: CaSigner;
let ra: ScepRa;
const dir = mkdtempSync(join(tmpdir(), 'envelope-'));
const secret = new Uint8Array(32).fill(7);

beforeAll(async () => {
  ca = await loadCa(await createCa({ commonName: 'Envelope Root', keyAlgorithm: 'RSA-2048', validityYears: 1, now: new Date() }));
  ra = loadScepRa(await createRaCertificate(ca, { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86400_000), serial: randomSerial() }), ca);
  writeFileSync(join(dir, 'ca.pem'), toPem(ca.certificateDer, 'CERTIFICATE'));
  writeFileSync(join(dir, 'ra.pem'), toPem(ra.certificateDer, 'CERTIFICATE'));
  writeFileSync(join(dir, 'in.bin'), 'a PKCS #10 request, say');
});
/** What the SCEP service passes: RA first, then the CA; the CA key as the fallback. */
const options = (): OpenEnvelopeOptions => ({
  keys: [ra, recipientKeyOf(ca.certificateDer, ca.keyObject)],
  fallbackKey: ca.keyObject,
  allowLegacyDes: false,
  rejectionSecret: secret,
});
/** `openssl cms -encrypt` of in.bin to the given recipient certificates. */
function encryptTo(flag: string, ...recipients: string[]): Uint8Array {
  execFileSync('openssl', ['cms', '-encrypt', '-binary', flag, '-in', join(dir, 'in.bin'), '-outform', 'DER', '-out', join(dir, 'env.der'), ...recipients.map((r) => join(dir, r))]);
  return new Uint8Array(readFileSync(join(dir, 'env.der')));
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SCEP envelope', () => {
  it('opens what OpenSSL encrypts to the CA (AES-256 and 3DES, PKCS #1 v1.5 key transport)', () => {
    for (const [flag, cipher] of [['-aes256', 'aes-256-cbc'], ['-des3', 'des-ede3-cbc']] as const) {
      const opened = openEnvelope(encryptTo(flag, 'ca.pem'), options());
      expect(opened.cipher).toBe(cipher);
      expect(new TextDecoder().decode(opened.content)).toBe('a PKCS #10 request, say');
    }
  });

  it('opens what is encrypted to the RA, alone or with the CA as a second recipient (scepclient)', () => {
    for (const recipients of [['ra.pem'], ['ra.pem', 'ca.pem'], ['ca.pem', 'ra.pem']]) {
      expect(new TextDecoder().decode(openEnvelope(encryptTo('-aes128', ...recipients), options()).content)).toBe('a PKCS #10 request, say');
    }
    // Without the RA key (and no fallback) the RA's RecipientInfo names no key we hold.
    const raOnly = encryptTo('-aes128', 'ra.pem');
    const withoutRa = { ...options(), keys: [recipientKeyOf(ca.certificateDer, ca.keyObject)], fallbackKey: null };
    expect(() => openEnvelope(raOnly, withoutRa)).toThrow(/not encrypted to our RA or CA/);
  });

  it('opens an envelope whose RecipientInfo names the RA by subject key identifier', () => {
    execFileSync('openssl', ['cms', '-encrypt', '-binary', '-aes256', '-keyid', '-in', join(dir, 'in.bin'), '-outform', 'DER', '-out', join(dir, 'kid.der'), join(dir, 'ra.pem')]);
    const envelope = new Uint8Array(readFileSync(join(dir, 'kid.der')));
    expect(Buffer.from(envelope).includes(Buffer.from(ra.subjectKeyIdentifier!))).toBe(true);
    expect(new TextDecoder().decode(openEnvelope(envelope, { ...options(), fallbackKey: null }).content)).toBe('a PKCS #10 request, say');
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
      outcome = new TextDecoder().decode(openEnvelope(tampered, options()).content);
    } catch (e) {
      expect(e).toBeInstanceOf(EnvelopeError);
      outcome = (e as EnvelopeError).reason;
    }
    expect(outcome).not.toBe('x'.repeat(40));
    if (outcome.length < 20) expect(outcome).toBe('decryptFailed');
  });
});
