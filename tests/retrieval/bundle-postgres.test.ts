/** The retrieval device API on PostgreSQL: bundle, acknowledgement and directory over the same code. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeliveryBundle } from '../../shared/schemas/bundle.ts';
import { openTestPostgres, postgresUnavailable } from '../support/databases.ts';
import { type RetrievalEnv, retrievalEnv } from './setup.ts';

// Skips (saying why) only outside CI; under CI an unreachable PostgreSQL fails the run.
const unavailable = await postgresUnavailable();
describe.skipIf(unavailable !== null)('retrieval on PostgreSQL', () => {
  let env: RetrievalEnv;
  beforeAll(async () => {
    env = await retrievalEnv({}, openTestPostgres);
  }, 60_000);
  afterAll(() => env?.close());

  it('delivers the history, acknowledges it and answers the directory', async () => {
    const { history } = await env.addUser('pg-ann@example.com', 2);
    const device = await env.enroll('pg-ann@example.com');
    const res = await env.get('/api/device/bundle', device.token);
    expect(res.status).toBe(200);
    const parsed = parseDeliveryBundle(await res.json());
    expect(parsed.ok && parsed.bundle.encryption.history.map((c) => c.thumbprint)).toEqual([...history].reverse().map((c) => c.sha256));
    const ack = await env.post('/api/device/ack', { thumbprints: history.map((c) => c.sha256) }, device.token);
    expect(await ack.json()).toMatchObject({ complete: true, missing: [] });
    const dir = await env.get('/api/device/directory?email=pg-ann@example.com', device.token);
    expect(await dir.json()).toMatchObject({ items: [{ email: 'pg-ann@example.com', status: 'found', thumbprint: history.at(-1)!.sha256 }] });
  });
});
