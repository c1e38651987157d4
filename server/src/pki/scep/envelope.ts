/**
 * The pkcsPKIEnvelope of SCEP: CMS EnvelopedData with RSA PKCS #1 v1.5 key transport.
 * WebCrypto has no RSAES-PKCS1-v1_5 and Node 20 refuses it for private decryption
 * (CVE-2023-46809), so the CA key is applied raw and the padding is removed here with implicit
 * rejection: a bad padding yields a pseudo-random key, so the caller only ever sees one kind of
 * failure (Bleichenbacher's oracle needs two).
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPublicKey,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toBytes } from '../x509-builders.ts';
import { desCbcDecrypt } from './des-cbc.ts';
import { CMS_OID } from './scep-constants.ts';

export type ContentCipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc' | 'des-cbc';

const CIPHERS: Record<string, { name: ContentCipher; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
  '1.3.14.3.2.7': { name: 'des-cbc', keyLength: 8 },
};

/** Why an envelope could not be opened; the caller maps it to failInfo. */
export class EnvelopeError extends Error {
  constructor(
    readonly reason: 'unsupportedAlgorithm' | 'decryptFailed' | 'malformed',
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

export interface OpenEnvelopeOptions {
  caKey: KeyObject;
  allowLegacyDes: boolean;
  /** Secret keying the implicit-rejection key; constant for the life of the service. */
  rejectionSecret: Uint8Array;
}

/** Decrypts a ContentInfo(EnvelopedData) addressed to the CA. Returns the content and cipher. */
export function openEnvelope(der: Uint8Array, options: OpenEnvelopeOptions): { content: Uint8Array; cipher: ContentCipher } {
  let enveloped: pkijs.EnvelopedData;
  try {
    const info = pkijs.ContentInfo.fromBER(toBytes(der));
    if (info.contentType !== CMS_OID.envelopedData) throw new Error('not EnvelopedData');
    enveloped = new pkijs.EnvelopedData({ schema: info.content });
  } catch {
    throw new EnvelopeError('malformed', 'pkcsPKIEnvelope is not a CMS EnvelopedData');
  }
  const eci = enveloped.encryptedContentInfo;
  const cipher = CIPHERS[eci.contentEncryptionAlgorithm.algorithmId];
  if (!cipher) throw new EnvelopeError('unsupportedAlgorithm', 'unsupported content encryption algorithm');
  if (cipher.name === 'des-cbc' && !options.allowLegacyDes) {
    throw new EnvelopeError('unsupportedAlgorithm', 'single DES is disabled (SCEP_ALLOW_LEGACY_DES=0)');
  }
  const ktri = enveloped.recipientInfos.map((r) => r.value).find((v) => v instanceof pkijs.KeyTransRecipientInfo);
  if (!ktri || ktri.keyEncryptionAlgorithm.algorithmId !== CMS_OID.rsaEncryption) {
    throw new EnvelopeError('unsupportedAlgorithm', 'only RSA PKCS #1 v1.5 key transport is supported');
  }
  const ivParam = eci.contentEncryptionAlgorithm.algorithmParams;
  const ciphertext = eci.encryptedContent ? octets(eci.encryptedContent) : undefined;
  if (!(ivParam instanceof asn1js.OctetString) || !ciphertext) {
    throw new EnvelopeError('malformed', 'content encryption IV or ciphertext missing');
  }
  const iv = octets(ivParam);
  const key = unwrapKey(octets(ktri.encryptedKey), cipher.keyLength, options);
  try {
    if (cipher.name === 'des-cbc') return { content: desCbcDecrypt(key, iv, ciphertext), cipher: cipher.name };
    const decipher = createDecipheriv(cipher.name, key, iv);
    const content = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    return { content: new Uint8Array(content), cipher: cipher.name };
  } catch {
    throw new EnvelopeError('decryptFailed', 'pkcsPKIEnvelope could not be decrypted');
  }
}

/**
 * RSAES-PKCS1-v1_5 decryption with implicit rejection: returns the real key when the padding and
 * length are right, else HMAC(secret, ciphertext) cut to length — without branching on which.
 */
function unwrapKey(encryptedKey: Uint8Array, keyLength: number, options: OpenEnvelopeOptions): Uint8Array {
  const synthetic = createHmac('sha256', options.rejectionSecret).update(encryptedKey).digest().subarray(0, keyLength);
  let em: Uint8Array;
  try {
    em = privateDecrypt({ key: options.caKey, padding: constants.RSA_NO_PADDING }, encryptedKey);
  } catch {
    return new Uint8Array(synthetic);
  }
  // EM = 00 || 02 || PS (≥ 8 non-zero bytes) || 00 || M
  let separator = 0;
  let good = (em[0] === 0 ? 1 : 0) & (em[1] === 2 ? 1 : 0);
  for (let i = 2; i < em.length; i++) {
    const isZero = em[i] === 0 ? 1 : 0;
    const first = isZero & (separator === 0 ? 1 : 0);
    separator = first ? i : separator;
  }
  good &= separator >= 10 ? 1 : 0;
  good &= em.length - separator - 1 === keyLength ? 1 : 0;
  const candidate = Buffer.alloc(keyLength);
  Buffer.from(em).copy(candidate, 0, Math.max(0, em.length - keyLength));
  const out = new Uint8Array(keyLength);
  for (let i = 0; i < keyLength; i++) out[i] = good ? candidate[i]! : synthetic[i]!;
  return out;
}

/**
 * Encrypts content to a recipient certificate (RSA only) as ContentInfo(EnvelopedData) v0 with
 * PKCS #1 v1.5 key transport, which every SCEP client can open.
 */
export function sealEnvelope(
  content: Uint8Array,
  recipient: pkijs.Certificate,
  cipher: 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc',
): Uint8Array {
  const entry = Object.entries(CIPHERS).find(([, c]) => c.name === cipher)!;
  const [cipherOid, { keyLength }] = entry;
  const key = randomBytes(keyLength);
  const iv = randomBytes(16);
  const encipher = createCipheriv(cipher, key, iv);
  const ciphertext = Buffer.concat([encipher.update(content), encipher.final()]);
  const spkiDer = Buffer.from(recipient.subjectPublicKeyInfo.toSchema().toBER(false));
  const encryptedKey = publicEncrypt(
    { key: createPublicKey({ key: spkiDer, format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_PADDING },
    key,
  );
  const ktri = new pkijs.KeyTransRecipientInfo({
    version: 0,
    rid: new pkijs.IssuerAndSerialNumber({ issuer: recipient.issuer, serialNumber: recipient.serialNumber }),
    keyEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: CMS_OID.rsaEncryption,
      algorithmParams: new asn1js.Null(),
    }),
    encryptedKey: new asn1js.OctetString({ valueHex: toBytes(encryptedKey) }),
  });
  const enveloped = new pkijs.EnvelopedData({
    version: 0,
    recipientInfos: [new pkijs.RecipientInfo({ variant: 1, value: ktri })],
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      contentType: CMS_OID.data,
      contentEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: cipherOid,
        algorithmParams: new asn1js.OctetString({ valueHex: toBytes(iv) }),
      }),
      encryptedContent: new asn1js.OctetString({ valueHex: toBytes(ciphertext) }),
    }),
  });
  const info = new pkijs.ContentInfo({ contentType: CMS_OID.envelopedData, content: enveloped.toSchema() });
  return toBytes(info.toSchema().toBER(false));
}

/** Bytes of an OCTET STRING, joining the chunks of a constructed (BER) one. */
export function octets(value: asn1js.OctetString): Uint8Array {
  if (!value.idBlock.isConstructed) return toBytes(value.valueBlock.valueHexView);
  const parts = (value.valueBlock.value as asn1js.OctetString[]).map((part) => octets(part));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
