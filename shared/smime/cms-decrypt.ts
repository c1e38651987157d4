/**
 * Opens an S/MIME encrypted message (.eml with application/pkcs7-mime, or a DER/PEM .p7m) with
 * the keychain: finds the RecipientInfo that names one of the candidate certificates, recovers
 * the content-encryption key through the candidate's callbacks (RSA-OAEP with a non-extractable
 * WebCrypto key, or RSA PKCS#1 v1.5 in memory), then decrypts AES-CBC, AES-GCM or 3DES content.
 */

import * as asn1js from 'asn1js';
import { toArrayBuffer } from '../pki/bytes.ts';
import { pemToDer } from '../pki/certificate-info.ts';
import { type AsnNode, isTag } from '../pki/der.ts';
import { desCbcDecrypt } from '../pki/des.ts';
import { OID } from '../pki/oids.ts';
import {
  certificateIds,
  describeRecipient,
  type EnvelopedParts,
  type KeyTransRecipient,
  parseEnveloped,
  recipientMatches,
} from './cms-enveloped.ts';
import { decodeBody, latin1, parseContentType, parseEntity } from './mime.ts';
import { SmimeError } from './smime-error.ts';

export type OaepHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** One keychain entry that may open the message. */
export interface DecryptCandidate {
  /** The certificate DER. */
  certificate: Uint8Array;
  /** RSAES-OAEP key transport, typically via a non-extractable WebCrypto RSA-OAEP key. */
  decryptOaep?: (encryptedKey: Uint8Array, hash: OaepHash) => Promise<Uint8Array>;
  /**
   * RSA PKCS#1 v1.5 key transport (rsa-pkcs1v15.ts). Must return `cekLength` bytes and must not
   * throw on bad padding (implicit rejection), so no padding oracle reaches the caller.
   */
  decryptPkcs1v15?: (encryptedKey: Uint8Array, cekLength: number) => Promise<Uint8Array>;
}

export interface DecryptResult {
  /** The decrypted MIME entity (headers + body) as bytes. */
  plaintext: Uint8Array;
  /** Lowercase MIME type of the decrypted entity, e.g. 'text/plain' or 'multipart/signed'. */
  contentType: string;
  /** The index into `candidates` and the certificate that opened the message. */
  recipient: { index: number; certificate: Uint8Array };
  /** e.g. 'AES-256-CBC', 'AES-128-GCM', 'DES-EDE3-CBC'. */
  contentAlgorithm: string;
  /** 'RSAES-PKCS1-v1_5' or 'RSAES-OAEP-SHA-1' / 'RSAES-OAEP-SHA-256' … */
  keyTransport: string;
}

interface ContentAlgorithm {
  name: string;
  mode: 'CBC' | 'GCM' | '3DES';
  keyLength: number;
}

const CONTENT_ALGORITHMS: Record<string, ContentAlgorithm> = {
  [OID.aes128Cbc]: { name: 'AES-128-CBC', mode: 'CBC', keyLength: 16 },
  [OID.aes192Cbc]: { name: 'AES-192-CBC', mode: 'CBC', keyLength: 24 },
  [OID.aes256Cbc]: { name: 'AES-256-CBC', mode: 'CBC', keyLength: 32 },
  '2.16.840.1.101.3.4.1.6': { name: 'AES-128-GCM', mode: 'GCM', keyLength: 16 },
  '2.16.840.1.101.3.4.1.26': { name: 'AES-192-GCM', mode: 'GCM', keyLength: 24 },
  '2.16.840.1.101.3.4.1.46': { name: 'AES-256-GCM', mode: 'GCM', keyLength: 32 },
  [OID.desEde3Cbc]: { name: 'DES-EDE3-CBC', mode: '3DES', keyLength: 24 },
};

