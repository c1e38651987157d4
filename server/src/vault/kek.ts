import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';

/** A key-encryption key with the short id every wrapped data key records. */
export interface Kek {
  readonly id: string;
  readonly key: Uint8Array;
}

export const KEK_BYTES = 32;

/**
 * Builds a KEK from its 32 raw bytes. The id is a hash prefix of the key (never the key), so a
 * wrapped data key says which KEK it needs and a wrong KEK is reported as such, not as garbage.
 */
export function kekFromBytes(bytes: Uint8Array, source: string): Kek {
  if (bytes.length !== KEK_BYTES) {
    throw new AppError('kek_mismatch', `the key-encryption key from ${source} must be ${KEK_BYTES} bytes (base64 of 32 random bytes); it is ${bytes.length}`);
  }
  const id = createHash('sha256').update('smime-portal kek id\0').update(bytes).digest('hex').slice(0, 16);
  return { id, key: Uint8Array.from(bytes) };
}

/** Parses the base64 text of a KEK (the `KEK` env value or the kek file). */
export function kekFromBase64(text: string, source: string): Kek {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new AppError('kek_mismatch', `the key-encryption key from ${source} is not base64`);
  return kekFromBytes(new Uint8Array(Buffer.from(trimmed, 'base64')), source);
}

/** A fresh random KEK as base64 text (what goes into the kek file). */
export function newKekText(): string {
  return `${randomBytes(KEK_BYTES).toString('base64')}\n`;
}
