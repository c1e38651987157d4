/**
 * An enrolled device gets a bounded number of bundles (each opens every escrowed key of the user)
 * and of signing CSRs (each mints a certificate) per window; other devices are not affected, and
 * the window ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_CALL_WINDOW_MS, DEVICE_CALLS_PER_WINDOW } from '../../server/src/http/device/bundle-routes.ts';
import { type PwaDevice, type RetrievalEnv, retrievalEnv } from './setup.ts';

let env: RetrievalEnv;
let busy: PwaDevice;
let other: PwaDevice;

beforeAll(async () => {
  env = await retrievalEnv();
  await env.addUser('busy@example.com', 1);
  await env.addUser('other@example.com', 1);
  busy = await env.enroll('busy@example.com');
  other = await env.enroll('other@example.com');
}, 60_000);
afterAll(() => env?.close());

describe('per-device call limit', () => {
  it(`answers the bundle ${DEVICE_CALLS_PER_WINDOW} times per window, then 429 with Retry-After until the window ends`, async () => {
    for (let i = 0; i < DEVICE_CALLS_PER_WINDOW; i += 1) {
      expect((await env.get('/api/device/bundle', busy.token)).status).toBe(200);
    }
    const refused = await env.get('/api/device/bundle', busy.token);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { code: string; detail: string })).toMatchObject({ code: 'rate_limited', detail: expect.stringContaining('bundle') });
    // Another device of another user is not affected.
    expect((await env.get('/api/device/bundle', other.token)).status).toBe(200);
    // Once the window has passed, the device is served again (a fresh session: tokens last 15 min).
    env.clock.advance(DEVICE_CALL_WINDOW_MS + 1000);
    const again = await env.session(busy);
    expect((await env.get('/api/device/bundle', again.token)).status).toBe(200);
  });
});
