/**
 * The pkcsPKIEnvelope of SCEP: CMS EnvelopedData with RSA PKCS #1 v1.5 key transport.
 * WebCrypto has no RSAES-PKCS1-v1_5 and Node 20 refuses it for private decryption
 * (CVE-2023-46809), so the RA (or CA) key is applied raw and the padding is removed here with implicit
 * rejection: a bad padding yields a pseudo-random key, so the caller only ever sees one kind of
 * failure (Bleichenbacher's oracle needs two).
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { desCbcDecrypt } from './des-cbc.ts';
import { children, contents, der, encoding, expectTag, NULL, octetString, octets, oid, oidDer, readRoot, seq, set, smallInt, type Tlv } from './der.ts';
import type { RecipientKey } from './ra-certificate.ts';
import { CMS_OID } from './scep-constants.ts';
import type { SignerCertificate } from './signer-certificate.ts';

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
  /**
   * The keys requests may be encrypted to, preferred first (the RA, an RA being replaced, the
   * CA). The RecipientInfo naming one of them is used; clients may address several at once.
   */
  keys: readonly RecipientKey[];
  /** Tried on the first RecipientInfo when none names a key we hold (the pre-RA behaviour). */
  fallbackKey: KeyObject | null;
  allowLegacyDes: boolean;
  /** Secret keying the implicit-rejection key; constant for the life of the service. */
  rejectionSecret: Uint8Array;
}

/** Decrypts a ContentInfo(EnvelopedData) addressed to one of our keys. Returns the content and cipher. */
export function openEnvelope(der: Uint8Array, options: OpenEnvelopeOptions): { content: Uint8Array; cipher: ContentCipher } {
  let parts: { cipherOid: string; iv: Tlv | undefined; ciphertext: Uint8Array | undefined; ktris: Tlv[][] };
  try {
    const info = children(expectTag(readRoot(der), 0x30, 'ContentInfo'));
    if (oid(expectTag(info[0], 0x06, 'contentType')) !== CMS_OID.envelopedData) throw new Error('not EnvelopedData');
    const fields = children(expectTag(children(expectTag(info[1], 0xa0, 'content'))[0], 0x30, 'EnvelopedData'));
    const at = fields[1]?.tag === 0xa0 ? 2 : 1; // skip originatorInfo
    const recipients = children(expectTag(fields[at], 0x31, 'recipientInfos'));
    const eci = children(expectTag(fields[at + 1], 0x30, 'encryptedContentInfo'));
    const algorithm = children(expectTag(eci[1], 0x30, 'contentEncryptionAlgorithm'));
    // KeyTransRecipientInfo is the one untagged SEQUENCE choice of RecipientInfo.
    const ktris = recipients.filter((r) => r.tag === 0x30).map((r) => children(r));
    const encrypted = eci[2] && (eci[2].tag === 0x80 || eci[2].tag === 0xa0) ? eci[2] : undefined;
    parts = {
      cipherOid: oid(expectTag(algorithm[0], 0x06, 'algorithm')),
      iv: algorithm[1],
      ciphertext: encrypted ? octetString(encrypted) : undefined,
      ktris,
    };
  } catch {
    throw new EnvelopeError('malformed', 'pkcsPKIEnvelope is not a CMS EnvelopedData');
  }
  const cipher = CIPHERS[parts.cipherOid];
  if (!cipher) throw new EnvelopeError('unsupportedAlgorithm', 'unsupported content encryption algorithm');
  if (cipher.name === 'des-cbc' && !options.allowLegacyDes) {
    throw new EnvelopeError('unsupportedAlgorithm', 'single DES is disabled (SCEP_ALLOW_LEGACY_DES=0)');
  }
  const { iv, ciphertext } = parts;
  if (parts.ktris.length === 0) throw new EnvelopeError('unsupportedAlgorithm', 'only RSA PKCS #1 v1.5 key transport is supported');
  const chosen = chooseRecipient(parts.ktris, options);
  if (!chosen) throw new EnvelopeError('decryptFailed', 'pkcsPKIEnvelope is not encrypted to our RA or CA');
  const { ktri } = chosen;
  const keyAlgorithm = ktri[2]?.tag === 0x30 ? children(ktri[2])[0] : undefined;
  if (keyAlgorithm?.tag !== 0x06 || oid(keyAlgorithm) !== CMS_OID.rsaEncryption) {
    throw new EnvelopeError('unsupportedAlgorithm', 'only RSA PKCS #1 v1.5 key transport is supported');
  }
  const encryptedKey = ktri[3];
  if (iv?.tag !== 0x04 || !ciphertext || encryptedKey?.tag !== 0x04) {
    throw new EnvelopeError('malformed', 'content encryption IV or ciphertext missing');
  }
  const key = unwrapKey(octetString(encryptedKey), cipher.keyLength, chosen.key, options.rejectionSecret);
  try {
    if (cipher.name === 'des-cbc') return { content: desCbcDecrypt(key, octetString(iv), ciphertext), cipher: cipher.name };
    const decipher = createDecipheriv(cipher.name, key, octetString(iv));
    const content = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    return { content: new Uint8Array(content), cipher: cipher.name };
  } catch {
    throw new EnvelopeError('decryptFailed', 'pkcsPKIEnvelope could not be decrypted');
  }
}

