import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealedKey, Vault } from '../domain/credentials/types.ts';
import { AppError } from '../errors.ts';
import type { Kek } from './kek.ts';
import type { Keyring } from './keyring.ts';

const NONCE = 12;
const TAG = 16;

function gcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: string): Uint8Array {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
}

/** Null when the tag does not verify (wrong key or tampered data). */
function gcmOpen(key: Uint8Array, sealed: Uint8Array, aad: string): Uint8Array | null {
  if (sealed.length < NONCE + TAG) return null;
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(NONCE, sealed.length - TAG)), decipher.final()]));
  } catch {
    return null;
  }
}

// The AAD binds each ciphertext to its row id (and each wrapped DEK to its KEK), so sealed
// blobs cannot be swapped between rows without the open failing.
const keyAad = (id: string) => `smime-portal sealed key v1:${id}`;
const dekAad = (id: string, kekId: string) => `smime-portal dek v1:${id}:${kekId}`;

function unwrapDek(ring: Keyring, sealed: SealedKey): Uint8Array {
  const kek = ring.find(sealed.kekId);
  if (!kek) {
    throw new AppError(
      'kek_mismatch',
      `sealed key ${sealed.id} was wrapped by key-encryption key ${sealed.kekId}, but ${ring.source} holds ${ring.ids().join(', ')}: the KEK is not the one this database was sealed with`,
    );
  }
  const dek = gcmOpen(kek.key, sealed.wrappedDek, dekAad(sealed.id, sealed.kekId));
  if (!dek) throw new AppError('kek_mismatch', `the data key of sealed key ${sealed.id} does not open with key-encryption key ${kek.id} (wrong KEK or damaged row)`);
  return dek;
}

/**
 * Envelope encryption of private keys at rest: each key is sealed with AES-256-GCM under its
 * own random data key (DEK); the DEK is wrapped with AES-256-GCM by the KEK. Rotating the KEK
 * re-wraps DEKs only (see rewrap), never the sealed keys.
 */
export function createVault(ring: Keyring): Vault & { rewrap(sealed: SealedKey, to: Kek): SealedKey } {
  return {
    async seal(id, plaintext) {
      const kek = ring.sealing();
      const dek = randomBytes(32);
      try {
        return { id, kekId: kek.id, wrappedDek: gcmSeal(kek.key, dek, dekAad(id, kek.id)), ciphertext: gcmSeal(dek, plaintext, keyAad(id)) };
      } finally {
        dek.fill(0);
      }
    },
    async open(sealed) {
      const dek = unwrapDek(ring, sealed);
      try {
        const plain = gcmOpen(dek, sealed.ciphertext, keyAad(sealed.id));
        if (!plain) throw new AppError('internal', `sealed key ${sealed.id} is damaged (its authentication tag does not verify)`);
        return plain;
      } finally {
        dek.fill(0);
      }
    },
    rewrap(sealed, to) {
      if (sealed.kekId === to.id) return sealed;
      const dek = unwrapDek(ring, sealed);
      try {
        return { ...sealed, kekId: to.id, wrappedDek: gcmSeal(to.key, dek, dekAad(sealed.id, to.id)) };
      } finally {
        dek.fill(0);
      }
    },
  };
}
