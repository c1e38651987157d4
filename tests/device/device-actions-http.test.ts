/** In-app notifications through the device API: GET /api/device/actions on a real SQLite store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import { markRetrieved, startCampaign } from '../../server/src/domain/campaigns/campaign-service.ts';
import { addGroup, addMember } from '../../server/src/domain/directory/directory-service.ts';
import { createEnrollmentCode } from '../../server/src/domain/devices/enrollment.ts';
import { assignPolicy, createPolicy } from '../../server/src/domain/policy/policy-service.ts';
import { createApp } from '../../server/src/http/app.ts';
import type { Store } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import type { OpenDatabase } from '../../server/src/store/open-database.ts';
import { openTestSqlite } from '../support/databases.ts';
import { createFakeClock } from '../support/fake-clock.ts';
import { makeDeviceKeys, signChallenge } from './device-keys.ts';

const clock = createFakeClock();
let database: OpenDatabase;
let store: Store;
let app: ReturnType<typeof createApp>;
const post = (path: string, body: unknown) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  database = await openTestSqlite();
  store = createStore(database.db, database.kind);
  app = createApp({ store, clock, config: loadConfig({}) });
});
afterAll(() => database.close());

describe('GET /api/device/actions', () => {
  it('lists a waiting retrieval once the notice went out, and drops it once retrieved', async () => {
    const ctx = { store, clock, actor: 'test' };
    await store.directory.upsertUser({ email: 'ann@example.com' }, clock.now());
    await addGroup(ctx, { name: 'staff' });
    await addMember(ctx, 'staff', 'ann@example.com');
    await createPolicy(ctx, { name: 'P', settings: { notification: 'email' } });
    await assignPolicy(ctx, 'P', { include: ['staff'] });

    const keys = await makeDeviceKeys();
    const { code } = await createEnrollmentCode(ctx, { email: 'ann@example.com' });
    const { deviceId } = (await (await post('/api/device/enroll', { code, identityKey: keys.identityKey, transportKey: keys.transportKey, name: 'Phone' })).json()) as { deviceId: string };
    const { nonce } = (await (await post('/api/device/nonce', { deviceId })).json()) as { nonce: string };
    const { token } = (await (await post('/api/device/session', { deviceId, nonce, signature: await signChallenge(keys, deviceId, nonce) })).json()) as { token: string };
    const actions = async () => {
      const r = await app.request('/api/device/actions', { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-store');
      return ((await r.json()) as { items: { kind: string; recipientId?: string }[] }).items;
    };

    expect(await actions()).toEqual([]);
    await startCampaign(ctx, { push: false, email: true }, { policy: 'P' });
    // Queued but not yet sent: nothing to tell the user on the device yet.
    expect(await actions()).toEqual([]);
    // What the worker does once the mail is out.
    await database.db.updateTable('deliveries').set({ state: 'sent', sent_at: clock.now().getTime() }).execute();
    const [recipient] = await database.db.selectFrom('deliveries').select('id').execute();
    expect(await actions()).toEqual([{ kind: 'retrieve', recipientId: recipient!.id, since: clock.now().toISOString() }]);

    const user = await store.directory.findUserByEmail('ann@example.com');
    await markRetrieved(ctx, user!.id);
    expect(await actions()).toEqual([]);
  });

  it('refuses a request without a device session', async () => {
    expect((await app.request('/api/device/actions')).status).toBe(401);
  });
});
