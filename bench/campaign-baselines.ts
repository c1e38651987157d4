/** The baselines the campaign benchmark compares against, measured in the same run. */
import http from 'node:http';
import nodemailer from 'nodemailer';
import webpush from 'web-push';
import { buildPushRequest } from '../server/src/channels/push/build-push-request.ts';
import type { VapidKeys } from '../server/src/channels/push/vapid.ts';
import type { PushSubscriptionRecord } from '../server/src/ports.ts';

async function pool<T>(items: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items) await fn(next++);
    }),
  );
}

const payload = () => new TextEncoder().encode(JSON.stringify({ title: 'Your S/MIME certificates are ready', body: 'Open this notice…', url: 'https://portal.example.com/smime/retrieve?r=0123456789abcdef0123456789abcdef', tag: 'smime-certificates', locale: 'en' }));

/**
 * (a) What `webpush.sendNotification` does per message: web-push's request builder signs a new
 * VAPID JWT and encrypts, then a new connection (no agent) sends it. Messages per second.
 */
export async function naivePushRate(n: number, concurrency: number, sub: (i: number) => PushSubscriptionRecord, vapid: VapidKeys): Promise<number> {
  const started = performance.now();
  const body = Buffer.from(payload());
  await pool(n, concurrency, async (i) => {
    const s = sub(i);
    const d = webpush.generateRequestDetails({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }, body, {
      vapidDetails: { subject: 'mailto:it@example.com', ...vapid },
      TTL: 3600,
      urgency: 'high',
      topic: 'smime-certificates',
    });
    await new Promise<void>((resolve, reject) => {
      const req = http.request(d.endpoint, { method: 'POST', headers: d.headers as http.OutgoingHttpHeaders, agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(d.body);
    });
  });
  return n / ((performance.now() - started) / 1000);
}

/** (b) The crypto floor: payload encryptions alone (aes128gcm), on this one thread. Per second. */
export function cryptoFloorRate(n: number, sub: (i: number) => PushSubscriptionRecord): number {
  const body = payload();
  const started = performance.now();
  for (let i = 0; i < n; i += 1) buildPushRequest({ subscription: sub(i), payload: body, ttlSeconds: 3600, urgency: 'high', topic: 'smime-certificates', authorization: 'vapid t=x, k=y' });
  return n / ((performance.now() - started) / 1000);
}

/** A bare pooled nodemailer loop (same pool size and concurrency as the channel). Per second. */
export async function bareMailRate(n: number, smtpUrl: string, concurrency: number, maxConnections: number): Promise<number> {
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections });
  const started = performance.now();
  await pool(n, concurrency, async (i) => {
    await transport.sendMail({ from: 'it@example.com', to: `user${i}@example.com`, subject: 'Your S/MIME certificates are ready', text: 'Open https://portal.example.com/smime/retrieve?r=x', html: '<p>Open <a href="https://portal.example.com/smime/retrieve?r=x">this</a></p>' });
  });
  const rate = n / ((performance.now() - started) / 1000);
  transport.close();
  return rate;
}
