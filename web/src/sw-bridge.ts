/**
 * The one place that talks to the service worker: registration, the "update available —
 * reload" flow, and messages both ways (squoosh's sw-bridge pattern).
 */
export type SwMessage = { type: 'push-subscription-changed'; ok: boolean } | { type: string; [k: string]: unknown };

export interface SwBridge {
  /** Resolves with the active registration, or null where service workers are unavailable. */
  ready(): Promise<ServiceWorkerRegistration | null>;
  /** Called once a new version is installed and waiting. Returns an unsubscribe function. */
  onUpdate(listener: () => void): () => void;
  /** Activates the waiting version and reloads the page when it takes control. */
  applyUpdate(): void;
  onMessage(listener: (message: SwMessage) => void): () => void;
  post(message: SwMessage): void;
}

export function createSwBridge(options: { url?: string; enabled?: boolean } = {}): SwBridge {
  const supported = 'serviceWorker' in navigator && options.enabled !== false;
  const updateListeners = new Set<() => void>();
  const messageListeners = new Set<(m: SwMessage) => void>();
  let waiting: ServiceWorker | null = null;
  let reloading = false;

  const announce = (worker: ServiceWorker) => {
    waiting = worker;
    for (const l of updateListeners) l();
  };

  const registration: Promise<ServiceWorkerRegistration | null> = supported
    ? navigator.serviceWorker.register(options.url ?? '/sw.js', { scope: '/' }).then(
        (reg) => {
          if (reg.waiting && navigator.serviceWorker.controller) announce(reg.waiting);
          reg.addEventListener('updatefound', () => {
            const worker = reg.installing;
            worker?.addEventListener('statechange', () => {
              // Without a controller this is the first install, not an update.
              if (worker.state === 'installed' && navigator.serviceWorker.controller) announce(worker);
            });
          });
          return reg;
        },
        (error: unknown) => {
          console.error('service worker registration failed', error);
          return null;
        },
      )
    : Promise.resolve(null);

  if (supported) {
    navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
      for (const l of messageListeners) l(event.data as SwMessage);
    });
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (reloading) location.reload();
    });
  }

  return {
    ready: () => registration.then((reg) => (reg ? navigator.serviceWorker.ready : null)),
    onUpdate(listener) {
      updateListeners.add(listener);
      if (waiting) listener();
      return () => updateListeners.delete(listener);
    },
    applyUpdate() {
      if (!waiting) return;
      reloading = true;
      waiting.postMessage({ type: 'SKIP_WAITING' });
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    post(message) {
      navigator.serviceWorker?.controller?.postMessage(message);
    },
  };
}
