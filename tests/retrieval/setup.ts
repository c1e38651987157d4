/**
 * Retrieval test environment: a real app over SQLite with a vault and the built-in CA, a
 * policy, users with an encryption history issued by the CA, and devices enrolled through the
 * API with WebCrypto keys made as the PWA makes them (ECDH transport key with deriveKey).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../server/src/config.ts';
import { createRateLimiter } from '../../server/src/domain/auth/rate-limiter.ts';
import { type CaRuntime, ensureCa } from '../../server/src/domain/ca/ca-service.ts';
import { issueWithServerKey } from '../../server/src/domain/ca/issue-credential.ts';
import type { DomainContext } from '../../server/src/domain/context.ts';
import type { Credential } from '../../server/src/domain/credentials/types.ts';
import { createEnrollmentCode } from '../../server/src/domain/devices/enrollment.ts';
import { addGroup, addMember } from '../../server/src/domain/directory/directory-service.ts';
import { assignPolicy, createPolicy } from '../../server/src/domain/policy/policy-service.ts';
import { createApp } from '../../server/src/http/app.ts';
import { issuerDepsOf } from '../../server/src/http/issuer-deps.ts';
import type { Store } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { kekFromBytes } from '../../server/src/vault/kek.ts';
import { staticKeyring } from '../../server/src/vault/keyring.ts';
import { createVault } from '../../server/src/vault/vault.ts';
import { openTestSqlite } from '../support/databases.ts';
import { createFakeClock, type FakeClock } from '../support/fake-clock.ts';

export interface PwaDevice {
  deviceId: string;
  identity: CryptoKeyPair;
  transport: CryptoKeyPair;
  token: string;
}

export interface RetrievalEnv {
  app: ReturnType<typeof createApp>;
  store: Store;
  clock: FakeClock;
  ctx: DomainContext;
  vault: ReturnType<typeof createVault>;
  ca: CaRuntime;
  /** A user in the `staff` group with `n` encryption certificates issued a day apart (newest last). */
  addUser(email: string, n: number): Promise<{ userId: string; history: Credential[] }>;
  enroll(email: string): Promise<PwaDevice>;
  /** Opens a session; returns the nonce and signature too (for replay tests). */
  session(device: Pick<PwaDevice, 'deviceId' | 'identity'>): Promise<{ token: string; nonce: string; signature: string }>;
  get(path: string, token: string): Promise<Response>;
  post(path: string, body: unknown, token?: string): Promise<Response>;
  close(): Promise<void>;
}

const b64 = (buf: ArrayBuffer) => Buffer.from(buf).toString('base64');

export async function retrievalEnv(settings: Record<string, unknown> = {}, open: () => Promise<OpenDatabase> = openTestSqlite): Promise<RetrievalEnv> {
  const database = await open();
  const store = createStore(database.db, database.kind);
  const clock = createFakeClock();
  const ctx: DomainContext = { store, clock, actor: 'test' };
  const vault = createVault(staticKeyring(kekFromBytes(new Uint8Array(randomBytes(32)), 'test')));
  const ca = await ensureCa(ctx, vault, { commonName: 'Retrieval Test CA', keyAlgorithm: 'RSA-2048', validityYears: 10 });
  const config = loadConfig({ PUBLIC_URL: 'https://portal.example.com' });
  const app = createApp({ store, clock, config, vault, ca, device: { limiter: createRateLimiter({ max: 50, windowMs: 60_000, clock }) } });
  await addGroup(ctx, { name: 'staff' });
  await createPolicy(ctx, { name: 'Mail', settings: { notification: 'email', ...settings } });
  await assignPolicy(ctx, 'Mail', { include: ['staff'], exclude: [] });
  const issuer = issuerDepsOf({ store, clock, config, vault, ca });

  const post = async (path: string, body: unknown, token?: string) =>
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const get = async (path: string, token: string) => app.request(path, { headers: { authorization: `Bearer ${token}` } });

  const session: RetrievalEnv['session'] = async (device) => {
    const { nonce } = (await (await post('/api/device/nonce', { deviceId: device.deviceId })).json()) as { nonce: string };
    const data = new TextEncoder().encode(`smime-portal-device-session:v1:${device.deviceId}:${nonce}`);
    const signature = Buffer.from(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, device.identity.privateKey, data)).toString('base64url');
    const res = await post('/api/device/session', { deviceId: device.deviceId, nonce, signature });
    if (res.status !== 200) throw new Error(`session failed: ${res.status} ${await res.text()}`);
    return { token: ((await res.json()) as { token: string }).token, nonce, signature };
  };

  return {
    app,
    store,
    clock,
    ctx,
    vault,
    ca,
    async addUser(email, n) {
      const { user } = await store.directory.upsertUser({ email, displayName: email.split('@')[0] ?? null }, clock.now());
      await addMember(ctx, 'staff', email);
      const history: Credential[] = [];
      for (let i = 0; i < n; i += 1) {
        history.push(await issueWithServerKey(ctx, issuer, user, 'smimeEncryption'));
        clock.advance(86_400_000);
      }
      return { userId: user.id, history };
    },
    async enroll(email) {
      const identity = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
      const transport = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveKey', 'deriveBits'])) as CryptoKeyPair;
      const { code } = await createEnrollmentCode(ctx, { email });
      const res = await post('/api/device/enroll', {
        code,
        name: 'Test device',
        platform: 'web',
        identityKey: b64(await crypto.subtle.exportKey('spki', identity.publicKey)),
        transportKey: b64(await crypto.subtle.exportKey('spki', transport.publicKey)),
      });
      if (res.status !== 201) throw new Error(`enroll failed: ${res.status} ${await res.text()}`);
      const { deviceId } = (await res.json()) as { deviceId: string };
      const { token } = await session({ deviceId, identity });
      return { deviceId, identity, transport, token };
    },
    session,
    get,
    post,
    close: () => database.close(),
  };
}