const RSAES_OAEP = '1.2.840.113549.1.1.7';
const MGF1 = '1.2.840.113549.1.1.8';
const OAEP_HASHES: Record<string, OaepHash> = {
  [OID.sha1]: 'SHA-1',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

const items = (node: AsnNode | undefined): AsnNode[] => (node?.valueBlock as { value?: AsnNode[] })?.value ?? [];
const oidText = (node: AsnNode | undefined): string =>
  node instanceof asn1js.ObjectIdentifier ? node.valueBlock.toString() : '';

/** RSAES-OAEP-params (RFC 4055): hash and MGF1 hash must agree; only the empty label. */
function oaepHash(params: AsnNode | undefined): OaepHash {
  let hash: OaepHash | undefined = 'SHA-1';
  let mgfHash: OaepHash | undefined = 'SHA-1';
  for (const p of params instanceof asn1js.Sequence ? items(params) : []) {
    const inner = items(p)[0];
    if (isTag(p, 3, 0)) hash = OAEP_HASHES[oidText(items(inner)[0])];
    if (isTag(p, 3, 1)) {
      const [mgfOid, mgfParams] = items(inner);
      mgfHash = oidText(mgfOid) === MGF1 ? OAEP_HASHES[oidText(items(mgfParams)[0])] : undefined;
    }
    if (isTag(p, 3, 2)) {
      const label = items(inner)[1];
      const labelBytes = (label?.valueBlock as { valueHexView?: Uint8Array } | undefined)?.valueHexView;
      if (labelBytes && labelBytes.length > 0) hash = undefined;
    }
  }
  if (!hash || hash !== mgfHash) throw new SmimeError('smime_unsupported', 'The RSA-OAEP parameters of this message are not supported.');
  return hash;
}

/** Finds the DER of the CMS object in an .eml, a PEM or a raw DER/BER .p7m. */
export function extractCmsDer(bytes: Uint8Array): Uint8Array {
  if (bytes[0] === 0x30) return bytes;
  const head = latin1(bytes.subarray(0, 64));
  if (/^\s*-----BEGIN /.test(head)) return pemToDer(latin1(bytes));
  const entity = parseEntity(bytes);
  if (!entity) {
    // Bare base64 of a DER SEQUENCE, as some tools save .p7m files.
    if (/^\s*MI[A-Za-z0-9+/=\s]+$/.test(latin1(bytes))) return pemToDer(latin1(bytes));
    throw new SmimeError('smime_not_encrypted', 'Not an S/MIME encrypted message.');
  }
  const { type, params } = parseContentType(entity.headers.get('content-type'));
  const smimeType = params.get('smime-type')?.toLowerCase();
  const isPkcs7 = type === 'application/pkcs7-mime' || type === 'application/x-pkcs7-mime';
  if (!isPkcs7 || (smimeType && smimeType !== 'enveloped-data' && smimeType !== 'authenveloped-data')) {
    const what = type === 'multipart/signed' || smimeType === 'signed-data' ? ' (it is signed, not encrypted)' : '';
    throw new SmimeError('smime_not_encrypted', `Not an S/MIME encrypted message${what}.`);
  }
  return decodeBody(entity);
}

async function decryptContent(parts: EnvelopedParts, alg: ContentAlgorithm, cek: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  const params = parts.contentAlgorithmParams;
  if (alg.mode === 'GCM') {
    // GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen INTEGER DEFAULT 12 }
    const [nonce, icvLen] = items(params);
    const iv = (nonce?.valueBlock as { valueHexView?: Uint8Array } | undefined)?.valueHexView;
    const tagLength = icvLen instanceof asn1js.Integer ? icvLen.valueBlock.valueDec : 12;
    if (!iv || !parts.mac || parts.mac.length !== tagLength) throw new SmimeError('smime_malformed', 'The AES-GCM parameters are malformed.');
    const key = await subtle.importKey('raw', toArrayBuffer(cek), 'AES-GCM', false, ['decrypt']);
    const data = new Uint8Array(parts.encryptedContent.length + parts.mac.length);
    data.set(parts.encryptedContent);
    data.set(parts.mac, parts.encryptedContent.length);
    const gcm: AesGcmParams = { name: 'AES-GCM', iv: toArrayBuffer(iv), tagLength: tagLength * 8 };
    if (parts.authAttrsDer) gcm.additionalData = toArrayBuffer(parts.authAttrsDer);
    return new Uint8Array(await subtle.decrypt(gcm, key, toArrayBuffer(data)));
  }
  const iv = (params?.valueBlock as { valueHexView?: Uint8Array } | undefined)?.valueHexView;
  if (!(params instanceof asn1js.OctetString) || !iv) throw new SmimeError('smime_malformed', 'The content IV is missing.');
  if (alg.mode === '3DES') {
    const plain = desCbcDecrypt(cek, iv, parts.encryptedContent);
    if (!plain) throw new Error('bad padding');
    return plain;
  }
  const key = await subtle.importKey('raw', toArrayBuffer(cek), 'AES-CBC', false, ['decrypt']);
  return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: toArrayBuffer(iv) }, key, toArrayBuffer(parts.encryptedContent)));
}

