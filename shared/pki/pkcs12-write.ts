/**
 * Writes PKCS#12 files for devices: 'aes' is what OpenSSL 3 writes by default (PBES2
 * AES-256-CBC, PBKDF2-HMAC-SHA256, SHA-256 MAC); '3des' is pbeWithSHAAnd3-KeyTripleDES-CBC
 * for keys and certificates with a SHA-1 MAC, the profile iOS and older Windows import.
 */

import * as asn1js from 'asn1js';
import { toArrayBuffer, toHex } from './bytes.ts';
import { keyMatchesCertificate } from './key-match.ts';
import { OID } from './oids.ts';
import { type PasswordContext, type PbeResult, pbeSha3DesEncrypt, pbes2Encrypt } from './pkcs12-crypto.ts';
import { bmpPassword } from './pkcs12-kdf.ts';
import { buildPkcs12MacData } from './pkcs12-mac.ts';
import { PkiError } from './pki-error.ts';
import { SHA1, SHA256, sha1 } from './sha.ts';

export interface Pkcs12WriteEntry {
  privateKeyPkcs8: Uint8Array;
  certificate: Uint8Array;
  chain?: Uint8Array[];
  friendlyName?: string;
}

export interface WritePkcs12Options {
  entries: Pkcs12WriteEntry[];
  password: string;
  encoding: 'aes' | '3des';
  /** KDF iterations for encryption and MAC; 2048 (OpenSSL's default) unless given. */
  iterations?: number;
}

const oid = (value: string) => new asn1js.ObjectIdentifier({ value });
const octets = (bytes: Uint8Array) => new asn1js.OctetString({ valueHex: toArrayBuffer(bytes) });
const explicit0 = (inner: asn1js.AsnType) =>
  new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [inner] });
const der = (node: asn1js.AsnType) => new Uint8Array(node.toBER(false));

function bagAttributes(localKeyId: Uint8Array, friendlyName: string | undefined): asn1js.Set {
  const attrs: asn1js.Sequence[] = [];
  if (friendlyName !== undefined) {
    attrs.push(
      new asn1js.Sequence({
        value: [oid(OID.friendlyName), new asn1js.Set({ value: [new asn1js.BmpString({ value: friendlyName })] })],
      }),
    );
  }
  attrs.push(new asn1js.Sequence({ value: [oid(OID.localKeyId), new asn1js.Set({ value: [octets(localKeyId)] })] }));
  return new asn1js.Set({ value: attrs });
}

function certBag(cert: Uint8Array, attributes?: asn1js.Set): asn1js.Sequence {
  const value = new asn1js.Sequence({ value: [oid(OID.x509Certificate), explicit0(octets(cert))] });
  return new asn1js.Sequence({
    value: [oid(OID.certBag), explicit0(value), ...(attributes ? [attributes] : [])],
  });
}

function encryptedContentInfo(enc: PbeResult): asn1js.Sequence {
  const encryptedContent = new asn1js.Primitive({
    idBlock: { tagClass: 3, tagNumber: 0 },
    valueHex: toArrayBuffer(enc.ciphertext),
  });
  const encryptedData = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({ value: [oid(OID.data), enc.algorithm, encryptedContent] }),
    ],
  });
  return new asn1js.Sequence({ value: [oid(OID.encryptedData), explicit0(encryptedData)] });
}

/**
 * Encodes the entries without checking that keys and certificates belong together. Use
 * writePkcs12; this exists so tests can build deliberately broken files.
 */
export async function encodePkcs12(options: WritePkcs12Options): Promise<Uint8Array> {
  const iterations = options.iterations ?? 2048;
  const pw: PasswordContext = { bmp: bmpPassword(options.password), utf8: new TextEncoder().encode(options.password) };
  const encrypt = (plain: Uint8Array): Promise<PbeResult> =>
    options.encoding === 'aes'
      ? pbes2Encrypt(plain, pw, iterations)
      : Promise.resolve(pbeSha3DesEncrypt(plain, pw, iterations));

  const certBags: asn1js.Sequence[] = [];
  const seenCerts = new Set<string>();
  const keyBags: Promise<asn1js.Sequence>[] = [];
  for (const entry of options.entries) {
    // OpenSSL's choice of localKeyId: the SHA-1 of the certificate.
    const localKeyId = sha1(entry.certificate);
    seenCerts.add(toHex(localKeyId));
    certBags.push(certBag(entry.certificate, bagAttributes(localKeyId, entry.friendlyName)));
    keyBags.push(
      encrypt(entry.privateKeyPkcs8).then(
        (enc) =>
          new asn1js.Sequence({
            value: [
              oid(OID.pkcs8ShroudedKeyBag),
              explicit0(new asn1js.Sequence({ value: [enc.algorithm, octets(enc.ciphertext)] })),
              bagAttributes(localKeyId, entry.friendlyName),
            ],
          }),
      ),
    );
  }
  for (const entry of options.entries) {
    for (const ca of entry.chain ?? []) {
      const id = toHex(sha1(ca));
      if (seenCerts.has(id)) continue;
      seenCerts.add(id);
      certBags.push(certBag(ca));
    }
  }
  const certsEncrypted = encrypt(der(new asn1js.Sequence({ value: certBags })));
  const keysContents = der(new asn1js.Sequence({ value: await Promise.all(keyBags) }));
  const authSafe = der(
    new asn1js.Sequence({
      value: [
        encryptedContentInfo(await certsEncrypted),
        new asn1js.Sequence({ value: [oid(OID.data), explicit0(octets(keysContents))] }),
      ],
    }),
  );
  const macData = buildPkcs12MacData(options.encoding === 'aes' ? SHA256 : SHA1, pw.bmp, iterations, authSafe);
  return der(
    new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 3 }),
        new asn1js.Sequence({ value: [oid(OID.data), explicit0(octets(authSafe))] }),
        macData,
      ],
    }),
  );
}

/**
 * Builds a password-protected PKCS#12 file. Every entry's key must belong to its certificate
 * (checked; PkiError pkcs12_key_mismatch otherwise). Each key is paired with its certificate by
 * localKeyId; chain certificates are stored once.
 */
export async function writePkcs12(options: WritePkcs12Options): Promise<Uint8Array> {
  if (options.entries.length === 0) throw new PkiError('pkcs12_no_key', 'There is no key to put in the file.');
  for (const entry of options.entries) {
    if (!(await keyMatchesCertificate(entry.privateKeyPkcs8, entry.certificate))) {
      throw new PkiError('pkcs12_key_mismatch', 'A private key does not belong to the certificate it was paired with.');
    }
  }
  return encodePkcs12(options);
}
