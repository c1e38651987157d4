/** The baselines the campaign benchmark compares against, measured in the same run. */
import http from 'node:http';
import https from 'node:https';
import nodemailer from 'nodemailer';
import webpush from 'web-push';
import { buildEmail } from '../server/src/channels/email/build-email.ts';
import { createEmailChannel } from '../server/src/channels/email/email-channel.ts';
import { buildPushRequest } from '../server/src/channels/push/build-push-request.ts';
import type { VapidKeys } from '../server/src/channels/push/vapid.ts';
import type { Notice, PushSubscriptionRecord } from '../server/src/ports.ts';

/** Messages per second and this process's CPU time per message (user + system, µs). */
export interface Rate {
  rate: number;
  cpuUs: number;
}

/** Times `fn` (wall and CPU) for `n` messages. */
async function measure(n: number, fn: () => Promise<void> | void): Promise<Rate> {
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  await fn();
  const cpu = process.cpuUsage(cpu0);
  return { rate: n / ((performance.now() - started) / 1000), cpuUs: (cpu.user + cpu.system) / n };
}

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
 * VAPID JWT and encrypts, then a new connection (no agent; a new TLS session for https) sends it.
 */
export async function naivePushRate(n: number, concurrency: number, sub: (i: number) => PushSubscriptionRecord, vapid: VapidKeys, ca?: string): Promise<Rate> {
  const body = Buffer.from(payload());
  return measure(n, () => pool(n, concurrency, async (i) => {
    const s = sub(i);
    const d = webpush.generateRequestDetails({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }, body, {
      vapidDetails: { subject: 'mailto:it@example.com', ...vapid },
      TTL: 3600,
      urgency: 'high',
      topic: 'smime-certificates',
    });
    await new Promise<void>((resolve, reject) => {
      const send = d.endpoint.startsWith('https:') ? https.request : http.request;
      const req = send(d.endpoint, { method: 'POST', headers: d.headers as http.OutgoingHttpHeaders, agent: false, ...(ca ? { ca } : {}) }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(d.body);
    });
  }));
}

/** (b) The crypto floor: payload encryptions alone (aes128gcm), on this one thread. Per second. */
export function cryptoFloorRate(n: number, sub: (i: number) => PushSubscriptionRecord): Promise<Rate> {
  const body = payload();
  return measure(n, () => {
    for (let i = 0; i < n; i += 1) buildPushRequest({ subscription: sub(i), payload: body, ttlSeconds: 3600, urgency: 'high', topic: 'smime-certificates', authorization: 'vapid t=x, k=y' });
  });
}

/** What the bare mail loop sends through: nodemailer composing each message, or our email channel. */
export type MailLoop = 'nodemailer' | 'channel';

/**
 * A bare pooled loop (same pool size and concurrency as the campaign's channel) sending the same
 * localized notice the campaign sends, per second. `nodemailer`: `sendMail` composes each message
 * (the baseline). `channel`: the email channel itself — our renderer, then nodemailer's
 * pooled transport — without the queue, so campaign/channel is what the durable queue costs.
 */
export async function bareMailRate(n: number, smtpUrl: string, concurrency: number, maxConnections: number, loop: MailLoop = 'nodemailer'): Promise<Rate> {
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections });
  const channel = loop === 'channel' ? createEmailChannel({ smtpUrl, from: 'it@example.com', pool: true, maxConnections }) : null;
  const r = await measure(n, () =>
    pool(n, concurrency, async (i) => {
      const url = `https://portal.example.com/smime/retrieve?r=0198c3f2-0000-7000-8000-${String(i).padStart(12, '0')}`;
      const notice: Notice = { recipientId: String(i), kind: 'retrieve', user: { email: `user${i}@example.com`, displayName: `User ${i}`, locale: 'en' }, url, topic: 'smime-certificates', subscriptions: [] };
      if (channel) {
        const outcome = await channel.send(notice);
        if (outcome.status !== 'sent') throw new Error(`not sent: ${outcome.reason}`);
        return;
      }
      const content = buildEmail(notice);
      await transport.sendMail({
        from: { name: content.senderName, address: 'it@example.com' },
        to: { name: `User ${i}`, address: `user${i}@example.com` },
        subject: content.subject,
        text: content.text,
        html: content.html,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    }),
  );
  transport.close();
  await channel?.close();
  return r;
}
