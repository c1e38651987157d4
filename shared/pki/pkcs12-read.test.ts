import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { encodePkcs12 } from './pkcs12-write.ts';
import { decodePkcs12, extractIdentity, readPkcs12 } from './pkcs12-read.ts';
import { type PkiErrorCode, PkiError } from './pki-error.ts';
import { exportP12, type Issued, issue, type Workdir, workdir } from './test-openssl.mts';

let w: Workdir;
let ca: Issued;
let rsa: Issued;
let ec: Issued;
let other: Issued;

beforeAll(() => {
  w = workdir();
  ca = issue(w, 'ca', { kind: 'ec256', subj: '/CN=Test Root CA', ext: ['basicConstraints=critical,CA:TRUE', 'keyUsage=keyCertSign,cRLSign'] });
  const caRef = { key: ca.keyPem, cert: ca.certPem };
  const leafExt = ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature,keyEncipherment', 'extendedKeyUsage=emailProtection', 'subjectAltName=email:alice@example.com'];
  rsa = issue(w, 'rsa', { subj: '/CN=Alice', ext: leafExt, ca: caRef });
  ec = issue(w, 'ec', { kind: 'ec256', subj: '/CN=Alice EC', ext: leafExt, ca: caRef, serial: '0x99' });
  other = issue(w, 'other', { kind: 'ec256', subj: '/CN=Bob', ext: leafExt, ca: caRef, serial: '0x77' });
});

afterAll(() => w.cleanup());

async function expectCode(p: Promise<unknown>, code: PkiErrorCode): Promise<PkiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PkiError);
  expect((err as PkiError).code).toBe(code);
  return err as PkiError;
}

