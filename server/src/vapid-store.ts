import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateVapidKeys, type VapidKeys } from './channels/push/vapid.ts';
import { AppError } from './errors.ts';

/** Where the VAPID key pair lives in the data dir. */
export function vapidFile(dataDir: string): string {
  return join(dataDir, 'vapid.json');
}

/**
 * Loads the VAPID key pair from DATA_DIR/vapid.json, making it on first start (mode 0600,
 * created exclusively so two processes starting at once end up with the same pair). Every
 * process that sends push must see the same pair the PWA subscribed with: scale-out machines
 * share the file.
 */
export function loadOrCreateVapidKeys(dataDir: string): VapidKeys {
  const file = vapidFile(dataDir);
  const read = (): VapidKeys => {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<VapidKeys>;
    if (typeof parsed.publicKey !== 'string' || typeof parsed.privateKey !== 'string') {
      throw new AppError('validation_failed', `${file} does not hold a VAPID key pair (publicKey, privateKey)`);
    }
    return { publicKey: parsed.publicKey, privateKey: parsed.privateKey };
  };
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const keys = generateVapidKeys();
  try {
    writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return keys;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return read();
    throw error;
  }
}

/** The VAPID `sub` claim: VAPID_SUBJECT, else an https PUBLIC_URL, else mailto: MAIL_FROM's address. */
export function vapidSubject(config: { publicUrl: string; mailFrom: string; campaigns: { vapidSubject: string | null } }): string {
  if (config.campaigns.vapidSubject) return config.campaigns.vapidSubject;
  if (config.publicUrl.startsWith('https://')) return config.publicUrl;
  const address = /<([^>]+)>/.exec(config.mailFrom)?.[1] ?? config.mailFrom.trim();
  return `mailto:${address}`;
}