async function recoverCek(
  ri: KeyTransRecipient,
  candidate: DecryptCandidate,
  alg: ContentAlgorithm,
): Promise<{ cek: Uint8Array; keyTransport: string } | null> {
  if (ri.keyEncryptionOid === OID.rsaEncryption) {
    if (!candidate.decryptPkcs1v15) return null;
    return { cek: await candidate.decryptPkcs1v15(ri.encryptedKey, alg.keyLength), keyTransport: 'RSAES-PKCS1-v1_5' };
  }
  if (ri.keyEncryptionOid === RSAES_OAEP) {
    if (!candidate.decryptOaep) return null;
    const hash = oaepHash(ri.keyEncryptionParams);
    return { cek: await candidate.decryptOaep(ri.encryptedKey, hash), keyTransport: `RSAES-OAEP-${hash}` };
  }
  throw new SmimeError('smime_unsupported', `The key transport algorithm ${ri.keyEncryptionOid} is not supported.`);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    STRICT_UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decrypts an S/MIME message with the first candidate that a RecipientInfo names and that
 * opens it. Throws SmimeError: smime_not_encrypted, smime_no_recipient (the message lists its
 * recipients in `details.recipients`), smime_decrypt_failed, smime_unsupported, smime_malformed.
 */
export async function decryptSmime(bytes: Uint8Array, candidates: DecryptCandidate[]): Promise<DecryptResult> {
  const parts = parseEnveloped(extractCmsDer(bytes));
  const alg = CONTENT_ALGORITHMS[parts.contentAlgorithmOid];
  if (!alg || (alg.mode === 'GCM') !== parts.authenticated) {
    throw new SmimeError('smime_unsupported', `The content encryption algorithm ${parts.contentAlgorithmOid} is not supported.`);
  }
  const ids = candidates.map((c) => certificateIds(c.certificate));
  const matches: { ri: KeyTransRecipient; index: number }[] = [];
  for (const ri of parts.recipients) {
    ids.forEach((id, index) => {
      if (recipientMatches(ri.rid, id)) matches.push({ ri, index });
    });
  }
  if (matches.length === 0) {
    const recipients = parts.recipients.map((r) => describeRecipient(r.rid));
    const others = parts.otherRecipientKinds.length ? ` (and ${parts.otherRecipientKinds.join(', ')} recipients)` : '';
    throw new SmimeError(
      'smime_no_recipient',
      `No recipient matches any certificate in the keychain. The message is for: ${recipients.join('; ') || 'no key-transport recipient'}${others}.`,
      { details: { recipients, otherRecipientKinds: parts.otherRecipientKinds } },
    );
  }
  let lastCause: unknown;
  for (const { ri, index } of matches) {
    const candidate = candidates[index]!;
    let recovered: Awaited<ReturnType<typeof recoverCek>>;
    try {
      recovered = await recoverCek(ri, candidate, alg);
    } catch (cause) {
      if (cause instanceof SmimeError && cause.code === 'smime_unsupported') throw cause;
      lastCause = cause;
      continue;
    }
    if (!recovered) continue;
    const { cek, keyTransport } = recovered;
    try {
      // A wrong CEK (implicit rejection) fails here like any wrong key: one error for both.
      if (cek.length !== alg.keyLength) throw new Error('key length mismatch');
      const plaintext = await decryptContent(parts, alg, cek);
      const entity = parseEntity(plaintext);
      // CBC has no integrity: a wrong key (or an implicitly rejected one) passes the padding
      // check about once in 256 and yields noise. Content is a MIME entity (RFC 8551), or at
      // least text; anything else is that noise, and fails like the wrong key it is.
      if (!entity && alg.mode !== 'GCM' && !isUtf8(plaintext)) throw new Error('the decrypted content is neither a MIME entity nor text');
      const contentType = parseContentType(entity?.headers.get('content-type')).type;
      return { plaintext, contentType, recipient: { index, certificate: candidate.certificate }, contentAlgorithm: alg.name, keyTransport };
    } catch (cause) {
      if (cause instanceof SmimeError) throw cause;
      lastCause = cause;
    } finally {
      cek.fill(0);
    }
  }
  throw new SmimeError(
    'smime_decrypt_failed',
    'The message names a certificate in the keychain but did not decrypt with its key (wrong key, or the message was altered).',
    { cause: lastCause },
  );
}
