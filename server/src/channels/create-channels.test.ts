import { describe, expect, it } from 'vitest';
import type { Notice } from '../ports.ts';
import { createChannels } from './create-channels.ts';
import { generateVapidKeys } from './push/vapid.ts';

const notice: Notice = {
  recipientId: 'r',
  kind: 'retrieve',
  user: { email: 'a@example.com', displayName: null, locale: 'en' },
  url: 'https://portal.example.com/smime/retrieve?r=r',
  topic: 't',
  subscriptions: [],
};

describe('createChannels', () => {
  it('makes unconfigured channels permanent "channel not configured"', async () => {
    const channels = createChannels({ smtpUrl: null, mailFrom: 'it@example.com', vapid: null, push: { allowInsecureEndpoints: false } });
    expect(channels.email.kind).toBe('email');
    expect(channels.push.kind).toBe('push');
    for (const channel of [channels.email, channels.push]) {
      expect(await channel.send(notice)).toEqual({ status: 'permanent', reason: 'channel not configured', goneDeviceIds: [] });
      await channel.close();
    }
  });

  it('makes real channels when configured', async () => {
    const channels = createChannels({
      smtpUrl: 'smtp://127.0.0.1:1',
      mailFrom: 'it@example.com',
      vapid: { ...generateVapidKeys(), subject: 'mailto:it@example.com' },
      push: { allowInsecureEndpoints: false },
    });
    // No subscriptions: the real push channel answers gone, not 'channel not configured'.
    expect(await channels.push.send(notice)).toEqual({ status: 'gone', reason: 'no live subscription', goneDeviceIds: [] });
    expect(await channels.email.send({ ...notice, user: { ...notice.user, email: null } })).toMatchObject({
      reason: 'no address',
    });
    await channels.email.close();
    await channels.push.close();
  });

  it('fails fast on a VAPID key pair that does not match', () => {
    const a = generateVapidKeys();
    const b = generateVapidKeys();
    expect(() =>
      createChannels({
        smtpUrl: null,
        mailFrom: 'it@example.com',
        vapid: { publicKey: a.publicKey, privateKey: b.privateKey, subject: 'mailto:it@example.com' },
        push: { allowInsecureEndpoints: false },
      }),
    ).toThrow(/does not match/);
  });
});