const VARIANTS: [string, string[]][] = [
  ['OpenSSL 3 default (PBES2 AES-256, SHA-256 MAC)', []],
  ['OpenSSL -legacy (RC2-40 certs, 3DES keys, SHA-1 MAC)', ['-legacy']],
  ['Windows style 3DES', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
  ['unencrypted certificates', ['-certpbe', 'NONE']],
  ['nothing encrypted (keyBag)', ['-certpbe', 'NONE', '-keypbe', 'NONE']],
  ['RC2-128 certificates', ['-legacy', '-certpbe', 'PBE-SHA1-RC2-128']],
  ['2-key 3DES key', ['-legacy', '-keypbe', 'PBE-SHA1-2DES']],
  ['PBES2 AES-128 with a SHA-1 MAC', ['-keypbe', 'AES-128-CBC', '-certpbe', 'AES-128-CBC', '-macalg', 'sha1']],
  ['no MAC', ['-nomac']],
  ['no MAC, legacy', ['-nomac', '-legacy']],
];

describe('readPkcs12 / extractIdentity on files made by openssl', () => {
  for (const [label, args] of VARIANTS) {
    for (const password of ['s3cret!', 'пароль密码', '']) {
      it(`${label}, password ${JSON.stringify(password)}`, async () => {
        const p12 = exportP12(w, 'v', [...args, '-inkey', rsa.keyPem, '-in', rsa.certPem, '-certfile', ca.certPem, '-name', 'Alice'], password);
        const read = await readPkcs12(p12, password);
        expect(read.keys).toHaveLength(1);
        expect(toHex(read.keys[0]!)).toBe(toHex(rsa.keyDer));
        expect(read.certificates.map(toHex).sort()).toEqual([toHex(rsa.certDer), toHex(ca.certDer)].sort());
        const id = await extractIdentity(p12, password);
        expect(toHex(id.certificate)).toBe(toHex(rsa.certDer));
        expect(id.chain.map(toHex)).toEqual([toHex(ca.certDer)]);
        expect(id.friendlyName).toBe('Alice');
      });
    }
  }

  it('reads an EC P-256 identity and pairs it without localKeyId hints', async () => {
    const p12 = exportP12(w, 'ec', ['-inkey', ec.keyPem, '-in', ec.certPem, '-certfile', other.certPem], 'pw');
    const id = await extractIdentity(p12, 'pw');
    expect(toHex(id.certificate)).toBe(toHex(ec.certDer));
    expect(id.chain.map(toHex)).toEqual([toHex(other.certDer)]);
  });

  it('pairs by public key when localKeyId points at the wrong certificate', async () => {
    // localKeyId marks the CA certificate; the key's real certificate only sits in the chain.
    const p12 = await encodePkcs12({
      entries: [{ privateKeyPkcs8: rsa.keyDer, certificate: ca.certDer, chain: [rsa.certDer] }],
      password: 'pw',
      encoding: 'aes',
    });
    expect((await decodePkcs12(p12, 'pw')).certificates).toHaveLength(2);
    const id = await extractIdentity(p12, 'pw');
    expect(toHex(id.certificate)).toBe(toHex(rsa.certDer));
    expect(id.chain.map(toHex)).toEqual([toHex(ca.certDer)]);
  });
});

/** Re-encodes a DER PFX the way Windows writes it: indefinite lengths, chunked OCTET STRING. */
function toWindowsBer(der: Uint8Array): Uint8Array {
  const pfx = asn1js.fromBER(der).result as asn1js.Sequence;
  const [version, authSafeInfo, macData] = pfx.valueBlock.value;
  const [oid, wrapped] = (authSafeInfo as asn1js.Sequence).valueBlock.value;
  const content = ((wrapped as asn1js.Constructed).valueBlock.value[0] as asn1js.OctetString).valueBlock.valueHexView;
  const raw = (n: asn1js.AsnType | undefined) => [...n!.valueBeforeDecodeView];
  const chunks: number[] = [];
  for (let i = 0; i < content.length; i += 100) {
    const part = content.subarray(i, i + 100);
    chunks.push(0x04, part.length, ...part);
  }
  const eoc = [0, 0];
  return new Uint8Array([
    0x30, 0x80, ...raw(version),
    0x30, 0x80, ...raw(oid), 0xa0, 0x80, 0x24, 0x80, ...chunks, ...eoc, ...eoc, ...eoc,
    ...raw(macData), ...eoc,
  ]);
}

describe('BER input', () => {
  it('reads indefinite-length PFX with a chunked OCTET STRING (as Windows writes)', async () => {
    const der = exportP12(w, 'ber', ['-legacy', '-inkey', rsa.keyPem, '-in', rsa.certPem], 'pw');
    const ber = toWindowsBer(der);
    expect(ber[1]).toBe(0x80);
    const id = await extractIdentity(ber, 'pw');
    expect(toHex(id.certificate)).toBe(toHex(rsa.certDer));
    await expectCode(readPkcs12(ber, 'nope'), 'pkcs12_wrong_password');
    await expectCode(readPkcs12(ber.subarray(0, ber.length - 300), 'pw'), 'pkcs12_truncated');
  });
});

describe('readPkcs12 errors', () => {
  it('wrong password', async () => {
    const p12 = exportP12(w, 'e1', ['-inkey', rsa.keyPem, '-in', rsa.certPem], 'right');
    const err = await expectCode(readPkcs12(p12, 'wrong'), 'pkcs12_wrong_password');
    expect(err.message).not.toContain('wrong\n');
    expect(err.message).not.toContain('right');
    await expectCode(readPkcs12(exportP12(w, 'e1b', ['-inkey', rsa.keyPem, '-in', rsa.certPem, '-legacy'], 'right'), 'Right'), 'pkcs12_wrong_password');
  });

  it('wrong password without a MAC is caught by decryption', async () => {
    const p12 = exportP12(w, 'e2', ['-inkey', rsa.keyPem, '-in', rsa.certPem, '-nomac', '-legacy'], 'right');
    await expectCode(readPkcs12(p12, 'wrong'), 'pkcs12_wrong_password');
  });

  it('random bytes and other DER are not PKCS#12', async () => {
    await expectCode(readPkcs12(new Uint8Array(randomBytes(2000)), 'x'), 'pkcs12_not_pkcs12');
    await expectCode(readPkcs12(new Uint8Array(0), 'x'), 'pkcs12_not_pkcs12');
    await expectCode(readPkcs12(rsa.certDer, 'x'), 'pkcs12_not_pkcs12');
    await expectCode(readPkcs12(new TextEncoder().encode('-----BEGIN CERTIFICATE-----'), 'x'), 'pkcs12_not_pkcs12');
  });

  it('a cut file is reported as truncated', async () => {
    const p12 = exportP12(w, 'e3', ['-inkey', rsa.keyPem, '-in', rsa.certPem], 'pw');
    for (const cut of [1, 2, 10, 100, p12.length - 1]) {
      await expectCode(readPkcs12(p12.subarray(0, cut), 'pw'), 'pkcs12_truncated');
    }
  });

  it('only a certificate: no key', async () => {
    const p12 = exportP12(w, 'e4', ['-nokeys', '-in', rsa.certPem], 'pw');
    expect((await readPkcs12(p12, 'pw')).certificates).toHaveLength(1);
    await expectCode(extractIdentity(p12, 'pw'), 'pkcs12_no_key');
  });

  it('only a key: no certificate', async () => {
    const p12 = exportP12(w, 'e5', ['-nocerts', '-inkey', rsa.keyPem], 'pw');
    await expectCode(extractIdentity(p12, 'pw'), 'pkcs12_no_certificate');
  });

  it('key of another certificate: mismatch', async () => {
    const p12 = await encodePkcs12({ entries: [{ privateKeyPkcs8: other.keyDer, certificate: ec.certDer }], password: 'pw', encoding: '3des' });
    await expectCode(extractIdentity(p12, 'pw'), 'pkcs12_key_mismatch');
  });

  it('a MAC digest we cannot compute is unsupported, not a wrong password', async () => {
    const p12 = exportP12(w, 'e6', ['-inkey', rsa.keyPem, '-in', rsa.certPem, '-macalg', 'sha512'], 'pw');
    await expectCode(readPkcs12(p12, 'pw'), 'pkcs12_unsupported');
  });
});
