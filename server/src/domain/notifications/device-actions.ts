import type { DomainContext } from '../context.ts';
import { encryptionHistory } from '../credentials/credential-service.ts';
import type { Device } from '../devices/types.ts';
import type { DeviceAction } from './types.ts';

export const EXPIRY_WARNING_MS = 30 * 24 * 3600 * 1000;

/**
 * The actions waiting for this user on this device. They are derived from state, never stored:
 * an action disappears by itself once done (retrieved, renewed, replaced), so there is nothing
 * to mark and nothing to get out of step.
 */
export async function deviceActions(ctx: DomainContext, device: Device): Promise<DeviceAction[]> {
  const now = ctx.clock.now().getTime();
  const actions: DeviceAction[] = [];

  const pending = await ctx.store.inbox.pendingDelivery(device.userId);
  if (pending) actions.push({ kind: 'retrieve', recipientId: pending.id, since: pending.sentAt });

  const policy = (await ctx.store.policies.policiesForUser(device.userId))[0];
  if (policy?.settings.signing.profileType === 'scep') {
    const threshold = policy.settings.signing.renewalThreshold;
    const signing = (await ctx.store.credentials.listForUser(device.userId)).filter(
      (c) => c.deviceId === device.id && c.status === 'active' && (c.purpose === 'smimeSigning' || c.purpose === 'both'),
    );
    const newest = signing.sort((a, b) => b.notAfter.getTime() - a.notAfter.getTime())[0];
    if (newest) {
      const start = newest.notBefore.getTime();
      const renewAt = start + (newest.notAfter.getTime() - start) * threshold;
      if (now >= renewAt) actions.push({ kind: 'renewSigning', thumbprint: newest.sha256, notAfter: newest.notAfter });
    }
  }

  const history = await encryptionHistory(ctx, device.userId);
  const current = history.find((h) => h.current);
  const successor = current && history.some((h) => h !== current && h.status === 'active' && h.notAfter > current.notAfter);
  if (current && !successor && current.notAfter.getTime() - now <= EXPIRY_WARNING_MS) {
    actions.push({ kind: 'expiring', thumbprint: current.sha256, notAfter: current.notAfter });
  }
  return actions;
}
