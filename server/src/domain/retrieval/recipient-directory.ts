import { z } from 'zod';
import { toBase64 } from '../../../../shared/pki/bytes.ts';
import { parseInput } from '../../validate.ts';
import type { DomainContext } from '../context.ts';
import { encryptionHistory } from '../credentials/credential-service.ts';

export const directoryQuerySchema = z.strictObject({
  email: z.array(z.string().max(254).trim().toLowerCase().pipe(z.email())).min(1).max(50),
});

/** One looked-up recipient: the current encryption certificate, or why there is none. */
export type DirectoryEntry =
  | { email: string; status: 'found'; certificate: string; thumbprint: string; notAfter: string }
  | { email: string; status: 'unknown_user' | 'no_certificate' };

/**
 * The portal's certificate directory for senders (device-authenticated): each address's current
 * encryption certificate (valid now, not revoked). Answers only public certificates.
 */
export async function lookupRecipients(ctx: DomainContext, input: unknown): Promise<DirectoryEntry[]> {
  const { email } = parseInput(directoryQuerySchema, input, 'directory lookup');
  const out: DirectoryEntry[] = [];
  for (const address of [...new Set(email)]) {
    const user = await ctx.store.directory.findUserByEmail(address);
    if (!user) {
      out.push({ email: address, status: 'unknown_user' });
      continue;
    }
    const current = (await encryptionHistory(ctx, user.id)).find((c) => c.current && c.status !== 'revoked');
    out.push(
      current
        ? { email: address, status: 'found', certificate: toBase64(current.certificateDer), thumbprint: current.sha256, notAfter: current.notAfter.toISOString() }
        : { email: address, status: 'no_certificate' },
    );
  }
  return out;
}