/**
 * The KeyTransRecipientInfo naming one of our keys (IssuerAndSerialNumber or [0] SKI), in the
 * order of our preference; else the first one with the fallback key. Chosen by name only, never
 * by trial decryption, so which key would decrypt leaks nothing.
 */
function chooseRecipient(ktris: Tlv[][], options: OpenEnvelopeOptions): { ktri: Tlv[]; key: KeyObject } | null {
  for (const key of options.keys) {
    for (const ktri of ktris) {
      const rid = ktri[1];
      if (!rid) continue;
      const named =
        rid.tag === 0x30
          ? Buffer.from(encoding(rid)).equals(key.issuerAndSerialDer)
          : rid.tag === 0x80 && key.subjectKeyIdentifier !== null && Buffer.from(contents(rid)).equals(key.subjectKeyIdentifier);
      if (named) return { ktri, key: key.keyObject };
    }
  }
  const first = ktris[0];
  return first && options.fallbackKey ? { ktri: first, key: options.fallbackKey } : null;
}

/**
 * RSAES-PKCS1-v1_5 decryption with implicit rejection: returns the real key when the padding and
 * length are right, else HMAC(secret, ciphertext) cut to length — without branching on which.
 */
function unwrapKey(encryptedKey: Uint8Array, keyLength: number, privateKey: KeyObject, rejectionSecret: Uint8Array): Uint8Array {
  const synthetic = createHmac('sha256', rejectionSecret).update(encryptedKey).digest().subarray(0, keyLength);
  let em: Uint8Array;
  try {
    em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, encryptedKey);
  } catch {
    return new Uint8Array(synthetic);
  }
  // EM = 00 || 02 || PS (≥ 8 non-zero bytes) || 00 || M. Branch-free on the decrypted bytes:
  // masks instead of conditionals, so timing does not tell good padding from bad.
  const eq = (a: number, b: number) => (((a ^ b) - 1) >>> 31) & 1; // 1 when a === b (bytes / small ints)
  let separator = 0;
  let found = 0;
  let good = eq(em[0]!, 0) & eq(em[1]!, 2);
  for (let i = 2; i < em.length; i++) {
    const first = eq(em[i]!, 0) & (found ^ 1);
    separator |= -first & i;
    found |= first;
  }
  good &= found & (((9 - separator) >>> 31) & 1); // separator ≥ 10: at least 8 padding bytes
  good &= eq(em.length - separator - 1, keyLength);
  const mask = -good & 0xff;
  const start = em.length - keyLength;
  const out = new Uint8Array(keyLength);
  for (let i = 0; i < keyLength; i++) out[i] = (em[start + i]! & mask) | (synthetic[i]! & ~mask & 0xff);
  em.fill(0);
  return out;
}

/**
 * Encrypts content to a recipient certificate (RSA only) as ContentInfo(EnvelopedData) v0 with
 * PKCS #1 v1.5 key transport, which every SCEP client can open.
 */
export function sealEnvelope(
  content: Uint8Array,
  recipient: SignerCertificate,
  cipher: 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc',
): Uint8Array {
  const entry = Object.entries(CIPHERS).find(([, c]) => c.name === cipher)!;
  const [cipherOid, { keyLength }] = entry;
  const key = randomBytes(keyLength);
  const iv = randomBytes(16);
  const encipher = createCipheriv(cipher, key, iv);
  const ciphertext = Buffer.concat([encipher.update(content), encipher.final()]);
  const encryptedKey = publicEncrypt({ key: recipient.publicKey, padding: constants.RSA_PKCS1_PADDING }, key);
  key.fill(0);
  const ktri = seq(
    smallInt(0),
    seq(recipient.issuerDer, recipient.serialDer),
    seq(oidDer(CMS_OID.rsaEncryption), NULL),
    octets(encryptedKey),
  );
  const enveloped = seq(
    smallInt(0),
    set(ktri),
    seq(oidDer(CMS_OID.data), seq(oidDer(cipherOid), octets(iv)), der(0x80, ciphertext)),
  );
  return seq(oidDer(CMS_OID.envelopedData), der(0xa0, enveloped));
}
