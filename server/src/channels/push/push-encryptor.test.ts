import { createECDH, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { decryptPush } from '../../../../tests/support/decrypt-push.ts';
import type { PushRequestInput } from './build-push-request.ts';
import { createPushEncryptor, type PushEncryptor } from './push-encryptor.ts';

const ua = createECDH('prime256v1');
ua.generateKeys();
const auth = randomBytes(16);

function input(text: string, p256dh = ua.getPublicKey().toString('base64url')): PushRequestInput {
  return {
    subscription: { deviceId: 'd1', endpoint: 'https://push.example.net/p/abc', p256dh, auth: auth.toString('base64url') },
    payload: new TextEncoder().encode(text),
    ttlSeconds: 600,
    urgency: 'high',
    topic: 'smime-certificates',
    authorization: 'vapid t=a.b.c, k=key',
  };
}

const opened = (body: Buffer) => decryptPush(body, ua, auth).toString('utf8');

let encryptors: PushEncryptor[] = [];
function encryptor(...args: Parameters<typeof createPushEncryptor>): PushEncryptor {
  const e = createPushEncryptor(...args);
  encryptors.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(encryptors.map((e) => e.close()));
  encryptors = [];
});

describe('push encryptor', () => {
  it('encrypts in a thread what the inline builder would: same request, payload opens with the device keys', async () => {
    const threaded = await encryptor({ threads: 1 }).encrypt(input('{"title":"from the thread"}'));
    const inline = await encryptor({ threads: 0 }).encrypt(input('{"title":"inline"}'));
    expect(opened(threaded.body)).toBe('{"title":"from the thread"}');
    expect(opened(inline.body)).toBe('{"title":"inline"}');
    expect(threaded.url).toBe(inline.url);
    expect(threaded.method).toBe('POST');
    expect({ ...threaded.headers, 'Content-Length': '' }).toEqual({ ...inline.headers, 'Content-Length': '' });
    expect(threaded.headers['Content-Length']).toBe(String(threaded.body.length));
    expect(Buffer.isBuffer(threaded.body)).toBe(true);
    // Only the body crossed from the thread, not the buffer pool it was cut from.
    expect(threaded.body.buffer.byteLength).toBe(threaded.body.length);
  });

  it('answers many requests at once, each with its own payload, over two threads', async () => {
    const e = encryptor({ threads: 2 });
    const requests = await Promise.all(Array.from({ length: 300 }, (_, i) => e.encrypt(input(`message ${i}`))));
    expect(requests.map((r) => opened(r.body))).toEqual(Array.from({ length: 300 }, (_, i) => `message ${i}`));
  });

  it("rejects malformed subscription keys with web-push's message, as inline, and goes on", async () => {
    const e = encryptor({ threads: 1 });
    const bad = input('x', Buffer.alloc(10).toString('base64url'));
    const threaded = await e.encrypt(bad).then(() => null, (error: Error) => error.message);
    const inline = await encryptor({ threads: 0 }).encrypt(bad).then(() => null, (error: Error) => error.message);
    expect(threaded).toMatch(/p256dh/);
    expect(threaded).toBe(inline);
    expect(opened((await e.encrypt(input('still works'))).body)).toBe('still works');
  });

  it('encrypts inline what a failed thread held, reports the failure, and keeps working', async () => {
    const failures: string[] = [];
    const e = encryptor({
      threads: 1,
      onThreadError: (error) => failures.push(error.message),
      // A thread that dies on its first batch.
      threadFile: new URL("data:text/javascript,import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(3));"),
    });
    const first = await Promise.all([e.encrypt(input('a')), e.encrypt(input('b'))]);
    expect(first.map((r) => opened(r.body))).toEqual(['a', 'b']);
    expect(failures).toEqual(['push encryption thread exited with code 3']);
    expect(opened((await e.encrypt(input('c'))).body)).toBe('c');
    expect(e.starving()).toBe(false);
  });

  it('is starving while its thread has little queued, not while it has plenty', async () => {
    const e = encryptor({ threads: 1 });
    expect(e.starving()).toBe(true);
    const pending = Array.from({ length: 100 }, (_, i) => e.encrypt(input(`m${i}`)));
    await Promise.resolve();
    expect(e.starving()).toBe(false);
    await Promise.all(pending);
    expect(e.starving()).toBe(true);
    expect(encryptor({ threads: 0 }).starving()).toBe(false);
  });

  it('finishes pending requests when closed', async () => {
    const e = createPushEncryptor({ threads: 1 });
    const pending = Array.from({ length: 50 }, (_, i) => e.encrypt(input(`m${i}`)));
    await Promise.resolve();
    await e.close();
    expect((await Promise.all(pending)).map((r) => opened(r.body))).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
  });
});
