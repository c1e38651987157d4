/**
 * The device API through app.request(): enroll → nonce → session → me → push subscription,
 * and the refusals (bad codes with problem+json, replay, retired device, bad subscriptions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../server/src/domain/auth/rate-limiter.ts';
import { createEnrollmentCode } from '../../server/src/domain/devices/enrollment.ts';
import { retireDevice } from '../../server/src/domain/devices/device-service.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createApp } from '../../server/src/http/app.ts';
import type { Store } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import { openTestSqlite } from '../support/databases.ts';
import { createFakeClock } from '../support/fake-clock.ts';
import { makeDeviceKeys, signChallenge, type TestDeviceKeys } from './device-keys.ts';

let close: () => Promise<void>;
let store: Store;
let app: ReturnType<typeof createApp>;
let keys: TestDeviceKeys;
const clock = createFakeClock();
let seq = 0;

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

beforeAll(async () => {
  const db = await openTestSqlite();
  close = db.close;
  store = createStore(db.db, db.kind);
  app = createApp({ store, clock, config: loadConfig({}), device: { limiter: createRateLimiter({ max: 3, windowMs: 60_000, clock }) } });
  keys = await makeDeviceKeys();
});
afterAll(() => close());

async function code(): Promise<string> {
  const email = `http${++seq}@example.com`;
  await store.directory.upsertUser({ email }, clock.now());
  return (await createEnrollmentCode({ store, clock, actor: 'test' }, { email })).code;
}

async function enrollAndSession() {
  const res = await post('/api/device/enroll', { code: await code(), identityKey: keys.identityKey, transportKey: keys.transportKey, name: 'Laptop' });
  expect(res.status).toBe(201);
  const { deviceId } = (await res.json()) as { deviceId: string };
  const n = (await (await post('/api/device/nonce', { deviceId })).json()) as { nonce: string };
  const s = await post('/api/device/session', { deviceId, nonce: n.nonce, signature: await signChallenge(keys, deviceId, n.nonce) });
  expect(s.status).toBe(200);
  const { token } = (await s.json()) as { token: string };
  return { deviceId, token, nonce: n.nonce };
}

describe('device API', () => {
  it('enrolls, opens a session and answers /me without caching', async () => {
    const { deviceId, token } = await enrollAndSession();
    const me = await app.request('/api/device/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(await me.json()).toMatchObject({ id: deviceId, name: 'Laptop', status: 'enrolled', email: expect.stringMatching(/@example.com$/), push: null });
  });

  it('answers problem+json for unknown, used and expired codes', async () => {
    const unknown = await post('/api/device/enroll', { code: 'x'.repeat(24), identityKey: keys.identityKey, transportKey: keys.transportKey });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await unknown.json()).toMatchObject({ code: 'not_found', details: { reason: 'unknown' } });

    const c = await code();
    expect((await post('/api/device/enroll', { code: c, identityKey: keys.identityKey, transportKey: keys.transportKey })).status).toBe(201);
    const used = await post('/api/device/enroll', { code: c, identityKey: keys.identityKey, transportKey: keys.transportKey });
    expect(used.status).toBe(410);
    expect(await used.json()).toMatchObject({ code: 'gone', details: { reason: 'used' } });

    const late = await code();
    clock.advance(16 * 60_000);
    const expired = await post('/api/device/enroll', { code: late, identityKey: keys.identityKey, transportKey: keys.transportKey });
    expect(await expired.json()).toMatchObject({ code: 'gone', details: { reason: 'expired' } });
    clock.advance(60_000);
    for (let i = 0; i < 3; i++) await post('/api/device/enroll', { code: 'y'.repeat(24), identityKey: keys.identityKey, transportKey: keys.transportKey });
    const limited = await post('/api/device/enroll', { code: await code(), identityKey: keys.identityKey, transportKey: keys.transportKey });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.advance(60_000);
  });

  it('refuses a replayed session nonce, missing tokens and non-JSON bodies', async () => {
    const { deviceId, nonce } = await enrollAndSession();
    const again = await post('/api/device/session', { deviceId, nonce, signature: await signChallenge(keys, deviceId, nonce) });
    expect(again.status).toBe(401);
    clock.advance(60_000);
    expect((await app.request('/api/device/me')).status).toBe(401);
    expect((await app.request('/api/device/me', { headers: { authorization: 'Bearer dst_nope' } })).status).toBe(401);
    const text = await app.request('/api/device/nonce', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(text.status).toBe(415);
  });

  it('stores and deletes the push subscription, validating it', async () => {
    const { deviceId, token } = await enrollAndSession();
    const auth = { authorization: `Bearer ${token}` };
    const p256dh = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 3)]).toString('base64url');
    const sub = { endpoint: 'https://fcm.googleapis.com/fcm/send/abc', expirationTime: null, keys: { p256dh, auth: Buffer.alloc(16, 5).toString('base64url') } };
    const put = (body: unknown) => app.request('/api/device/push-subscription', { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put({ ...sub, endpoint: 'http://fcm.googleapis.com/x' })).status).toBe(400);
    expect((await put({ ...sub, keys: { ...sub.keys, auth: 'AAAA' } })).status).toBe(400);
    expect((await put(sub)).status).toBe(204);
    const device = await store.devices.getDevice(deviceId);
    expect(device?.push).toMatchObject({ endpoint: sub.endpoint, p256dh, auth: sub.keys.auth });
    expect((await app.request('/api/device/push-subscription', { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await store.devices.getDevice(deviceId))?.push).toBeNull();
  });

  it('refuses a retired device everywhere', async () => {
    const { deviceId, token } = await enrollAndSession();
    await retireDevice({ store, clock, actor: 'test' }, deviceId);
    expect((await app.request('/api/device/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const nonce = await post('/api/device/nonce', { deviceId });
    expect(nonce.status).toBe(403);
    expect(await nonce.json()).toMatchObject({ code: 'device_retired' });
  });

  it('documents the device API in the OpenAPI document', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/device/enroll', '/api/device/nonce', '/api/device/session', '/api/device/me', '/api/device/push-subscription']));
  });
});
