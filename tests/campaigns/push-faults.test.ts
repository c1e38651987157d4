/**
 * Worker-level push faults against a local push endpoint: a 500 and a request that hangs past
 * the channel's deadline are both retried (backoff) and then sent; the row ends `sent` after two
 * attempts with its error cleared, and the device got exactly one successful delivery.
 */
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannels } from '../../server/src/channels/create-channels.ts';
import { generateVapidKeys } from '../../server/src/channels/push/vapid.ts';
import { startCampaign } from '../../server/src/domain/campaigns/campaign-service.ts';
import { type Channels, type Store, systemClock } from '../../server/src/ports.ts';
import { createStore } from '../../server/src/store/create-store.ts';
import { openTestSqlite } from '../support/databases.ts';
import { runUntilDone } from './harness.ts';
import { testSubscriptionKeys } from './process-harness.ts';
import { seed } from './seed.ts';

let db: Awaited<ReturnType<typeof openTestSqlite>>;
let store: Store;
let channels: Channels;
let server: http.Server;
let base: string;
/** Requests per path, and the answers given (201 counted once the response went out). */
const hits = new Map<string, number>();
const delivered = new Map<string, number>();

beforeAll(async () => {
  // First request of /fail500/… → 500, of /hang/… → no answer at all; every later one → 201.
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      const n = (hits.get(path) ?? 0) + 1;
      hits.set(path, n);
      if (n === 1 && path.startsWith('/fail500/')) return void res.writeHead(500).end('internal error');
      if (n === 1 && path.startsWith('/hang/')) return;
      delivered.set(path, (delivered.get(path) ?? 0) + 1);
      res.writeHead(201).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  db = await openTestSqlite();
  store = createStore(db.db, db.kind);
  channels = createChannels(
    { smtpUrl: null, mailFrom: 'it@example.com', vapid: { ...generateVapidKeys(), subject: 'mailto:it@example.com' }, push: { allowInsecureEndpoints: true } },
    { pushTimeoutMs: 300 },
  );
});

afterAll(async () => {
  await channels?.push.close();
  server?.closeAllConnections();
  server?.close();
  await db?.close();
});

describe('push faults in the worker', () => {
  it('retries a 500 and a hung request, then sends each exactly once', async () => {
    const ctx = { store, clock: systemClock, actor: 'test' };
    const paths = ['/fail500/a', '/hang/b', '/ok/c'];
    await seed(db.db, ctx, { group: 'g', policy: 'P', users: 3, notification: 'push', push: (i) => ({ endpoint: `${base}${paths[i]}`, ...testSubscriptionKeys() }) });
    const started = await startCampaign(ctx, { push: true, email: false }, { policy: 'P' });
    if (started.dryRun) throw new Error('dry');
    await runUntilDone(store, channels, started.campaign.id);
    const rows = await db.db.selectFrom('deliveries').innerJoin('devices', 'devices.user_id', 'deliveries.user_id').select(['devices.push_endpoint', 'deliveries.state', 'deliveries.attempts', 'deliveries.last_error']).execute();
    const byPath = new Map(rows.map((r) => [new URL(r.push_endpoint!).pathname, r]));
    expect(byPath.get('/fail500/a')).toMatchObject({ state: 'sent', attempts: 2, last_error: null });
    expect(byPath.get('/hang/b')).toMatchObject({ state: 'sent', attempts: 2, last_error: null });
    expect(byPath.get('/ok/c')).toMatchObject({ state: 'sent', attempts: 1, last_error: null });
    expect(Object.fromEntries(hits)).toEqual({ '/fail500/a': 2, '/hang/b': 2, '/ok/c': 1 });
    expect(Object.fromEntries(delivered)).toEqual({ '/fail500/a': 1, '/hang/b': 1, '/ok/c': 1 });
  });
});
