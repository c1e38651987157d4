import { z } from 'zod';
import { parseInput } from '../../validate.ts';
import { markRetrieved } from '../campaigns/campaign-service.ts';
import { audit, type DomainContext } from '../context.ts';
import { getDeliverableCredentials } from '../credentials/credential-service.ts';
import type { Device } from '../devices/types.ts';
import { deliveryPolicy } from './bundle-policy.ts';

export const ackSchema = z.strictObject({
  /**
   * SHA-256 thumbprints (lowercase hex) of the delivered certificates the device now holds. At
   * most 200: the device API's 16 KB body limit fits about that many.
   */
  thumbprints: z.array(z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex thumbprint')).max(200),
});

export interface AckResult {
  /** True when the device holds the whole encryption history: campaign recipients become "retrieved". */
  complete: boolean;
  /** Encryption thumbprints the server delivers that the device did not acknowledge. */
  missing: string[];
  /** Campaign recipient rows marked retrieved. */
  marked: number;
}

/**
 * The device confirms what it stored. Only a complete acknowledgement (every deliverable
 * encryption certificate) counts as "retrieved" in campaigns; thumbprints the server does not
 * know (a .p12 the user imported themselves) are ignored.
 */
export async function acknowledgeRetrieval(ctx: DomainContext, device: Device, input: unknown): Promise<AckResult> {
  const { thumbprints } = parseInput(ackSchema, input, 'acknowledgement');
  const settings = await deliveryPolicy(ctx, device.userId);
  const held = new Set(thumbprints);
  const { encryption } = await getDeliverableCredentials(ctx, device.userId);
  const expected = settings.encryption.profileType === 'importedPkcs' ? encryption.map((c) => c.sha256) : [];
  const missing = expected.filter((t) => !held.has(t));
  const complete = missing.length === 0;
  const marked = complete ? await markRetrieved(ctx, device.userId) : 0;
  await audit(ctx, 'device.retrieval.ack', device.id, { held: thumbprints.length, missing: missing.length, marked });
  return { complete, missing, marked };
}
