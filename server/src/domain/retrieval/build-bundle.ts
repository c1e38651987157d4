import { toBase64 } from '../../../../shared/pki/bytes.ts';
import type { Credential as BundleCredential, CredentialSource as BundleSource, DeliveryBundle, SigningInstruction } from '../../../../shared/schemas/bundle.ts';
import { BUNDLE_VERSION } from '../../../../shared/schemas/bundle.ts';
import { sealToDevice } from '../../../../shared/smime/key-envelope.ts';
import { AppError } from '../../errors.ts';
import { audit, type DomainContext } from '../context.ts';
import { type DeliverableCredential, getDeliverableCredentials, openSealedKey } from '../credentials/credential-service.ts';
import type { CredentialSource, Vault } from '../credentials/types.ts';
import type { Device } from '../devices/types.ts';
import { deliveryPolicy, toBundlePolicy } from './bundle-policy.ts';

const SOURCES: Record<CredentialSource, BundleSource> = {
  importedPkcs: 'imported',
  issued: 'issued',
  scep: 'scep',
  derivedCredential: 'derived',
};

/** Sha-1 of a credential is not in DeliverableCredential; the store row has it. */
async function sha1Of(ctx: DomainContext, id: string): Promise<string> {
  const row = await ctx.store.credentials.get(id);
  if (!row) throw new AppError('internal', `credential ${id} vanished while building a bundle`);
  return row.sha1;
}

/**
 * Seals one credential's private key to the device. The plaintext PKCS#8 lives only inside
 * this function, is zeroed before it returns, and never reaches a log, an error or a body.
 */
async function sealCredential(ctx: DomainContext, vault: Vault, device: Device, c: DeliverableCredential, purpose: BundleCredential['purpose']): Promise<BundleCredential> {
  const pkcs8 = await openSealedKey(ctx, vault, c.sealedKeyId);
  let envelope: BundleCredential['envelope'];
  try {
    envelope = await sealToDevice({
      deviceId: device.id,
      thumbprint: c.sha256,
      devicePublicKeySpki: new Uint8Array(Buffer.from(device.transportKey, 'base64')),
      privateKeyPkcs8: pkcs8,
    });
  } catch (cause) {
    throw new AppError('bad_request', 'this device’s transport key cannot receive keys; enroll the device again', { cause });
  } finally {
    pkcs8.fill(0);
  }
  return {
    thumbprint: c.sha256,
    sha1: await sha1Of(ctx, c.id),
    purpose,
    source: SOURCES[c.source],
    certificate: toBase64(c.certificateDer),
    chain: c.chain.map((der) => toBase64(der)),
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    envelope,
  };
}

export interface BundleDeps {
  vault: Vault;
  /** CA certificates devices should trust for signed mail (the built-in CA). */
  trustAnchors: Uint8Array[];
}

/**
 * The delivery bundle for one device (shared/schemas/bundle.ts): the user's policy, the
 * encryption history newest first with the current one marked, and the signing instruction;
 * every private key sealed to THIS device's transport key.
 */
export async function buildDeliveryBundle(ctx: DomainContext, deps: BundleDeps, device: Device): Promise<DeliveryBundle> {
  const settings = await deliveryPolicy(ctx, device.userId);
  const { encryption, signing } = await getDeliverableCredentials(ctx, device.userId);
  const encryptionOn = settings.encryption.profileType === 'importedPkcs';
  const history = encryptionOn ? await Promise.all(encryption.map((c) => sealCredential(ctx, deps.vault, device, c, 'smimeEncryption'))) : [];
  const current = encryptionOn ? (encryption.find((c) => c.current)?.sha256 ?? null) : null;

  let instruction: SigningInstruction;
  if (settings.signing.profileType === 'scep') instruction = { action: 'csr' };
  else if (settings.signing.profileType === 'derivedCredential') instruction = { action: 'derived' };
  else {
    // Admin-imported signing credentials are shared by the user's devices; per-device SCEP ones are not.
    const shared = signing.find((c) => c.source !== 'scep');
    if (!shared) throw new AppError('not_found', 'the policy delivers an imported signing certificate, but none was imported for this user yet');
    instruction = { action: 'install', credential: await sealCredential(ctx, deps.vault, device, shared, 'smimeSigning') };
  }

  const anchors = new Map<string, string>();
  for (const der of deps.trustAnchors) anchors.set(toBase64(der), toBase64(der));
  for (const c of [...encryption, ...signing]) for (const der of c.chain) anchors.set(toBase64(der), toBase64(der));
  await audit(ctx, 'device.bundle', device.id, { history: history.length, signing: instruction.action });
  return {
    version: BUNDLE_VERSION,
    device: { id: device.id },
    generatedAt: ctx.clock.now().toISOString(),
    policy: toBundlePolicy(settings),
    signing: instruction,
    encryption: { current, history },
    trustAnchors: [...anchors.values()],
  };
}
