import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { parseInput } from '../../validate.ts';
import { audit, type DomainContext, inTransaction } from '../context.ts';
import type { Device } from './types.ts';

/** Devices of the user with this email, oldest first. */
export async function listDevicesOf(ctx: DomainContext, email: string): Promise<Device[]> {
  const user = await ctx.store.directory.findUserByEmail(email.trim().toLowerCase());
  if (!user) throw new AppError('not_found', `no user with email ${email}`);
  return ctx.store.devices.listDevices(user.id);
}

/**
 * Retires a device: its sessions end and its push subscription is dropped; from now on every
 * device call answers device_retired.
 */
export async function retireDevice(ctx: DomainContext, id: string): Promise<Device> {
  return inTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    const device = await tx.store.devices.getDevice(id);
    if (!device) throw new AppError('not_found', `no device with id ${id}`);
    if (!(await tx.store.devices.retire(id, now))) throw new AppError('conflict', `device ${id} is retired already`);
    await tx.store.devices.deleteSessionsOf(id);
    await tx.store.devices.setPush(id, null, now);
    await audit(tx, 'device.retire', id, { userId: device.userId });
    return { ...device, status: 'retired', retiredAt: now, push: null };
  });
}

function bytesOf(value: string): number {
  try {
    return Buffer.from(value, 'base64url').length;
  } catch {
    return -1;
  }
}

const b64url = z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url');

/** The body of PUT /api/device/push-subscription (PushSubscription.toJSON()). */
export const pushSubscriptionSchema = z.object({
  endpoint: z.string().max(2000),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({ p256dh: b64url.max(200), auth: b64url.max(100) }),
});

/**
 * Stores the device's Web Push subscription. The endpoint must be https (plain http only when
 * `allowInsecure`, for a local test push service); p256dh must be a 65-byte uncompressed P-256
 * point and auth 16 bytes, so the push channel never meets a subscription it cannot encrypt to.
 */
export async function setPushSubscription(ctx: DomainContext, device: Device, input: unknown, options: { allowInsecure: boolean }): Promise<void> {
  const body = parseInput(pushSubscriptionSchema, input, 'push subscription');
  let url: URL;
  try {
    url = new URL(body.endpoint);
  } catch {
    throw new AppError('validation_failed', 'endpoint is not a URL', { issues: [{ path: 'endpoint', message: 'is not a URL' }] });
  }
  if (!(url.protocol === 'https:' || (options.allowInsecure && url.protocol === 'http:')) || url.username || url.password) {
    throw new AppError('validation_failed', 'endpoint must be an https URL', { issues: [{ path: 'endpoint', message: 'must be an https URL' }] });
  }
  const p256dh = body.keys.p256dh.replace(/=+$/, '');
  const auth = body.keys.auth.replace(/=+$/, '');
  if (bytesOf(p256dh) !== 65 || Buffer.from(p256dh, 'base64url')[0] !== 0x04) {
    throw new AppError('validation_failed', 'keys.p256dh must be a 65-byte uncompressed P-256 point', { issues: [{ path: 'keys.p256dh', message: 'must be 65 bytes' }] });
  }
  if (bytesOf(auth) !== 16) throw new AppError('validation_failed', 'keys.auth must be 16 bytes', { issues: [{ path: 'keys.auth', message: 'must be 16 bytes' }] });
  await inTransaction(ctx, async (tx) => {
    await tx.store.devices.setPush(device.id, { endpoint: body.endpoint, p256dh, auth }, tx.clock.now());
    await audit(tx, 'device.push.subscribe', device.id, { origin: url.origin });
  });
}

/** Forgets the device's push subscription (notifications turned off, or resubscribing). */
export async function clearPushSubscription(ctx: DomainContext, device: Device): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await tx.store.devices.setPush(device.id, null, tx.clock.now());
    await audit(tx, 'device.push.unsubscribe', device.id);
  });
}
