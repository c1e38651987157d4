import { z } from 'zod';
import { toBase64 } from '../../../../shared/pki/bytes.ts';
import { AppError } from '../../errors.ts';
import { parseInput } from '../../validate.ts';
import { type IssuerDeps, issueFromCsr } from '../ca/issue-credential.ts';
import type { DomainContext } from '../context.ts';
import type { Device } from '../devices/types.ts';
import { deliveryPolicy } from './bundle-policy.ts';

export const signingCsrSchema = z.strictObject({
  /** The PKCS#10 request made on the device (shared/pki buildCsr), base64 DER. */
  csr: z.string().min(100).max(8000).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
});

export interface IssuedSigning {
  thumbprint: string;
  sha1: string;
  certificate: string;
  chain: string[];
  notBefore: string;
  notAfter: string;
}

/**
 * SCEP-type signing for the PWA: the device made its key (non-extractable) and sends a CSR;
 * the built-in CA signs a signing certificate bound to the user's address and this device.
 * Only when the user's policy says `scep`.
 */
export async function issueDeviceSigning(ctx: DomainContext, issuer: IssuerDeps, device: Device, input: unknown): Promise<IssuedSigning> {
  const { csr } = parseInput(signingCsrSchema, input, 'signing request');
  const settings = await deliveryPolicy(ctx, device.userId);
  if (settings.signing.profileType !== 'scep') {
    throw new AppError('conflict', `the policy's signing profile is ${settings.signing.profileType}: this device does not request its own signing certificate`);
  }
  const credential = await issueFromCsr(ctx, issuer, device.userId, new Uint8Array(Buffer.from(csr, 'base64')), { deviceId: device.id });
  return {
    thumbprint: credential.sha256,
    sha1: credential.sha1,
    certificate: toBase64(credential.certificateDer),
    chain: credential.chain.map((der) => toBase64(der)),
    notBefore: credential.notBefore.toISOString(),
    notAfter: credential.notAfter.toISOString(),
  };
}
