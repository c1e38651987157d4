import * as pkijs from 'pkijs';
import { AppError } from '../../errors.ts';
import { generateKeyPair, type KeyAlgorithm } from '../../pki/generate-key-pair.ts';
import { checkSubjectKey, issueCertificate } from '../../pki/issue-certificate.ts';
import type { CertPurpose } from '../../pki/profiles.ts';
import { randomSerial } from '../../pki/serial.ts';
import { createCryptoEngine, toBytes, toHex } from '../../pki/x509-builders.ts';
import { audit, type DomainContext, inTransaction } from '../context.ts';
import type { User } from '../directory/types.ts';
import { storeCredential } from '../credentials/credential-service.ts';
import type { Credential, CredentialSource, Vault } from '../credentials/types.ts';
import type { CaRuntime } from './ca-service.ts';
import { issuedCertificateFields } from './issued-certificate-fields.ts';

/** What issuing needs besides the store: the vault, the CA and the issuance settings. */
export interface IssuerDeps {
  vault: Vault;
  ca: CaRuntime;
  /** Absolute URL of /crl, written into every certificate. */
  crlUrl: string;
  validityDays: number;
  /** Key made on the server for escrowed credentials (RSA: S/MIME clients expect it). */
  escrowKeyAlgorithm?: KeyAlgorithm;
}

const DAY = 86_400_000;
// Clients whose clocks run a little behind must still accept a fresh certificate.
const BACKDATE_MS = 5 * 60_000;

/**
 * Signs a certificate for the user's public key under a serial this CA never used, and stores
 * the credential (sealing `privateKeyPkcs8` when the server holds the key). Call in a transaction.
 */
export async function signAndStore(
  ctx: DomainContext,
  deps: IssuerDeps,
  request: { user: User; spkiDer: Uint8Array; purpose: CertPurpose; source: CredentialSource; privateKeyPkcs8: Uint8Array | null; deviceId?: string | null },
): Promise<Credential> {
  const now = ctx.clock.now();
  const { record, signer } = deps.ca;
  let serial = randomSerial();
  for (let attempt = 0; !(await ctx.store.ca.claimSerial(record.id, toHex(serial), now)); attempt++) {
    if (attempt >= 3) throw new AppError('internal', 'could not draw an unused serial number');
    serial = randomSerial();
  }
  const der = await issueCertificate(signer, {
    spkiDer: request.spkiDer,
    email: request.user.email,
    displayName: request.user.displayName,
    purpose: request.purpose,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + deps.validityDays * DAY),
    serial,
    crlUrl: deps.crlUrl,
  });
  const info = issuedCertificateFields(der, signer);
  const credential = await storeCredential(ctx, deps.vault, {
    userId: request.user.id,
    purpose: request.purpose,
    source: request.source,
    certificateDer: der,
    chain: [record.certificateDer],
    ...info,
    caId: record.id,
    deviceId: request.deviceId ?? null,
    privateKeyPkcs8: request.privateKeyPkcs8,
  });
  await audit(ctx, 'credential.issue', request.user.email, { credentialId: credential.id, sha256: info.sha256, serialHex: info.serialHex, purpose: request.purpose, source: request.source });
  return credential;
}

/**
 * Issues a certificate with a key pair made on the server, the private key escrowed in the
 * vault (`cert issue`). Encryption certificates join the user's history.
 */
export async function issueWithServerKey(ctx: DomainContext, deps: IssuerDeps, user: User, purpose: CertPurpose): Promise<Credential> {
  const keys = await generateKeyPair(deps.escrowKeyAlgorithm ?? 'RSA-2048');
  try {
    return await inTransaction(ctx, (tx) => signAndStore(tx, deps, { user, spkiDer: keys.spkiDer, purpose, source: 'issued', privateKeyPkcs8: keys.privateKeyPkcs8 }));
  } finally {
    keys.privateKeyPkcs8.fill(0);
  }
}

/** Parses a PKCS#10 request and checks its self-signature; returns its public key. */
export async function verifiedCsrKey(csrDer: Uint8Array): Promise<Uint8Array> {
  let csr: pkijs.CertificationRequest;
  try {
    csr = pkijs.CertificationRequest.fromBER(toBytes(csrDer));
  } catch (cause) {
    throw new AppError('csr_invalid', 'the certificate request is not a valid PKCS#10 DER structure', { cause });
  }
  let valid = false;
  try {
    valid = await csr.verify(createCryptoEngine());
  } catch (cause) {
    throw new AppError('csr_invalid', 'the certificate request signature cannot be checked', { cause });
  }
  if (!valid) throw new AppError('csr_invalid', 'the certificate request signature does not verify');
  const spkiDer = toBytes(csr.subjectPublicKeyInfo.toSchema().toBER(false));
  checkSubjectKey(spkiDer);
  return spkiDer;
}

/**
 * Device-side issuance (issue 3 item 6): signs a signing certificate for a PKCS#10 request made
 * on the device. Same profile and key checks as SCEP; the user's email is bound whatever the
 * request names; the key never reaches the server.
 */
export async function issueFromCsr(ctx: DomainContext, deps: IssuerDeps, userId: string, csrDer: Uint8Array, options: { deviceId?: string | null } = {}): Promise<Credential> {
  const user = await ctx.store.directory.getUser(userId);
  if (!user) throw new AppError('not_found', `no user ${userId}`);
  const spkiDer = await verifiedCsrKey(csrDer);
  return inTransaction(ctx, (tx) => signAndStore(tx, deps, { user, spkiDer, purpose: 'smimeSigning', source: 'scep', privateKeyPkcs8: null, deviceId: options.deviceId ?? null }));
}
