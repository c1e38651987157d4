/**
 * The key delivery envelope: a private key sealed to one device's ECDH P-256 transport key
 * (DESIGN.md "Keys: where they live and how they move").
 *
 *   server ephemeral ECDH P-256 × device public key → shared secret Z
 *   HKDF-SHA256(ikm = Z, salt = epk (65-byte uncompressed point),
 *               info = "smime-portal key delivery v1" ‖ len‖deviceId ‖ len‖thumbprint) → AES-256-GCM key
 *   AES-256-GCM(pkcs8, iv = 12 random bytes, additionalData = info)
 *
 * Binding the device id and the certificate thumbprint into both the key derivation and the
 * AAD means an envelope cannot be replayed to another device nor relabelled as another
 * certificate's key. The device opens it with deriveKey + unwrapKey straight into a
 * non-extractable CryptoKey: no PBKDF step, so opening costs a few milliseconds.
 */

import { concatBytes, fromBase64Url, toArrayBuffer, toBase64Url } from '../pki/bytes.ts';
import { SmimeError } from './smime-error.ts';

export const ENVELOPE_ALG = 'ECDH-ES+HKDF-SHA256+A256GCM' as const;
const LABEL = 'smime-portal key delivery v1';
const P256 = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** The sealed key as it travels in the delivery bundle (JSON-safe, base64url fields). */
export interface KeyEnvelope {
  v: 1;
  alg: typeof ENVELOPE_ALG;
  /** Server ephemeral P-256 public key, uncompressed point (65 bytes), base64url. */
  epk: string;
  /** AES-GCM nonce (12 bytes), base64url. */
  iv: string;
  /** AES-256-GCM ciphertext of the PKCS#8 DER followed by the 16-byte tag, base64url. */
  ct: string;
}

/** Binds the envelope to a device and a certificate. */
export interface EnvelopeBinding {
  deviceId: string;
  /** SHA-256 of the certificate DER, lowercase hex (64 characters). */
  thumbprint: string;
}

const encoder = new TextEncoder();

function lengthPrefixed(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  if (bytes.length > 0xffff) throw new SmimeError('envelope_invalid', 'The envelope binding is too long.');
  return concatBytes(new Uint8Array([bytes.length >> 8, bytes.length & 0xff]), bytes);
}

/** The HKDF info, also used as the AES-GCM additional data. Length prefixes keep it unambiguous. */
export function envelopeInfo(binding: EnvelopeBinding): Uint8Array {
  if (!binding.deviceId) throw new SmimeError('envelope_invalid', 'The envelope needs a device id.');
  if (!/^[0-9a-f]{64}$/.test(binding.thumbprint)) {
    throw new SmimeError('envelope_invalid', 'The thumbprint must be 64 lowercase hex characters (SHA-256).');
  }
  return concatBytes(encoder.encode(LABEL), lengthPrefixed(binding.deviceId), lengthPrefixed(binding.thumbprint));
}

async function aesKeyFrom(
  secret: CryptoKey,
  epk: Uint8Array,
  info: Uint8Array,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  return globalThis.crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: toArrayBuffer(epk), info: toArrayBuffer(info) },
    secret,
    { name: 'AES-GCM', length: 256 },
    false,
    usages,
  );
}

/**
 * Seals a PKCS#8 private key to a device's ECDH P-256 transport key (given as SPKI DER).
 * Runs on the server; the returned envelope holds no plaintext key material.
 */
export async function sealToDevice(options: EnvelopeBinding & {
  devicePublicKeySpki: Uint8Array;
  privateKeyPkcs8: Uint8Array;
}): Promise<KeyEnvelope> {
  const subtle = globalThis.crypto.subtle;
  const info = envelopeInfo(options);
  let devicePublic: CryptoKey;
  try {
    devicePublic = await subtle.importKey('spki', toArrayBuffer(options.devicePublicKeySpki), P256, false, []);
  } catch (cause) {
    throw new SmimeError('envelope_invalid', 'The device transport key is not an ECDH P-256 public key.', { cause });
  }
  const ephemeral = (await subtle.generateKey(P256, true, ['deriveKey'])) as CryptoKeyPair;
  const epk = new Uint8Array(await subtle.exportKey('raw', ephemeral.publicKey));
  const secret = await subtle.deriveKey({ name: 'ECDH', public: devicePublic }, ephemeral.privateKey, 'HKDF', false, [
    'deriveKey',
  ]);
  const aes = await aesKeyFrom(secret, epk, info, ['encrypt']);
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: toArrayBuffer(info) }, aes, toArrayBuffer(options.privateKeyPkcs8)),
  );
  return { v: 1, alg: ENVELOPE_ALG, epk: toBase64Url(epk), iv: toBase64Url(iv), ct: toBase64Url(ct) };
}

interface OpenOptions extends EnvelopeBinding {
  envelope: KeyEnvelope;
  /** The device's ECDH P-256 private key (non-extractable), with usage 'deriveKey'. */
  devicePrivateKey: CryptoKey;
}

