import { afterAll, describe, expect, it } from 'vitest';
import { type Issued, issue, openssl, workdir } from '../pki/test-openssl.mts';
import { decryptSmime } from './cms-decrypt.ts';
import { parseEnveloped } from './cms-enveloped.ts';
import { isSmimeError, type SmimeError } from './smime-error.ts';
import { candidate } from './test-fixtures.mts';

const w = workdir();
afterAll(() => w.cleanup());

const ca = issue(w, 'ca', { subj: '/CN=History CA', ext: ['basicConstraints=critical,CA:TRUE', 'keyUsage=keyCertSign,cRLSign'] });
const caRef = { key: ca.keyPem, cert: ca.certPem };
const userExt = ['basicConstraints=CA:FALSE', 'keyUsage=keyEncipherment', 'extendedKeyUsage=emailProtection', 'subjectKeyIdentifier=hash'];
const certs: Issued[] = ['2019', '2022', '2025'].map((year, i) =>
  issue(w, `enc${year}`, { subj: `/CN=Alice ${year}/emailAddress=alice@example.com`, ca: caRef, ext: userExt, serial: `0x${i + 10}0a` }),
);
const [old2019, old2022, current] = certs as [Issued, Issued, Issued];
const stranger = issue(w, 'bob', { subj: '/CN=Bob', ca: caRef, ext: userExt, serial: '0x99' });
const keychain = certs.map((c) => candidate(c.certDer, c.keyDer));

const message = 'Content-Type: text/plain; charset=utf-8\r\n\r\nMeet at noon. Grüße\r\n';
const msgPath = w.write('msg.txt', message);

function encrypt(name: string, args: string[], recipients: Issued[]): Uint8Array {
  const out = w.path(name);
  // -keyopt applies to the -recip before it.
  openssl(['cms', '-encrypt', '-in', msgPath, '-out', out, ...recipients.flatMap((r) => ['-recip', r.certPem]), ...args]);
  return w.read(name);
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes).replace(/\r\n/g, '\n');

