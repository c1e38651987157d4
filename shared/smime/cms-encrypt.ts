/**
 * S/MIME encryption: a CMS EnvelopedData with AES-256-CBC content and one RSAES-OAEP
 * KeyTransRecipientInfo per recipient certificate, as an application/pkcs7-mime .eml.
 *
 * Why OAEP: WebCrypto can only encrypt RSA with OAEP (no PKCS#1 v1.5). OpenSSL, Outlook (Windows
 * CNG) and Apple Mail decrypt RSAES-OAEP. SHA-256 is the default; `oaepHash: 'SHA-1'` writes
 * the RFC 3560 all-default parameters for the oldest clients. The content key is generated and
 * wrapped inside WebCrypto (wrapKey), so it never appears as bytes in JavaScript.
 */

import { toArrayBuffer } from '../pki/bytes.ts';
import { spkiOfCertificate } from '../pki/key-match.ts';
import { OID } from '../pki/oids.ts';
import { algorithm, int, NULL, octets, oid, seq, setOf, tlv } from './der-write.ts';
import { base64Lines, messageHeaders, toCrlf } from './mime.ts';
import { issuerAndSerial } from './issuer-and-serial.ts';
import { SmimeError } from './smime-error.ts';

const RSAES_OAEP = '1.2.840.113549.1.1.7';
const MGF1 = '1.2.840.113549.1.1.8';

export interface EncryptSmimeOptions {
  /** The MIME entity to encrypt, headers included (e.g. a signed multipart for sign-then-encrypt). */
  content: string | Uint8Array;
  /** Recipient certificates (DER, RSA keys). Include the sender's own to read the sent copy. */
  recipients: Uint8Array[];
  /** OAEP hash: 'SHA-256' (default) or 'SHA-1' (RFC 3560 default parameters). */
  oaepHash?: 'SHA-256' | 'SHA-1';
  from?: string;
  to?: string | string[];
  subject?: string;
  date?: Date;
}

function oaepParams(hash: 'SHA-256' | 'SHA-1'): Uint8Array {
  if (hash === 'SHA-1') return seq();
  const sha256 = algorithm(OID.sha256, NULL);
  return seq(tlv(0xa0, sha256), tlv(0xa1, algorithm(MGF1, sha256)));
}


/** Builds the EnvelopedData ContentInfo (DER) for the recipients. */
export async function buildEnvelopedData(content: Uint8Array, recipients: Uint8Array[], hash: 'SHA-256' | 'SHA-1' = 'SHA-256'): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  if (recipients.length === 0) throw new SmimeError('smime_bad_input', 'Encryption needs at least one recipient certificate.');
  const cek = await subtle.generateKey({ name: 'AES-CBC', length: 256 }, true, ['encrypt']);
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const encrypted = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, cek, toArrayBuffer(content)));
  const keyEncryption = algorithm(RSAES_OAEP, oaepParams(hash));
  const infos: Uint8Array[] = [];
  for (const cert of recipients) {
    let publicKey: CryptoKey;
    try {
      publicKey = await subtle.importKey('spki', toArrayBuffer(spkiOfCertificate(cert)), { name: 'RSA-OAEP', hash }, false, ['wrapKey']);
    } catch (cause) {
      throw new SmimeError('smime_unsupported', 'Only RSA recipient certificates are supported for encryption.', { cause });
    }
    const wrapped = new Uint8Array(await subtle.wrapKey('raw', cek, publicKey, { name: 'RSA-OAEP' }));
    infos.push(seq(int(0), issuerAndSerial(cert, 'recipient'), keyEncryption, octets(wrapped)));
  }
  const encryptedContentInfo = seq(oid(OID.data), algorithm(OID.aes256Cbc, octets(iv)), tlv(0x80, encrypted));
  return seq(oid(OID.envelopedData), tlv(0xa0, seq(int(0), setOf(infos), encryptedContentInfo)));
}

/** Encrypts a MIME entity to the recipients and returns the .eml (CRLF line ends). */
export async function encryptSmime(options: EncryptSmimeOptions): Promise<string> {
  const content = typeof options.content === 'string' ? new TextEncoder().encode(toCrlf(options.content)) : options.content;
  const der = await buildEnvelopedData(content, options.recipients, options.oaepHash ?? 'SHA-256');
  return [
    ...messageHeaders({ from: options.from, to: options.to, subject: options.subject, date: options.date }),
    'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="smime.p7m"',
    '',
    base64Lines(der),
    '',
  ].join('\r\n');
}
