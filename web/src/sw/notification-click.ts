/**
 * What tapping a notification does, separated from the service-worker globals so it can be
 * unit-tested with fake clients: focus an open window of the app and navigate it to the url,
 * else open a new window. Only same-origin urls are followed; anything else opens the app home.
 */
export interface WindowLike {
  readonly url: string;
  readonly focused?: boolean;
  focus(): Promise<WindowLike>;
  navigate(url: string): Promise<WindowLike | null>;
}

export interface ClientsLike {
  matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowLike[]>;
  openWindow(url: string): Promise<WindowLike | null>;
}

/** The url to open for a notification's data, or the app home when it is missing or foreign. */
export function safeTarget(data: unknown, origin: string): string {
  const raw = typeof data === 'object' && data !== null && typeof (data as { url?: unknown }).url === 'string' ? (data as { url: string }).url : '/';
  try {
    const url = new URL(raw, origin);
    if (url.origin === origin && (url.protocol === 'https:' || url.protocol === 'http:')) return url.href;
  } catch {
    // Not a URL at all: fall through to the home page.
  }
  return new URL('/', origin).href;
}

export async function handleNotificationClick(data: unknown, origin: string, clients: ClientsLike): Promise<{ action: 'navigated' | 'opened'; url: string }> {
  const url = safeTarget(data, origin);
  const windows = (await clients.matchAll({ type: 'window', includeUncontrolled: true })).filter((w) => {
    try {
      return new URL(w.url).origin === origin;
    } catch {
      return false;
    }
  });
  const target = windows.find((w) => w.focused) ?? windows[0];
  if (target) {
    let navigated: WindowLike | null = null;
    try {
      // navigate() rejects (or gives null) for a window this worker does not control.
      navigated = await target.navigate(url);
    } catch {
      navigated = null;
    }
    if (navigated) {
      try {
        await navigated.focus();
      } catch {
        // focus() needs the click's user activation; the window is navigated all the same.
      }
      return { action: 'navigated', url };
    }
  }
  await clients.openWindow(url);
  return { action: 'opened', url };
}