describe('decryptSmime against openssl cms -encrypt', () => {
  const cases: { name: string; args: string[]; recipients: Issued[]; alg: string; transport: string; index: number }[] = [
    { name: 'default.eml', args: ['-aes256'], recipients: [current], alg: 'AES-256-CBC', transport: 'RSAES-PKCS1-v1_5', index: 2 },
    { name: 'oaep.eml', args: ['-aes256', '-keyopt', 'rsa_padding_mode:oaep'], recipients: [old2022], alg: 'AES-256-CBC', transport: 'RSAES-OAEP-SHA-1', index: 1 },
    {
      name: 'oaep256.eml',
      args: ['-aes256', '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha256'],
      recipients: [old2019],
      alg: 'AES-256-CBC',
      transport: 'RSAES-OAEP-SHA-256',
      index: 0,
    },
    { name: 'aes128.eml', args: ['-aes128'], recipients: [old2019], alg: 'AES-128-CBC', transport: 'RSAES-PKCS1-v1_5', index: 0 },
    { name: 'gcm.eml', args: ['-aes-256-gcm'], recipients: [current], alg: 'AES-256-GCM', transport: 'RSAES-PKCS1-v1_5', index: 2 },
    { name: 'gcm128.eml', args: ['-aes-128-gcm', '-keyopt', 'rsa_padding_mode:oaep'], recipients: [current], alg: 'AES-128-GCM', transport: 'RSAES-OAEP-SHA-1', index: 2 },
    { name: 'des3.eml', args: ['-des3'], recipients: [old2019], alg: 'DES-EDE3-CBC', transport: 'RSAES-PKCS1-v1_5', index: 0 },
    { name: 'msg.p7m', args: ['-aes256', '-outform', 'DER'], recipients: [old2022], alg: 'AES-256-CBC', transport: 'RSAES-PKCS1-v1_5', index: 1 },
    { name: 'msg.pem', args: ['-aes256', '-outform', 'PEM'], recipients: [old2022], alg: 'AES-256-CBC', transport: 'RSAES-PKCS1-v1_5', index: 1 },
    { name: 'keyid.eml', args: ['-aes256', '-keyid'], recipients: [old2022], alg: 'AES-256-CBC', transport: 'RSAES-PKCS1-v1_5', index: 1 },
    { name: 'stream.eml', args: ['-aes256', '-stream'], recipients: [current], alg: 'AES-256-CBC', transport: 'RSAES-PKCS1-v1_5', index: 2 },
  ];
  for (const c of cases) {
    it(`opens ${c.name} (${c.args.join(' ')})`, async () => {
      const result = await decryptSmime(encrypt(c.name, c.args, c.recipients), keychain);
      expect(text(result.plaintext)).toBe(text(new TextEncoder().encode(message)));
      expect(result.contentType).toBe('text/plain');
      expect(result.contentAlgorithm).toBe(c.alg);
      expect(result.keyTransport).toBe(c.transport);
      expect(result.recipient.index).toBe(c.index);
      expect(result.recipient.certificate).toEqual(c.recipients[0]!.certDer);
    });
  }

  it('opens a message to several recipients with one of the history certificates', async () => {
    const eml = encrypt('multi.eml', ['-aes256'], [stranger, old2019, old2022]);
    const onlyHistory = [keychain[2]!, keychain[1]!]; // current (not a recipient), then 2022
    const result = await decryptSmime(eml, onlyHistory);
    expect(result.recipient.index).toBe(1);
    expect(result.recipient.certificate).toEqual(old2022.certDer);
    expect(text(result.plaintext)).toContain('Meet at noon');
  });

  it('names the recipients when none matches the keychain', async () => {
    const eml = encrypt('bob.eml', ['-aes256'], [stranger]);
    const err = (await decryptSmime(eml, keychain).catch((e: unknown) => e)) as SmimeError;
    expect(isSmimeError(err, 'smime_no_recipient')).toBe(true);
    expect(err.message).toMatch(/no recipient matches any certificate in the keychain/i);
    expect(err.message).toContain('issuer CN=History CA, serial 99');
    expect(err.details?.recipients).toEqual(['issuer CN=History CA, serial 99']);
  });

  it('refuses what is not an encrypted message', async () => {
    const signed = openssl(['cms', '-sign', '-in', msgPath, '-signer', current.certPem, '-inkey', current.keyPem]);
    for (const input of [signed, new TextEncoder().encode('hello world'), new TextEncoder().encode('Subject: hi\r\n\r\nplain mail')]) {
      const err = await decryptSmime(input, keychain).catch((e: unknown) => e);
      expect(isSmimeError(err, 'smime_not_encrypted')).toBe(true);
      expect((err as Error).message).toMatch(/not an S\/MIME encrypted message/i);
    }
  });

  it('a wrong content key whose CBC padding happens to check out fails like any wrong key, not as noise', async () => {
    const der = encrypt('noise.p7m', ['-aes256', '-outform', 'DER'], [current]);
    const parts = parseEnveloped(der);
    const iv = (parts.contentAlgorithmParams as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView;
    // About one random key in 256 leaves valid PKCS#7 padding: find one.
    let wrongCek: Uint8Array | null = null;
    while (!wrongCek) {
      const k = crypto.getRandomValues(new Uint8Array(32));
      const key = await crypto.subtle.importKey('raw', k, 'AES-CBC', false, ['decrypt']);
      if (await crypto.subtle.decrypt({ name: 'AES-CBC', iv: iv.slice() }, key, parts.encryptedContent.slice()).then(() => true, () => false)) wrongCek = k;
    }
    // The key transport "succeeds" with that key (as an implicit rejection does): a fault no real key produces on demand.
    const lying = { ...candidate(current.certDer, current.keyDer), decryptPkcs1v15: async () => wrongCek!.slice() };
    const err = await decryptSmime(der, [lying]).catch((e: unknown) => e);
    expect(isSmimeError(err, 'smime_decrypt_failed')).toBe(true);
    // The real key still opens it.
    expect((await decryptSmime(der, keychain)).contentType).toBe('text/plain');
  });

  it('a corrupted PKCS#1 v1.5 key gives the same error as a wrong key (no padding oracle)', async () => {
    const der = encrypt('corrupt.p7m', ['-aes256', '-outform', 'DER'], [current]);
    // The 256-byte encryptedKey follows its OCTET STRING header 04 82 01 00.
    const at = der.findIndex((_, i) => der[i] === 0x04 && der[i + 1] === 0x82 && der[i + 2] === 0x01 && der[i + 3] === 0x00);
    const bad = der.slice();
    bad[at + 4 + 100]! ^= 0x40;
    const err = await decryptSmime(bad, keychain).catch((e: unknown) => e);
    expect(isSmimeError(err, 'smime_decrypt_failed')).toBe(true);
    const wrongKey = [candidate(current.certDer, old2019.keyDer)];
    const err2 = await decryptSmime(der, wrongKey).catch((e: unknown) => e);
    expect(isSmimeError(err2, 'smime_decrypt_failed')).toBe(true);
    expect((err2 as Error).message).toBe((err as Error).message);
  });

  it('a tampered AES-GCM message fails authentication', async () => {
    const der = encrypt('gcm.p7m', ['-aes-256-gcm', '-outform', 'DER'], [current]);
    const bad = der.slice();
    bad[bad.length - 30]! ^= 1;
    const err = await decryptSmime(bad, keychain).catch((e: unknown) => e);
    expect(isSmimeError(err, 'smime_decrypt_failed') || isSmimeError(err, 'smime_malformed')).toBe(true);
  });
});