function decodeEnvelope(envelope: KeyEnvelope): { epk: Uint8Array; iv: Uint8Array; ct: Uint8Array } {
  if (envelope?.v !== 1 || envelope.alg !== ENVELOPE_ALG) {
    throw new SmimeError('envelope_invalid', 'The key envelope has an unknown version or algorithm.');
  }
  try {
    const epk = fromBase64Url(envelope.epk);
    const iv = fromBase64Url(envelope.iv);
    const ct = fromBase64Url(envelope.ct);
    if (epk.length !== 65 || epk[0] !== 4 || iv.length !== 12 || ct.length < 17) throw new TypeError('bad field sizes');
    return { epk, iv, ct };
  } catch (cause) {
    throw new SmimeError('envelope_invalid', 'The key envelope is malformed.', { cause });
  }
}

async function openingKey(options: OpenOptions, usage: KeyUsage): Promise<{ aes: CryptoKey; iv: Uint8Array; ct: Uint8Array; info: Uint8Array }> {
  const subtle = globalThis.crypto.subtle;
  const info = envelopeInfo(options);
  const { epk, iv, ct } = decodeEnvelope(options.envelope);
  let ephemeral: CryptoKey;
  try {
    ephemeral = await subtle.importKey('raw', toArrayBuffer(epk), P256, false, []);
  } catch (cause) {
    throw new SmimeError('envelope_invalid', 'The envelope ephemeral key is not a P-256 point.', { cause });
  }
  let secret: CryptoKey;
  try {
    secret = await subtle.deriveKey({ name: 'ECDH', public: ephemeral }, options.devicePrivateKey, 'HKDF', false, [
      'deriveKey',
    ]);
  } catch (cause) {
    throw new SmimeError('envelope_invalid', 'The device key cannot open envelopes (need an ECDH P-256 key with usage deriveKey).', {
      cause,
    });
  }
  return { aes: await aesKeyFrom(secret, epk, info, [usage]), iv, ct, info };
}

const NOT_FOR_THIS_DEVICE =
  'The key envelope does not open with this device key: it was sealed for another device or certificate, or it was altered.';

/** Default key usages for an unwrapped private key, by algorithm. */
function usagesFor(algorithm: RsaHashedImportParams | EcKeyImportParams | AlgorithmIdentifier): KeyUsage[] {
  const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
  switch (name) {
    case 'RSA-OAEP':
      return ['decrypt', 'unwrapKey'];
    case 'ECDH':
      return ['deriveKey', 'deriveBits'];
    default:
      return ['sign'];
  }
}

/**
 * Opens an envelope straight into a NON-extractable private CryptoKey (WebCrypto unwrapKey):
 * the PKCS#8 bytes never reach JavaScript. `keyAlgorithm` is the import algorithm, e.g.
 * `{ name: 'RSA-OAEP', hash: 'SHA-256' }` for decryption or `{ name: 'RSASSA-PKCS1-v1_5',
 * hash: 'SHA-256' }` / `{ name: 'ECDSA', namedCurve: 'P-256' }` for signing.
 */
export async function openEnvelopeToKey(options: OpenOptions & {
  keyAlgorithm: RsaHashedImportParams | EcKeyImportParams;
  keyUsages?: KeyUsage[];
}): Promise<CryptoKey> {
  const { aes, iv, ct, info } = await openingKey(options, 'unwrapKey');
  const usages = options.keyUsages ?? usagesFor(options.keyAlgorithm);
  // AES-GCM authentication failure is an OperationError; a PKCS#8 that does not import as the
  // requested algorithm is a DataError (or NotSupportedError): report them differently.
  try {
    return await globalThis.crypto.subtle.unwrapKey(
      'pkcs8',
      toArrayBuffer(ct),
      aes,
      { name: 'AES-GCM', iv: toArrayBuffer(iv), additionalData: toArrayBuffer(info) },
      options.keyAlgorithm,
      false,
      usages,
    );
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'OperationError') {
      throw new SmimeError('envelope_not_for_this_device', NOT_FOR_THIS_DEVICE, { cause });
    }
    throw new SmimeError('envelope_key_unusable', 'The key in the envelope cannot be used with the requested algorithm.', {
      cause,
    });
  }
}

/**
 * Opens an envelope to the PKCS#8 bytes, for the one in-memory RSA PKCS#1 v1.5 decryption that
 * WebCrypto cannot do. The caller must zero the returned array (`.fill(0)`) right after use.
 */
export async function openEnvelopeToPkcs8(options: OpenOptions): Promise<Uint8Array> {
  const { aes, iv, ct, info } = await openingKey(options, 'decrypt');
  try {
    const plain = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: toArrayBuffer(iv), additionalData: toArrayBuffer(info) },
      aes,
      toArrayBuffer(ct),
    );
    return new Uint8Array(plain);
  } catch (cause) {
    throw new SmimeError('envelope_not_for_this_device', NOT_FOR_THIS_DEVICE, { cause });
  }
}
