/** What this browser can do about push, decided before offering the button. */
export type PushSupport = 'supported' | 'ios-needs-install' | 'unsupported';

/**
 * iOS/iPadOS Safari offers Web Push only to a PWA opened from the home screen; elsewhere a
 * missing PushManager means no push at all (email notices still work).
 */
export function pushSupport(nav: Navigator = navigator, win: Window = window): PushSupport {
  const ios = /iPad|iPhone|iPod/.test(nav.userAgent) || (nav.userAgent.includes('Macintosh') && nav.maxTouchPoints > 1);
  const standalone = win.matchMedia?.('(display-mode: standalone)').matches || (nav as Navigator & { standalone?: boolean }).standalone === true;
  if (ios && !standalone) return 'ios-needs-install';
  if (!('serviceWorker' in nav) || !('PushManager' in win) || !('Notification' in win)) return 'unsupported';
  return 'supported';
}
