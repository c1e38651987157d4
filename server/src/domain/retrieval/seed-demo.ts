import { encryptSmime } from '../../../../shared/smime/cms-encrypt.ts';
import type { Clock } from '../../ports.ts';
import { type IssuerDeps, issueWithServerKey } from '../ca/issue-credential.ts';
import type { DomainContext } from '../context.ts';
import { encryptionHistory } from '../credentials/credential-service.ts';
import { addMember } from '../directory/directory-service.ts';
import { assignPolicy, createPolicy, updatePolicySettings } from '../policy/policy-service.ts';
import { createEnrollmentCode } from '../devices/enrollment.ts';

export interface DemoOptions {
  email: string;
  /** Encryption certificates in the demo user's history (oldest ones already expired). */
  history: number;
}

export interface DemoResult {
  email: string;
  colleagues: string[];
  group: string;
  policy: string;
  historyIssued: number;
  historyTotal: number;
  enrollmentCode: string;
  expiresAt: Date;
  /** An S/MIME message encrypted to the OLDEST certificate (opens in /smime/check after retrieval). */
  oldMessage: string;
}

const GROUP = 'demo';
const POLICY = 'Demo';
const DAY = 86_400_000;
const SETTINGS = {
  signing: { profileType: 'scep' as const },
  encryption: { profileType: 'importedPkcs' as const, allowExport: true },
  notification: 'pushThenEmail' as const,
};

/** A clock `offsetMs` in the past: certificates issued "back then" make a real history. */
const shifted = (clock: Clock, offsetMs: number): Clock => ({ now: () => new Date(clock.now().getTime() - offsetMs) });

/**
 * Seeds a demo organisation (issue 6 item 7): the demo user and two colleagues, a group, a
 * policy (scep signing, importedPkcs encryption with export, push then email), an encryption
 * history issued by the built-in CA (one per `validityDays`, back in time, so the older ones have
 * expired), a one-time enrollment code, and a message encrypted to the oldest certificate.
 * Running it again tops up what is missing and makes a new code.
 */
export async function seedDemo(ctx: DomainContext, issuer: IssuerDeps, options: DemoOptions): Promise<DemoResult> {
  const email = options.email.trim().toLowerCase();
  const domain = email.split('@')[1] ?? 'example.com';
  const colleagues = [`bob@${domain}`, `carol@${domain}`];
  if (!(await ctx.store.directory.findGroupByName(GROUP))) await ctx.store.directory.createGroup(GROUP, ctx.clock.now());
  const users = [];
  for (const [i, address] of [email, ...colleagues].entries()) {
    const { user } = await ctx.store.directory.upsertUser({ email: address, displayName: ['Alice Demo', 'Bob Demo', 'Carol Demo'][i] ?? null }, ctx.clock.now());
    await addMember(ctx, GROUP, address);
    users.push(user);
  }
  if (await ctx.store.policies.findPolicyByName(POLICY)) await updatePolicySettings(ctx, POLICY, SETTINGS);
  else await createPolicy(ctx, { name: POLICY, settings: SETTINGS });
  await assignPolicy(ctx, POLICY, { include: [GROUP], exclude: [] });

  const [me, ...others] = users;
  const have = (await encryptionHistory(ctx, me!.id)).length;
  let issued = 0;
  for (let age = options.history - 1 - have; age >= 0; age -= 1) {
    // Each older certificate was issued one validity period earlier than the next.
    await issueWithServerKey({ ...ctx, clock: shifted(ctx.clock, age * issuer.validityDays * DAY) }, issuer, me!, 'smimeEncryption');
    issued += 1;
  }
  for (const other of others) if ((await encryptionHistory(ctx, other.id)).length === 0) await issueWithServerKey(ctx, issuer, other, 'smimeEncryption');

  const history = await encryptionHistory(ctx, me!.id);
  const oldest = history.at(-1)!;
  const oldMessage = await encryptSmime({
    content: 'Content-Type: text/plain; charset=utf-8\r\n\r\nThis message was encrypted to your oldest certificate. If you can read it, the whole history works.\r\n',
    recipients: [oldest.certificateDer],
    from: `bob@${domain}`,
    to: email,
    subject: 'An old encrypted message',
    date: oldest.notBefore,
  });
  const code = await createEnrollmentCode(ctx, { email, ttlMs: 60 * 60_000 });
  return { email, colleagues, group: GROUP, policy: POLICY, historyIssued: issued, historyTotal: history.length, enrollmentCode: code.code, expiresAt: code.expiresAt, oldMessage };
}
