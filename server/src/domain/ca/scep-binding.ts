import { createHash } from 'node:crypto';
import { AppError } from '../../errors.ts';
import { createScepService, type ScepService } from '../../pki/scep/scep-service.ts';
import { type DomainContext, inTransaction } from '../context.ts';
import type { User } from '../directory/types.ts';
import { type IssuerDeps, signAndStore } from './issue-credential.ts';
import { hashChallenge } from './scep-challenges.ts';
import { createScepRaSource } from './scep-ra.ts';

interface Pending {
  challengeId: string | null;
  user: User | null;
}

/**
 * The SCEP service over the store: challenges are checked when the request is read but consumed
 * only inside the issuing transaction, together with the transaction id and the new
 * credential, so a failed issuance writes nothing and the challenge stays usable.
 * The service runs verifyChallenge → rememberTransaction → issue under one mutex, so the
 * hand-over through `pending` never interleaves between requests. The RA that signs replies
 * and opens requests is made on first use (see scep-ra.ts).
 */
export function createStoreScepService(
  ctx: () => DomainContext,
  deps: IssuerDeps,
  options: {
    allowLegacyDes: boolean;
    onIssued?: (userId: string) => Promise<unknown>;
    /**
     * When given, the RA is loaded (or made: an RSA key generation) right away rather than by
     * the first request that needs it; a failure is reported here and retried by that request.
     */
    onRaWarmupError?: (error: unknown) => void;
  },
): ScepService {
  const ra = createScepRaSource(ctx, deps.vault, deps.ca);
  if (options.onRaWarmupError) ra().catch(options.onRaWarmupError);
  let checked: Pending | null = null;
  let remembered: (Pending & { transactionId: string; thumbprint: string }) | null = null;

  async function userByEmail(email: string): Promise<User> {
    const user = await ctx().store.directory.findUserByEmail(email);
    if (!user) throw new AppError('not_found', `no user ${email}`);
    return user;
  }

  return createScepService({
    ca: deps.ca.signer,
    ra,
    allowLegacyDes: options.allowLegacyDes,
    now: () => ctx().clock.now(),
    async verifyChallenge(challenge) {
      checked = null;
      const c = ctx();
      const row = await c.store.ca.findChallenge(hashChallenge(challenge));
      if (!row || row.usedAt || row.expiresAt <= c.clock.now()) return null;
      const user = await c.store.directory.getUser(row.userId);
      if (!user) return null;
      checked = { challengeId: row.id, user };
      return { email: user.email, displayName: user.displayName };
    },
    async rememberTransaction(transactionId, thumbprint) {
      const pending = checked;
      checked = null;
      remembered = null;
      if (await ctx().store.ca.transactionSeen(transactionId)) return false;
      // RenewalReq skips verifyChallenge: its user comes from findIssuedBySigner at issue time.
      remembered = { challengeId: pending?.challengeId ?? null, user: pending?.user ?? null, transactionId, thumbprint };
      return true;
    },
    async issue(spkiDer, email) {
      const pending = remembered;
      remembered = null;
      if (!pending) throw new AppError('internal', 'SCEP issue without a remembered transaction');
      const user = pending.user?.email === email ? pending.user : await userByEmail(email);
      const credential = await inTransaction(ctx(), async (tx) => {
        const now = tx.clock.now();
        if (pending.challengeId && !(await tx.store.ca.consumeChallenge(pending.challengeId, now))) {
          throw new AppError('conflict', 'the SCEP challenge was used or expired meanwhile');
        }
        if (!(await tx.store.ca.recordTransaction(pending.transactionId, pending.thumbprint, now))) {
          throw new AppError('conflict', 'the SCEP transaction id was replayed');
        }
        return signAndStore(tx, deps, { user, spkiDer, purpose: 'smimeSigning', source: 'scep', privateKeyPkcs8: null });
      });
      await options.onIssued?.(user.id);
      return credential.certificateDer;
    },
    async findIssuedBySigner(certDer) {
      const c = ctx();
      const sha256 = createHash('sha256').update(certDer).digest('hex');
      const credential = await c.store.credentials.findBySha256(sha256);
      if (!credential || credential.caId !== deps.ca.record.id || credential.status !== 'active') return null;
      const user = await c.store.directory.getUser(credential.userId);
      return user ? { email: user.email, displayName: user.displayName } : null;
    },
  });
}
