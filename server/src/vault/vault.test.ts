import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { kekFromBytes } from './kek.ts';
import { loadKeyring, staticKeyring } from './keyring.ts';
import { createVault } from './vault.ts';

const kek = () => kekFromBytes(new Uint8Array(randomBytes(32)), 'test');
const secret = new TextEncoder().encode('-- a PKCS#8 key, really --');

describe('vault', () => {
  it('seals with a fresh DEK per key and opens again; the ciphertext holds no plaintext', async () => {
    const vault = createVault(staticKeyring(kek()));
    const a = await vault.seal('id-1', secret);
    const b = await vault.seal('id-2', secret);
    expect(Buffer.from(a.wrappedDek).equals(Buffer.from(b.wrappedDek))).toBe(false);
    expect(Buffer.from(a.ciphertext).includes(Buffer.from(secret))).toBe(false);
    expect(new TextDecoder().decode(await vault.open(a))).toBe(new TextDecoder().decode(secret));
  });

  it('a wrong KEK fails with kek_mismatch, never garbage', async () => {
    const sealed = await createVault(staticKeyring(kek())).seal('id-1', secret);
    const error = await createVault(staticKeyring(kek())).open(sealed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('kek_mismatch');
    const sameIdWrongKey = await createVault(staticKeyring({ id: sealed.kekId, key: new Uint8Array(32) })).open(sealed).catch((e: AppError) => e.code);
    expect(sameIdWrongKey).toBe('kek_mismatch');
  });

  it('binds each ciphertext to its row id', async () => {
    const vault = createVault(staticKeyring(kek()));
    const sealed = await vault.seal('id-1', secret);
    await expect(vault.open({ ...sealed, id: 'id-2' })).rejects.toBeInstanceOf(AppError);
  });

  it('rewrap changes only the wrapped DEK; the new KEK opens it', async () => {
    const from = kek();
    const to = kek();
    const vault = createVault(staticKeyring(from, to));
    const sealed = await createVault(staticKeyring(from)).seal('id-1', secret);
    const moved = vault.rewrap(sealed, to);
    expect(moved.kekId).toBe(to.id);
    expect(Buffer.from(moved.ciphertext).equals(Buffer.from(sealed.ciphertext))).toBe(true);
    expect(new TextDecoder().decode(await createVault(staticKeyring(to)).open(moved))).toBe(new TextDecoder().decode(secret));
  });

  it('creates DATA_DIR/kek with mode 0600 once and refuses a world-readable one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kek-'));
    try {
      const ring = loadKeyring({ dataDir: dir, kekEnv: null, create: true });
      expect(statSync(join(dir, 'kek')).mode & 0o777).toBe(0o600);
      expect(loadKeyring({ dataDir: dir, kekEnv: null, create: true }).current.id).toBe(ring.current.id);
      chmodSync(join(dir, 'kek'), 0o644);
      expect(() => loadKeyring({ dataDir: dir, kekEnv: null, create: false })).toThrow(/readable by other users/);
      expect(() => loadKeyring({ dataDir: join(dir, 'none'), kekEnv: null, create: false })).toThrow(/no key-encryption key/);
      expect(() => loadKeyring({ dataDir: dir, kekEnv: 'c2hvcnQ=', create: false })).toThrow(/32 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
