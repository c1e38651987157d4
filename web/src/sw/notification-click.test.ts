import { describe, expect, it } from 'vitest';
import { type ClientsLike, handleNotificationClick, safeTarget, type WindowLike } from './notification-click.ts';
import { notificationOptions, parsePushPayload } from './push-notification.ts';

const origin = 'https://portal.example.com';

function fakeWindow(url: string, options: { controlled?: boolean; focused?: boolean } = {}) {
  const calls: string[] = [];
  const w: WindowLike & { calls: string[] } = {
    url,
    focused: options.focused ?? false,
    calls,
    focus: async () => {
      calls.push('focus');
      return w;
    },
    navigate: async (to) => {
      calls.push(`navigate ${to}`);
      if (options.controlled === false) throw new TypeError('not controlled');
      return w;
    },
  };
  return w;
}

function fakeClients(windows: WindowLike[]) {
  const opened: string[] = [];
  const clients: ClientsLike = {
    matchAll: async () => windows,
    openWindow: async (url) => {
      opened.push(url);
      return null;
    },
  };
  return { clients, opened };
}

describe('notificationclick', () => {
  it('navigates and focuses an open window of the app', async () => {
    const other = fakeWindow('https://elsewhere.example/');
    const app = fakeWindow(`${origin}/keychain`);
    const { clients, opened } = fakeClients([other, app]);
    expect(await handleNotificationClick({ url: `${origin}/smime/retrieve?r=1` }, origin, clients)).toEqual({ action: 'navigated', url: `${origin}/smime/retrieve?r=1` });
    expect(app.calls).toEqual([`navigate ${origin}/smime/retrieve?r=1`, 'focus']);
    expect(other.calls).toEqual([]);
    expect(opened).toEqual([]);
  });

  it('prefers the focused window', async () => {
    const a = fakeWindow(`${origin}/`);
    const b = fakeWindow(`${origin}/settings`, { focused: true });
    await handleNotificationClick({ url: '/smime/retrieve' }, origin, fakeClients([a, b]).clients);
    expect(b.calls[0]).toBe(`navigate ${origin}/smime/retrieve`);
    expect(a.calls).toEqual([]);
  });

  it('opens a new window when none is open or the open one is not controlled', async () => {
    const none = fakeClients([]);
    expect(await handleNotificationClick({ url: `${origin}/smime/retrieve?r=2` }, origin, none.clients)).toMatchObject({ action: 'opened' });
    expect(none.opened).toEqual([`${origin}/smime/retrieve?r=2`]);
    const stray = fakeClients([fakeWindow(`${origin}/`, { controlled: false })]);
    await handleNotificationClick({ url: `${origin}/keychain` }, origin, stray.clients);
    expect(stray.opened).toEqual([`${origin}/keychain`]);
  });

  it('never follows a foreign or non-http url', () => {
    expect(safeTarget({ url: 'https://evil.example/phish' }, origin)).toBe(`${origin}/`);
    expect(safeTarget({ url: 'javascript:alert(1)' }, origin)).toBe(`${origin}/`);
    expect(safeTarget({ url: '//evil.example/x' }, origin)).toBe(`${origin}/`);
    expect(safeTarget(null, origin)).toBe(`${origin}/`);
    expect(safeTarget({ url: '/smime/retrieve?r=3' }, origin)).toBe(`${origin}/smime/retrieve?r=3`);
  });
});

describe('push payload', () => {
  it('maps the channel payload to a tagged notification', () => {
    const p = parsePushPayload(JSON.stringify({ title: 'T', body: 'B', url: `${origin}/smime/retrieve?r=1`, tag: 'campaign-1', locale: 'zh-TW' }));
    expect(p).toEqual({ title: 'T', body: 'B', url: `${origin}/smime/retrieve?r=1`, tag: 'campaign-1', locale: 'zh-TW' });
    expect(notificationOptions(p)).toMatchObject({ body: 'B', tag: 'campaign-1', lang: 'zh-TW', data: { url: `${origin}/smime/retrieve?r=1` }, renotify: true });
  });

  it('still shows something for an empty or broken payload', () => {
    expect(parsePushPayload(null)).toMatchObject({ title: 'S/MIME Portal', url: '/smime/retrieve' });
    expect(parsePushPayload('not json')).toMatchObject({ title: 'S/MIME Portal' });
  });
});
