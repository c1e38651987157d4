import type { BundlePolicy } from '../../../../shared/schemas/bundle.ts';
import type { PolicySettings } from '../../../../shared/schemas/policy.ts';
import { AppError } from '../../errors.ts';
import type { DomainContext } from '../context.ts';

/**
 * The policy that governs a user's delivery: the first enabled policy targeting them (policies
 * come ordered by name, the same rule the notification channel uses). Refuses with
 * policy_disabled when none applies or the policy does not deploy certificates.
 */
export async function deliveryPolicy(ctx: DomainContext, userId: string): Promise<PolicySettings> {
  const policy = (await ctx.store.policies.policiesForUser(userId))[0];
  if (!policy) throw new AppError('policy_disabled', 'no enabled S/MIME policy applies to this user; ask your administrator');
  if (!policy.settings.deployCertificates) {
    throw new AppError('policy_disabled', `policy "${policy.name}" does not deploy certificates from the portal`);
  }
  return policy.settings;
}

/** The part of the policy the device and its mail client act on. */
export function toBundlePolicy(settings: PolicySettings): BundlePolicy {
  return {
    signing: settings.signing,
    encryption: settings.encryption,
    signAll: settings.signAll,
    signAllUserChangeAllowed: settings.signAllUserChangeAllowed,
    encryptAll: settings.encryptAll,
    encryptAllUserChangeAllowed: settings.encryptAllUserChangeAllowed,
  };
}
